// The controller loop: n workers take keys from a queue and call sync(key); success forgets the key's
// failures, an error re-queues it with backoff. Level-triggered: sync reads caches and converges.
import { type Logger, silentLogger } from '../util/log.js';
import type { WorkQueue } from './workqueue.js';

export interface RunWorkersOptions {
  logger?: Logger;
  /** Drop a key after this many consecutive failures (client-go controllers often use 15). Default: never. */
  maxRetries?: number;
}

/**
 * Runs `workers` concurrent loops until the signal aborts, which shuts the queue down. Resolves when
 * every worker has finished its current key and exited.
 */
export async function runWorkers<K>(
  queue: WorkQueue<K>,
  workers: number,
  sync: (key: K) => Promise<void>,
  signal: AbortSignal,
  options: RunWorkersOptions = {},
): Promise<void> {
  const logger = options.logger ?? silentLogger;
  const maxRetries = options.maxRetries ?? Number.POSITIVE_INFINITY;
  const onAbort = (): void => queue.shutdown();
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });

  async function worker(): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      if (signal.aborted) {
        queue.done(key);
        return;
      }
      try {
        await sync(key);
        queue.forget(key);
      } catch (e) {
        if (queue.numRequeues(key) < maxRetries) {
          logger.warn({ err: e, key, retries: queue.numRequeues(key) }, 'sync failed; retrying with backoff');
          queue.addRateLimited(key);
        } else {
          logger.error({ err: e, key }, 'sync failed too often; dropping the key');
          queue.forget(key);
        }
      } finally {
        queue.done(key);
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
