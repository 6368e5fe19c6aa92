// Maps etcd's answers onto StorageErrors and retries idempotent reads across transient failures.
// Writes are never retried here: a write whose answer was lost may have been applied, and retrying
// it would report a false conflict.
import { isRecoverableError } from 'etcd3';
import { StorageError } from '../types.js';

export function isCompactedError(err: unknown): boolean {
  return err instanceof Error && err.message.includes('required revision has been compacted');
}

export function isFutureRevisionError(err: unknown): boolean {
  return err instanceof Error && err.message.includes('required revision is a future revision');
}

export function toStorageError(err: unknown, what: string): Error {
  if (err instanceof StorageError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (isFutureRevisionError(err)) return new StorageError('InvalidArgument', `${what}: ${message}`);
  if (isCompactedError(err)) return new StorageError('Expired', `${what}: ${message}`);
  return new StorageError('Unavailable', `${what}: ${message}`);
}

export interface ReadRetryOptions {
  attempts: number;
  backoffMs: number;
}

/** Runs an idempotent read, retrying while etcd is unreachable. */
export async function retryRead<T>(
  what: string,
  read: () => Promise<T>,
  options: ReadRetryOptions,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= options.attempts || !(err instanceof Error && isRecoverableError(err))) {
        throw toStorageError(err, what);
      }
      await new Promise((r) => setTimeout(r, options.backoffMs * attempt));
    }
  }
}
