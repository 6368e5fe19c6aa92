// Exponential backoff with jitter (client-go's ExponentialBackoffManager: 800 ms doubling to 30 s),
// and a sleep on the injected Clock that an AbortSignal cuts short.
import { type Clock, systemClock, type TimerHandle } from '../util/clock.js';

export interface BackoffOptions {
  /** First delay. Default 800. */
  initialMs?: number;
  /** Delays stop growing here (before jitter). Default 30 000. */
  maxMs?: number;
  /** Growth per failure. Default 2. */
  factor?: number;
  /** Each delay is stretched by up to this fraction, at random, so that many clients spread out. Default 0.5. */
  jitter?: number;
  /** Source of randomness in [0, 1); injectable for deterministic tests. */
  random?: () => number;
}

export interface Backoff {
  /** The delay before the next attempt; each call counts one more failure. */
  next(): number;
  /** After a success: the next delay starts from initialMs again. */
  reset(): void;
  /** Failures since the last reset. */
  readonly failures: number;
}

export function createBackoff(options: BackoffOptions = {}): Backoff {
  const initialMs = options.initialMs ?? 800;
  const maxMs = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 0.5;
  const random = options.random ?? Math.random;
  let failures = 0;
  return {
    next() {
      const base = Math.min(maxMs, initialMs * factor ** failures);
      failures++;
      return base * (1 + jitter * random());
    },
    reset() {
      failures = 0;
    },
    get failures() {
      return failures;
    },
  };
}

/**
 * A timer on the clock. On the system clock it is a referenced timer: systemClock's timers are unref'd,
 * and a client backing off while the apiserver is down may have nothing else keeping the process alive.
 */
export function wakeAfter(clock: Clock, ms: number, fn: () => void): TimerHandle {
  if (clock !== systemClock) return clock.setTimeout(fn, ms);
  const t = setTimeout(fn, ms);
  return { cancel: () => clearTimeout(t) };
}

/** Waits `ms` on the clock; resolves false at once if (or as soon as) the signal aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      timer.cancel();
      resolve(false);
    };
    const timer = wakeAfter(clock, ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
