// Maps etcd's answers onto StorageErrors and retries requests across transient failures: reads
// whenever etcd is unreachable, writes only when they provably never left (no connection): a write
// whose answer was lost may have been applied, and retrying it would report a false conflict.
import { isRecoverableError } from 'etcd3';
import { StorageError } from '../types.js';

export function isCompactedError(err: unknown): boolean {
  return err instanceof Error && err.message.includes('required revision has been compacted');
}

export function isFutureRevisionError(err: unknown): boolean {
  return err instanceof Error && err.message.includes('required revision is a future revision');
}

/** grpc-js could not connect to the member, so the request was never sent. */
export function isNotSentError(err: unknown): boolean {
  return err instanceof Error && err.message.includes('No connection established');
}

export const isRetriableRead = (err: unknown): boolean => err instanceof Error && isRecoverableError(err);

export function toStorageError(err: unknown, what: string): Error {
  if (err instanceof StorageError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (isFutureRevisionError(err)) return new StorageError('InvalidArgument', `${what}: ${message}`);
  if (isCompactedError(err)) return new StorageError('Expired', `${what}: ${message}`);
  return new StorageError('Unavailable', `${what}: ${message}`);
}

export interface RetryOptions {
  attempts: number;
  backoffMs: number;
}

/** Runs a request, retrying while `retriable` says a failure may be retried. */
export async function withRetry<T>(
  what: string,
  request: () => Promise<T>,
  retriable: (err: unknown) => boolean,
  options: RetryOptions,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (err) {
      if (attempt >= options.attempts || !retriable(err)) throw toStorageError(err, what);
      await new Promise((r) => setTimeout(r, options.backoffMs * attempt));
    }
  }
}
