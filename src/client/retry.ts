// client-go's `retry.RetryOnConflict`: re-run a read-modify-write while the server answers 409 Conflict.
import type { Clock } from '../util/clock.js';
import { systemClock } from '../util/clock.js';
import { sleep } from './backoff.js';
import { isConflict } from './errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included (client-go's DefaultRetry: 5). */
  steps?: number;
  /** Pause between attempts (client-go: 10 ms, factor 1, jitter 0.1). */
  delayMs?: number;
  jitter?: number;
  clock?: Clock;
  random?: () => number;
  /** Which errors are retried; default: Conflict. */
  retriable?: (e: unknown) => boolean;
}

/** Calls `fn` until it succeeds, fails with a non-retriable error, or `steps` attempts are used. */
export async function retryOnConflict<R>(fn: () => Promise<R>, options: RetryOptions = {}): Promise<R> {
  const steps = options.steps ?? 5;
  const delayMs = options.delayMs ?? 10;
  const jitter = options.jitter ?? 0.1;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const retriable = options.retriable ?? isConflict;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= steps || !retriable(e)) throw e;
    }
    const wait = delayMs * (1 + jitter * random());
    await sleep(clock, wait);
  }
}
