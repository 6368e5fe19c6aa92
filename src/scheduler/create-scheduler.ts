// The scheduler as a component: informers on pods, nodes and services feed the SchedulerCore, which
// binds through the API client. `createScheduler(options)` then `run(signal)`.
import type { Node, Pod, PodCondition, Service } from '../api/types.js';
import { createEventRecorder, type EventRecorder } from '../client/events.js';
import { createInformer, type Informer } from '../client/informer.js';
import type { KubeClient } from '../client/rest.js';
import { namespaceIndex, namespaceIndexer } from '../client/store.js';
import { createRegistry, type Registry } from '../metrics/registry.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/log.js';
import { createSchedulerMetrics } from './metrics.js';
import { createDefaultFramework } from './profile.js';
import { type SchedulerApi, SchedulerCore } from './scheduler.js';

export interface SchedulerOptions {
  client: KubeClient;
  /** Pods whose spec.schedulerName equals this are ours. Default 'default-scheduler'. */
  schedulerName?: string;
  clock?: Clock;
  logger?: Logger;
  registry?: Registry;
  /** Share of nodes to find feasible before scoring, 1–100; 0 (default) = adaptive, as Kubernetes. */
  percentageOfNodesToScore?: number;
  /** Binds in flight at once. Default 512. */
  maxInFlightBinds?: number;
  /** Per-pod backoff after a failed attempt. Defaults 1 000 and 10 000 (Kubernetes'). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods are retried after this long even without a relevant event. Default 300 000. */
  unschedulableFlushMs?: number;
  /** Record a `Scheduled` event per bound pod (Kubernetes does). Default true. */
  recordScheduledEvents?: boolean;
  /** Where Events go; default the client's recorder (source component = schedulerName). */
  recorder?: EventRecorder;
}

export interface Scheduler {
  readonly core: SchedulerCore;
  readonly registry: Registry;
  /** Starts the informers, waits for their first lists, then schedules until the signal aborts. */
  run(signal: AbortSignal): Promise<void>;
  /** True once pods, nodes and services have been listed. */
  hasSynced(): boolean;
}

/** Kubernetes' scheduler ignores finished pods: they hold no resources. */
const activePodsSelector = 'status.phase!=Succeeded,status.phase!=Failed';

export function createScheduler(options: SchedulerOptions): Scheduler {
  const schedulerName = options.schedulerName ?? 'default-scheduler';
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const registry = options.registry ?? createRegistry({ component: 'scheduler' });
  const client = options.client;

  const pods = createInformer(client, 'pods', { fieldSelector: activePodsSelector, clock, logger });
  const nodes = createInformer(client, 'nodes', { clock, logger });
  const services = createInformer(client, 'services', {
    clock,
    logger,
    indexers: { [namespaceIndex]: namespaceIndexer },
  });
  const informers: Informer<unknown>[] = [pods, nodes, services] as Informer<unknown>[];

  const recordScheduled = options.recordScheduledEvents ?? true;
  const recorder =
    options.recorder ??
    createEventRecorder(client, {
      component: schedulerName,
      clock,
      logger,
      // Every bound pod gets its own Scheduled event: room for a burst of them, and a cache larger
      // than the queue, so remembering one never scans entries still waiting to be written. Few
      // writes at once: binds, not events, are the critical path to the apiserver.
      queueSize: 10_000,
      cacheSize: 16_384,
      concurrency: 4,
    });
  const api: SchedulerApi = {
    async bind(pod, nodeName) {
      await client.bind(pod.metadata.namespace ?? 'default', pod.metadata.name!, nodeName, {
        uid: pod.metadata.uid,
      });
    },
    async updatePodCondition(pod: Pod, condition: PodCondition) {
      await client.pods.patch(
        pod.metadata.namespace ?? 'default',
        pod.metadata.name!,
        'strategic',
        { status: { conditions: [condition] } },
        { subresource: 'status' },
      );
    },
    event(pod, type, reason, message) {
      if (reason === 'Scheduled' && !recordScheduled) return;
      recorder.record(pod, type, reason, message);
    },
  };

  let core: SchedulerCore | undefined;
  const metrics = createSchedulerMetrics(
    registry,
    schedulerName,
    () => core!.queue.lengths(),
    () => core!.bindsInFlight,
  );
  core = new SchedulerCore({
    api,
    framework: (cache) =>
      createDefaultFramework(schedulerName, {
        services: (ns) => services.store.byIndex(namespaceIndex, ns) as Service[],
        controllers: cache.controllers,
      }),
    clock,
    logger,
    metrics,
    percentageOfNodesToScore: options.percentageOfNodesToScore,
    maxInFlightBinds: options.maxInFlightBinds,
    initialBackoffMs: options.initialBackoffMs,
    maxBackoffMs: options.maxBackoffMs,
    unschedulableFlushMs: options.unschedulableFlushMs,
  });
  const c = core;

  nodes.addEventHandler({
    onAdd: (n: Node) => c.onNode(n),
    onUpdate: (_old: Node, n: Node) => c.onNode(n),
    onDelete: (n: Node) => c.onNodeDelete(n),
  });
  pods.addEventHandler({
    onAdd: (p: Pod) => c.onPod(p),
    onUpdate: (_old: Pod, p: Pod) => c.onPod(p),
    onDelete: (p: Pod) => c.onPodDelete(p),
  });

  return {
    core: c,
    registry,
    hasSynced: () => informers.every((i) => i.hasSynced()),
    async run(signal) {
      const running = informers.map((i) => i.run(signal));
      const synced = await Promise.all(informers.map((i) => i.waitForSync(signal)));
      if (synced.every(Boolean)) {
        logger.info({ nodes: c.cache.nodeCount, schedulerName }, 'caches synced, scheduling');
        await c.run(signal);
      }
      await Promise.all(running);
      // Events of the last moments (bounded: the recorder gives up on failing writes).
      await recorder.flush();
    },
  };
}
