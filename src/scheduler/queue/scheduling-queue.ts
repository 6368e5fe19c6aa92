// The scheduling queue, in the shape of Kubernetes' PriorityQueue:
// - activeQ: pods to try now, highest priority first, then oldest first;
// - backoffQ: pods that failed, waiting out a per-pod exponential backoff (1 s doubling to 10 s);
// - unschedulable: pods no node could take. They leave only when a cluster event that could make
//   them fit happens (the plugins that rejected them registered for it, and the event's node passes
//   the pod's filters), or after a long safety flush (5 minutes by default). Never on a short timer.
// Timers come from the injected Clock, one per queue, armed for the earliest due pod.
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { ClusterEvent, ClusterEventKind } from '../framework/interface.js';
import type { PodInfo } from '../framework/pod-info.js';
import { Heap, type HeapItem } from './heap.js';

export interface QueuedPodInfo extends HeapItem {
  info: PodInfo;
  /** When it last entered a queue (orders activeQ; starts backoff and the unschedulable flush). */
  timestamp: number;
  /** When it was first added, for the end-to-end scheduling latency. */
  readonly firstSeen: number;
  /** Scheduling attempts so far (pops). */
  attempts: number;
  /** Plugins that rejected it in its last attempt; empty after an error. */
  unschedulablePlugins: ReadonlySet<string>;
}

export type QueueName = 'active' | 'backoff' | 'unschedulable';

export interface SchedulingQueueOptions {
  clock: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods older than this are retried anyway (Kubernetes: 5 minutes). 0 disables. */
  unschedulableFlushMs?: number;
  /** Which filter plugin registered which events (from the framework). */
  pluginEvents: ReadonlyMap<string, readonly ClusterEventKind[]>;
  /** Called for every pod entering a queue, with why (Kubernetes' incoming-pods event labels). */
  onIncoming?: (queue: QueueName, event: string) => void;
}

/** May this cluster event let this pod fit? Called only for pods whose rejecting plugins care. */
export type FitHint = (pod: QueuedPodInfo, event: ClusterEvent) => boolean;

export class SchedulingQueue {
  private readonly clock: Clock;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly flushMs: number;
  private readonly pluginEvents: ReadonlyMap<string, readonly ClusterEventKind[]>;
  private readonly onIncoming: (queue: QueueName, event: string) => void;

  private readonly active = new Heap<QueuedPodInfo>(
    (a, b) =>
      a.info.priority > b.info.priority || (a.info.priority === b.info.priority && a.timestamp < b.timestamp),
  );
  private readonly backoff = new Heap<QueuedPodInfo>((a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  /** Insertion order is timestamp order: re-entries delete and re-insert. */
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly where = new Map<string, QueueName>();
  private readonly byKey = new Map<string, QueuedPodInfo>();

  private backoffTimer: TimerHandle | undefined;
  private backoffTimerAt = Number.POSITIVE_INFINITY;
  private flushTimer: TimerHandle | undefined;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(options: SchedulingQueueOptions) {
    this.clock = options.clock;
    this.initialBackoffMs = options.initialBackoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.flushMs = options.unschedulableFlushMs ?? 5 * 60_000;
    this.pluginEvents = options.pluginEvents;
    this.onIncoming = options.onIncoming ?? (() => {});
  }

  lengths(): Record<QueueName, number> {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  /** Which queue holds the pod, if any (a popped pod is in none until it comes back). */
  queueOf(key: string): QueueName | undefined {
    return this.where.get(key);
  }

  /** A new pending pod, or one seen again: goes to activeQ unless already queued. */
  add(info: PodInfo): void {
    if (this.where.has(info.key)) {
      this.update(info);
      return;
    }
    const now = this.clock.now();
    const qp: QueuedPodInfo = {
      info,
      timestamp: now,
      firstSeen: now,
      attempts: 0,
      unschedulablePlugins: new Set(),
      heapIndex: -1,
    };
    this.pushActive(qp);
    this.onIncoming('active', 'PodAdd');
  }

  /**
   * The pending pod changed. In active or backoff the new version replaces the old in place; an
   * unschedulable pod whose spec or labels changed is tried again (its change may be the fix),
   * while a status-only change (our own PodScheduled condition) leaves it where it is.
   */
  update(info: PodInfo): void {
    const qp = this.byKey.get(info.key);
    if (!qp) return;
    const old = qp.info;
    qp.info = info;
    const q = this.where.get(info.key);
    if (q === 'active') this.active.fix(qp.heapIndex);
    else if (q === 'unschedulable' && specChanged(old, info)) {
      this.unschedulable.delete(info.key);
      this.onIncoming(this.requeue(qp), 'PodUpdate');
    }
  }

  delete(key: string): void {
    const qp = this.byKey.get(key);
    if (!qp) return;
    const q = this.where.get(key);
    if (q === 'active') this.active.remove(qp);
    else if (q === 'backoff') this.backoff.remove(qp);
    else this.unschedulable.delete(key);
    this.where.delete(key);
    this.byKey.delete(key);
  }

  /** The next pod to schedule, or undefined when activeQ is empty. */
  pop(): QueuedPodInfo | undefined {
    const qp = this.active.pop();
    if (!qp) return undefined;
    this.where.delete(qp.info.key);
    this.byKey.delete(qp.info.key);
    qp.attempts++;
    return qp;
  }

  /** Resolves when activeQ has a pod (or the queue is closed). */
  waitForPod(): Promise<void> {
    if (this.active.size > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** A popped pod no node could take: waits for a relevant cluster event. */
  addUnschedulable(qp: QueuedPodInfo, plugins: ReadonlySet<string>): void {
    if (this.byKey.has(qp.info.key)) return;
    qp.unschedulablePlugins = plugins;
    qp.timestamp = this.clock.now();
    this.byKey.set(qp.info.key, qp);
    this.where.set(qp.info.key, 'unschedulable');
    this.unschedulable.set(qp.info.key, qp);
    this.armFlush();
    this.onIncoming('unschedulable', 'ScheduleAttemptFailure');
  }

  /** A popped pod that failed for another reason (a bind error): retried after its backoff. */
  addBackoff(qp: QueuedPodInfo): void {
    if (this.byKey.has(qp.info.key)) return;
    qp.unschedulablePlugins = new Set();
    qp.timestamp = this.clock.now();
    this.onIncoming(this.requeue(qp), 'ScheduleAttemptFailure');
  }

  /** Moves the unschedulable pods this event may help to activeQ (or backoffQ if still backing off). */
  onClusterEvent(event: ClusterEvent, hint: FitHint): number {
    let moved = 0;
    for (const qp of this.unschedulable.values()) {
      if (!this.caresAbout(qp, event.kind) || !hint(qp, event)) continue;
      this.unschedulable.delete(qp.info.key);
      this.onIncoming(this.requeue(qp), incomingEvent[event.kind]);
      moved++;
    }
    return moved;
  }

  close(): void {
    this.closed = true;
    this.backoffTimer?.cancel();
    this.flushTimer?.cancel();
    this.wake();
  }

  backoffDurationMs(qp: QueuedPodInfo): number {
    if (qp.attempts <= 0) return 0;
    const d = this.initialBackoffMs * 2 ** Math.min(qp.attempts - 1, 30);
    return Math.min(d, this.maxBackoffMs);
  }

  private backoffExpiry(qp: QueuedPodInfo): number {
    return qp.timestamp + this.backoffDurationMs(qp);
  }

  private caresAbout(qp: QueuedPodInfo, kind: ClusterEventKind): boolean {
    // After an error (no rejecting plugin), any change may help.
    if (qp.unschedulablePlugins.size === 0) return true;
    for (const plugin of qp.unschedulablePlugins) {
      if (this.pluginEvents.get(plugin)?.includes(kind)) return true;
    }
    return false;
  }

  /** To activeQ, or to backoffQ while its backoff lasts; returns which. */
  private requeue(qp: QueuedPodInfo): QueueName {
    this.byKey.set(qp.info.key, qp);
    if (this.backoffExpiry(qp) > this.clock.now()) {
      this.where.set(qp.info.key, 'backoff');
      this.backoff.push(qp);
      this.armBackoff();
      return 'backoff';
    }
    this.pushActive(qp);
    return 'active';
  }

  private pushActive(qp: QueuedPodInfo): void {
    this.byKey.set(qp.info.key, qp);
    this.where.set(qp.info.key, 'active');
    this.active.push(qp);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private armBackoff(): void {
    const head = this.backoff.peek();
    if (!head) return;
    const at = this.backoffExpiry(head);
    if (at >= this.backoffTimerAt) return;
    this.backoffTimer?.cancel();
    this.backoffTimerAt = at;
    this.backoffTimer = this.clock.setTimeout(() => this.flushBackoff(), at - this.clock.now());
  }

  private flushBackoff(): void {
    this.backoffTimer = undefined;
    this.backoffTimerAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    for (
      let head = this.backoff.peek();
      head && this.backoffExpiry(head) <= now;
      head = this.backoff.peek()
    ) {
      this.backoff.pop();
      this.pushActive(head);
      this.onIncoming('active', 'BackoffComplete');
    }
    this.armBackoff();
  }

  private armFlush(): void {
    if (this.flushMs <= 0 || this.flushTimer || this.closed) return;
    const first = this.unschedulable.values().next().value as QueuedPodInfo | undefined;
    if (!first) return;
    const delay = Math.max(0, first.timestamp + this.flushMs - this.clock.now());
    this.flushTimer = this.clock.setTimeout(() => this.flushUnschedulable(), delay);
  }

  private flushUnschedulable(): void {
    this.flushTimer = undefined;
    const now = this.clock.now();
    for (const qp of this.unschedulable.values()) {
      if (qp.timestamp + this.flushMs > now) break;
      this.unschedulable.delete(qp.info.key);
      this.onIncoming(this.requeue(qp), 'UnschedulableTimeout');
    }
    this.armFlush();
  }
}

/** The event label Kubernetes uses for each cluster event in scheduler_queue_incoming_pods_total. */
const incomingEvent: Record<ClusterEventKind, string> = {
  NodeAdd: 'NodeAdd',
  NodeAllocatable: 'NodeAllocatableChange',
  NodeLabel: 'NodeLabelChange',
  NodeTaint: 'NodeTaintChange',
  NodeCondition: 'NodeConditionChange',
  NodeSpecUnschedulable: 'NodeSpecUnschedulableChange',
  PodDelete: 'AssignedPodDelete',
};

/** Did anything but status and bookkeeping change (what Kubernetes' isPodUpdated checks)? */
function specChanged(a: PodInfo, b: PodInfo): boolean {
  const pa = a.pod;
  const pb = b.pod;
  if (pa === pb) return false;
  return (
    JSON.stringify(pa.spec) !== JSON.stringify(pb.spec) ||
    JSON.stringify(pa.metadata.labels ?? {}) !== JSON.stringify(pb.metadata.labels ?? {}) ||
    JSON.stringify(pa.metadata.annotations ?? {}) !== JSON.stringify(pb.metadata.annotations ?? {})
  );
}
