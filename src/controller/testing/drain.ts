// Test-only: run a controller's queued keys to completion, the way its workers would, but inline.
import type { WorkQueue } from '../../client/workqueue.js';

export interface Drainable {
  readonly queue: WorkQueue<string>;
  sync(key: string): Promise<void>;
}

/**
 * Syncs every queued key (and keys queued meanwhile) until the queue is empty; failed keys are
 * collected, not re-queued. Returns the keys synced and the failures.
 */
export async function drain(
  controller: Drainable,
  maxRounds = 100,
): Promise<{ synced: string[]; errors: Array<{ key: string; error: unknown }> }> {
  const synced: string[] = [];
  const errors: Array<{ key: string; error: unknown }> = [];
  for (let i = 0; i < maxRounds && controller.queue.len() > 0; i++) {
    const key = (await controller.queue.get())!;
    try {
      await controller.sync(key);
    } catch (error) {
      errors.push({ key, error });
    } finally {
      controller.queue.done(key);
    }
    synced.push(key);
  }
  return { synced, errors };
}
