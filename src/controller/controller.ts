// What every controller of the controller-manager shares: the narrow view of the client and of the
// shared informer factory it needs (so unit tests can hand in in-memory fakes), the Controller shape
// the manager runs, and the level-triggered loop itself: wait for the caches, then workers take
// `namespace/name` keys from a work queue and call sync(key); a failed sync is re-queued with
// backoff, and the queue never hands one key to two workers at once.

import type { SharedInformerFactory } from '../client/informer-factory.js';
import { histogramOn } from '../client/metrics.js';
import type { KubeClient } from '../client/rest.js';
import { runWorkers } from '../client/workers.js';
import { createWorkQueue, type WorkQueue } from '../client/workqueue.js';
import { createRegistry, type Histogram, latencyBucketsSeconds, type Registry } from '../metrics/registry.js';
import { reserveAbortListeners } from '../util/abort.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/log.js';

/** The parts of the client the controllers call. */
export type ControllerClient = Pick<
  KubeClient,
  'resource' | 'pods' | 'services' | 'replicationControllers' | 'endpoints' | 'events' | 'nodes'
>;

/** Where controllers get their (shared) informers. */
export type InformerSource = Pick<SharedInformerFactory, 'informer'>;

/** Something that reports whether its first list has been stored. */
export interface Syncable {
  waitForSync(signal?: AbortSignal): Promise<boolean>;
  hasSynced(): boolean;
}

export interface Controller {
  readonly name: string;
  /** Waits for its informers' first lists, then works until the signal aborts. */
  run(signal: AbortSignal): Promise<void>;
  hasSynced(): boolean;
}

/** A controller driven by one work queue; queue and sync are exposed for tests. */
export interface QueueController extends Controller {
  readonly queue: WorkQueue<string>;
  sync(key: string): Promise<void>;
}

/** What every controller's options start with. */
export interface ControllerOptions {
  client: ControllerClient;
  informers: InformerSource;
  clock?: Clock;
  logger?: Logger;
  registry?: Registry;
  /** Concurrent syncs. */
  workers?: number;
}

export interface ControllerParts {
  clock: Clock;
  logger: Logger;
  registry: Registry;
  queue: WorkQueue<string>;
}

/** Defaults for clock, logger and registry, and the controller's work queue (metrics label `queueName`). */
export function controllerParts(
  name: string,
  queueName: string,
  options: ControllerOptions,
): ControllerParts {
  const clock = options.clock ?? systemClock;
  const registry = options.registry ?? createRegistry({ component: 'controller-manager' });
  return {
    clock,
    registry,
    logger: (options.logger ?? silentLogger).child({ controller: name }),
    queue: createWorkQueue<string>({ name: queueName, clock, registry }),
  };
}

export interface QueueControllerSpec {
  name: string;
  parts: ControllerParts;
  informers: readonly Syncable[];
  workers: number;
  sync(key: string): Promise<void>;
  /** Prefix of the sync-duration histogram, e.g. "replication_controller". */
  metricPrefix: string;
}

/** The Controller the manager runs: hasSynced over the informers, run = the shared loop. */
export function queueController(spec: QueueControllerSpec): QueueController {
  const { name, parts, informers, workers, sync } = spec;
  const syncDuration = syncDurationMetric(parts.registry, spec.metricPrefix, name);
  return {
    name,
    queue: parts.queue,
    sync,
    hasSynced: () => informers.every((i) => i.hasSynced()),
    run: (signal) =>
      runControllerLoop(
        {
          name,
          queue: parts.queue,
          informers,
          workers,
          sync,
          logger: parts.logger,
          clock: parts.clock,
          syncDuration,
        },
        signal,
      ),
  };
}

export interface ControllerLoop {
  name: string;
  queue: WorkQueue<string>;
  informers: readonly Syncable[];
  workers: number;
  sync(key: string): Promise<void>;
  logger: Logger;
  clock: Clock;
  /** Observes every sync's duration, in seconds. */
  syncDuration?: Histogram<string>;
}

/** A sync-duration histogram on the component registry, e.g. replication_controller_sync_duration_seconds. */
export function syncDurationMetric(registry: Registry, prefix: string, what: string): Histogram<string> {
  return histogramOn(
    registry,
    `${prefix}_sync_duration_seconds`,
    `Duration of one ${what} sync, in seconds.`,
    ['result'],
    latencyBucketsSeconds,
  );
}

/** Runs the loop until the signal aborts; resolves once every worker has finished its key. */
export async function runControllerLoop(loop: ControllerLoop, signal: AbortSignal): Promise<void> {
  // Every controller of the manager shares the stop signal: one abort listener per informer waited
  // for while the caches fill, then one for the workers.
  const release = reserveAbortListeners(signal, Math.max(1, loop.informers.length));
  try {
    const synced = await Promise.all(loop.informers.map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) {
      loop.queue.shutdown();
      return;
    }
    loop.logger.info({ controller: loop.name, workers: loop.workers }, 'caches synced; starting workers');
    const timed = async (key: string): Promise<void> => {
      const started = loop.clock.now();
      let result = 'success';
      try {
        await loop.sync(key);
      } catch (e) {
        result = 'error';
        throw e;
      } finally {
        loop.syncDuration?.labels(result).observe((loop.clock.now() - started) / 1000);
      }
    };
    await runWorkers(loop.queue, loop.workers, timed, signal, { logger: loop.logger });
  } finally {
    release();
  }
}
