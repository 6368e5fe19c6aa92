// Periodic compaction for any Storage, the way the Kubernetes apiserver compacts etcd: every interval
// it compacts to the revision it saw one interval earlier, so between one and two intervals of
// history stay watchable, and never closer than `minRetainedRevisions` to the current revision.
import { type Clock, systemClock, type TimerHandle } from '../../util/clock.js';
import { type Logger, silentLogger } from '../../util/log.js';
import type { Storage } from './types.js';

export interface CompactorOptions {
  /** Time between compactions; 0 disables. Default 5 minutes. */
  intervalMs?: number;
  /** Revisions always kept below the current one. Default 1000. */
  minRetainedRevisions?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface Compactor {
  /** Runs one round now (what the timer does); resolves to the revision compacted to, if any. */
  runOnce(): Promise<number | undefined>;
  stop(): void;
}

export const defaultCompactionIntervalMs = 5 * 60_000;

export function startCompactor(store: Storage, options: CompactorOptions = {}): Compactor {
  const intervalMs = options.intervalMs ?? defaultCompactionIntervalMs;
  const minRetained = options.minRetainedRevisions ?? 1000;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  let seenAtLastRound: number | undefined;
  let timer: TimerHandle | undefined;
  let stopped = false;

  async function runOnce(): Promise<number | undefined> {
    const current = await store.currentRevision();
    const previous = seenAtLastRound;
    seenAtLastRound = current;
    if (previous === undefined) return undefined;
    const target = Math.min(previous, current - minRetained);
    if (target <= (await store.compactedRevision())) return undefined;
    await store.compact(target);
    logger.debug({ revision: target, current }, 'storage compacted');
    return target;
  }

  function schedule(): void {
    if (stopped) return;
    timer = clock.setTimeout(() => {
      runOnce().then(
        () => schedule(),
        (err: unknown) => {
          if (!stopped) logger.warn({ err }, 'storage compaction failed');
          schedule();
        },
      );
    }, intervalMs);
  }

  if (intervalMs > 0) {
    // Remember where history starts now, so the first round already has something to compact to.
    runOnce().catch((err: unknown) => logger.warn({ err }, 'storage compaction failed'));
    schedule();
  }
  return {
    runOnce,
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}
