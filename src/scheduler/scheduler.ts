// The scheduling loop. Informer events feed the cache (nodes, bound pods) and the queue (our
// pending pods); the loop pops a pod, decides synchronously, assumes it on the chosen node and
// starts the bind without waiting for it, so many binds are in flight while the next pods are
// scheduled. The assume cache keeps those in-flight pods counted. Reaching the apiserver goes
// through the narrow SchedulerApi, so this module is tested with fakes and wired to the client elsewhere.
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { isApiError } from '../api/errors.js';
import type { Node, Pod, PodCondition } from '../api/types.js';
import { type Clock, rfc3339 } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import { fitErrorMessage } from './fit-error.js';
import { isTerminal, SchedulerCache } from './framework/cache.js';
import { CycleState } from './framework/cycle-state.js';
import type { Framework } from './framework/framework.js';
import type { ClusterEvent } from './framework/interface.js';
import { newPodInfo, podKey } from './framework/pod-info.js';
import type { SchedulerMetrics } from './metrics.js';
import { type QueuedPodInfo, SchedulingQueue } from './queue/scheduling-queue.js';
import { PodScheduler } from './schedule-pod.js';

/** What the loop needs from the apiserver. */
export interface SchedulerApi {
  /** POST pods/{name}/binding. Throws ApiError (Conflict when already bound, NotFound when gone). */
  bind(pod: Pod, nodeName: string): Promise<void>;
  /** Sets the pod's PodScheduled condition through pods/{name}/status. */
  updatePodCondition(pod: Pod, condition: PodCondition): Promise<void>;
  /** Records an Event about the pod (fire and forget). */
  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface SchedulerCoreOptions {
  api: SchedulerApi;
  /** The framework, given the cache (plugins may read its indexes). */
  framework: Framework | ((cache: SchedulerCache) => Framework);
  clock: Clock;
  logger: Logger;
  metrics: SchedulerMetrics;
  percentageOfNodesToScore?: number;
  /** Binds allowed in flight at once; the loop pauses when reached. */
  maxInFlightBinds?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  unschedulableFlushMs?: number;
  random?: () => number;
  /** How long the loop may run before letting I/O (bind answers, watch events) through. */
  sliceMs?: number;
}

export class SchedulerCore {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  private readonly api: SchedulerApi;
  private readonly framework: Framework;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly metrics: SchedulerMetrics;
  private readonly podScheduler: PodScheduler;
  private readonly maxInFlight: number;
  private readonly sliceMs: number;
  private inFlight = 0;
  private bindSlotFreed: (() => void) | undefined;
  private idle: Array<() => void> = [];

  constructor(options: SchedulerCoreOptions) {
    this.api = options.api;
    this.cache = new SchedulerCache();
    this.framework =
      typeof options.framework === 'function' ? options.framework(this.cache) : options.framework;
    this.clock = options.clock;
    this.log = options.logger;
    this.metrics = options.metrics;
    this.maxInFlight = options.maxInFlightBinds ?? 512;
    this.sliceMs = options.sliceMs ?? 10;
    this.queue = new SchedulingQueue({
      clock: options.clock,
      initialBackoffMs: options.initialBackoffMs,
      maxBackoffMs: options.maxBackoffMs,
      unschedulableFlushMs: options.unschedulableFlushMs,
      pluginEvents: this.framework.pluginEvents(),
      onIncoming: (queue, event) => this.metrics.incomingPod(queue, event),
    });
    this.podScheduler = new PodScheduler({
      cache: this.cache,
      framework: this.framework,
      percentageOfNodesToScore: options.percentageOfNodesToScore,
      random: options.random,
      observePhase: (point, s, status) => this.metrics.extensionPoint(point, s, status),
    });
  }

  get bindsInFlight(): number {
    return this.inFlight;
  }

  // ---------------------------------------------------------------- informer events

  /** A pod was added or changed (the informer's new version). */
  onPod(pod: Pod): void {
    const key = podKey(pod);
    if (pod.spec.nodeName) {
      this.queue.delete(key); // bound, by us or by someone else
      const freed = this.cache.setBoundPod(pod);
      if (freed) this.clusterEvent({ kind: 'PodDelete', node: freed });
      return;
    }
    // Our bind is in flight: the pending version is old news.
    if (this.cache.isAssumed(key)) return;
    if (this.responsibleFor(pod)) this.queue.add(newPodInfo(pod));
    else this.queue.delete(key);
  }

  onPodDelete(pod: Pod): void {
    const key = podKey(pod);
    this.queue.delete(key);
    const freed = this.cache.removePod(key);
    if (freed) this.clusterEvent({ kind: 'PodDelete', node: freed });
  }

  onNode(node: Node): void {
    const { info, changes } = this.cache.setNode(node);
    for (const kind of changes) this.clusterEvent({ kind, node: info });
  }

  onNodeDelete(node: Node): void {
    this.cache.removeNode(node.metadata.name ?? '');
  }

  private responsibleFor(pod: Pod): boolean {
    return (
      (pod.spec.schedulerName ?? 'default-scheduler') === this.framework.schedulerName &&
      !pod.metadata.deletionTimestamp &&
      !isTerminal(pod)
    );
  }

  private clusterEvent(event: ClusterEvent): void {
    const moved = this.queue.onClusterEvent(event, (qp, e) => this.mayFit(qp, e));
    if (moved) this.log.debug({ event: event.kind, node: event.node?.name, moved }, 'pods moved to active');
  }

  /** Would the pod pass its filters on the event's node now? (Kubernetes' queueing hints.) */
  private mayFit(qp: QueuedPodInfo, event: ClusterEvent): boolean {
    const node = event.node;
    if (!node?.node) return true;
    const state = new CycleState();
    const pre = this.framework.runPreFilter(state, qp.info);
    if (!pre.status.isSuccess()) return false;
    return this.framework.runFilters(state, qp.info, node, pre.filters).isSuccess();
  }

  // ---------------------------------------------------------------- the loop

  /** Schedules until the signal aborts. Call after the informers have synced. */
  async run(signal: AbortSignal): Promise<void> {
    const onAbort = () => this.queue.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        await this.queue.waitForPod();
        let sliceStart = performance.now();
        for (;;) {
          if (signal.aborted) return;
          if (this.inFlight >= this.maxInFlight) {
            await new Promise<void>((resolve) => (this.bindSlotFreed = resolve));
            sliceStart = performance.now();
          }
          const qp = this.queue.pop();
          if (!qp) break;
          this.scheduleOne(qp);
          if (performance.now() - sliceStart >= this.sliceMs) {
            await yieldToIo();
            sliceStart = performance.now();
          }
        }
        this.notifyIdle();
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Resolves once activeQ is empty and no bind is in flight (for tests and benchmarks). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.queue.lengths().active === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle() || this.idle.length === 0) return;
    const waiting = this.idle;
    this.idle = [];
    for (const w of waiting) w();
  }

  /** One scheduling cycle: decide, assume, start the bind. */
  scheduleOne(qp: QueuedPodInfo): void {
    const start = performance.now();
    const info = qp.info;
    const result = this.podScheduler.schedule(info);
    if (result.kind === 'unschedulable') {
      this.metrics.attempt('unschedulable', (performance.now() - start) / 1000);
      const message = fitErrorMessage(result.diagnosis);
      this.log.debug({ pod: info.key, message }, 'unschedulable');
      this.reportFailure(info.pod, 'Unschedulable', message);
      this.queue.addUnschedulable(qp, result.diagnosis.unschedulablePlugins);
      return;
    }
    const nodeName = result.node.name;
    this.cache.assumePod(info, nodeName);
    this.inFlight++;
    this.bind(qp, nodeName, start).finally(() => {
      this.inFlight--;
      const freed = this.bindSlotFreed;
      this.bindSlotFreed = undefined;
      freed?.();
      this.notifyIdle();
    });
  }

  private async bind(qp: QueuedPodInfo, nodeName: string, start: number): Promise<void> {
    const info = qp.info;
    const t = performance.now();
    try {
      await this.api.bind(info.pod, nodeName);
    } catch (err) {
      this.metrics.extensionPoint('Bind', (performance.now() - t) / 1000, 'Error');
      this.bindFailed(qp, nodeName, err, start);
      return;
    }
    const done = performance.now();
    this.metrics.extensionPoint('Bind', (done - t) / 1000, 'Success');
    this.metrics.attempt('scheduled', (done - start) / 1000);
    this.metrics.podScheduled((this.clock.now() - qp.firstSeen) / 1000, qp.attempts);
    const { namespace, name } = info.pod.metadata;
    this.api.event(
      info.pod,
      'Normal',
      'Scheduled',
      `Successfully assigned ${namespace}/${name} to ${nodeName}`,
    );
  }

  private bindFailed(qp: QueuedPodInfo, nodeName: string, err: unknown, start: number): void {
    const info = qp.info;
    this.cache.forgetPod(info.key);
    const freed = this.cache.getNode(nodeName);
    // The forgotten assumption frees room other pods may have been refused for.
    if (freed) this.clusterEvent({ kind: 'PodDelete', node: freed });
    if (isApiError(err, 'NotFound')) return; // deleted meanwhile
    if (isApiError(err, 'Conflict')) {
      // Already bound (by us earlier, or by another scheduler): the informer brings the truth.
      this.log.info({ pod: info.key, err: (err as Error).message }, 'bind conflict');
      return;
    }
    this.metrics.attempt('error', (performance.now() - start) / 1000);
    const message = `Binding rejected: ${err instanceof Error ? err.message : String(err)}`;
    this.log.warn({ pod: info.key, node: nodeName, err: message }, 'bind failed');
    this.reportFailure(info.pod, 'SchedulerError', message);
    this.queue.addBackoff(qp);
  }

  /** FailedScheduling event and, when it differs, the PodScheduled=False condition. */
  private reportFailure(pod: Pod, reason: string, message: string): void {
    this.api.event(pod, 'Warning', 'FailedScheduling', message);
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (current && current.status === 'False' && current.reason === reason && current.message === message)
      return;
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      // The transition happened when the status last changed, not at every retry.
      lastTransitionTime:
        current?.status === 'False' && current.lastTransitionTime
          ? current.lastTransitionTime
          : rfc3339(this.clock.now()),
      reason,
      message,
    };
    this.api.updatePodCondition(pod, condition).catch((err: unknown) => {
      if (!isApiError(err, 'NotFound'))
        this.log.warn({ pod: podKey(pod), err: String(err) }, 'status update failed');
    });
  }
}
