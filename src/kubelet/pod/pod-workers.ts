// Kubernetes' pod workers: one serialized worker per pod uid. A trigger while the pod syncs marks it
// dirty and it syncs once more afterwards (bursts fold into one sync); different pods sync in
// parallel up to a limit. A sync may ask to run again later (a back-off ending), failures retry
// with back-off, and a pod that finished terminating is forgotten, its uid remembered so that a late
// watch event cannot bring it back.
import type { Pod } from '../../api/types.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/log.js';
import { IdleSignal } from '../idle.js';
import { newPodWork, type PodWork, type SyncResult } from './sync-pod.js';

export interface PodWorkersOptions {
  clock: Clock;
  logger: Logger;
  /** Pods syncing at once. */
  maxConcurrent: number;
  sync(work: PodWork): Promise<SyncResult>;
  /** True when the runtime is known to hold nothing of this pod (its first sync skips the read). */
  isFresh?(uid: string): boolean;
  /** Each sync's duration by kind (create, sync, kill), for kubelet_pod_worker_duration_seconds. */
  observe?(operation: 'create' | 'sync' | 'kill', seconds: number): void;
}

interface Slot {
  work: PodWork;
  running: boolean;
  queued: boolean;
  dirty: boolean;
  timer?: TimerHandle;
  timerAt?: number;
  failures: number;
}

/** Failed syncs retry after 1 s doubling to 1 min. */
const errorBackoff = { initialMs: 1000, maxMs: 60_000 };

export class PodWorkers {
  private readonly slots = new Map<string, Slot>();
  /** Uids that finished terminating, until the API confirms they are gone. */
  private readonly finished = new Set<string>();
  private readonly ready: Slot[] = [];
  private active = 0;
  private closed = false;
  private readonly idleSignal = new IdleSignal();

  constructor(private readonly o: PodWorkersOptions) {}

  /** A pod bound here was added or changed in the API. */
  update(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    if (this.finished.has(uid)) return;
    let slot = this.slots.get(uid);
    if (!slot) {
      slot = { work: newPodWork(pod), running: false, queued: false, dirty: false, failures: 0 };
      slot.work.assumeEmpty = this.o.isFresh?.(uid) ?? false;
      this.slots.set(uid, slot);
    }
    slot.work.pod = pod;
    if (pod.metadata.deletionTimestamp) slot.work.terminating = true;
    this.trigger(uid);
  }

  /** The pod left the API (deleted, or no longer bound here). */
  delete(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    this.finished.delete(uid);
    const slot = this.slots.get(uid);
    if (!slot) return;
    slot.work.terminating = true;
    slot.work.goneFromApi = true;
    this.trigger(uid);
  }

  /** Containers of a pod the API does not know: stop them within `gracePeriodMs` and remove them. */
  adoptOrphan(pod: Pod, gracePeriodMs: number): void {
    const uid = pod.metadata.uid ?? '';
    if (this.slots.has(uid)) return;
    const work = newPodWork(pod);
    work.terminating = true;
    work.goneFromApi = true;
    work.gracePeriodMs = gracePeriodMs;
    this.slots.set(uid, { work, running: false, queued: false, dirty: false, failures: 0 });
    this.trigger(uid);
  }

  /** Something about the pod changed (runtime event, probe result): sync it. */
  trigger(uid: string): void {
    const slot = this.slots.get(uid);
    if (!slot || this.closed) return;
    if (slot.running) {
      slot.dirty = true;
      return;
    }
    if (slot.queued) return;
    slot.queued = true;
    this.ready.push(slot);
    this.pump();
  }

  has(uid: string): boolean {
    return this.slots.has(uid);
  }

  get(uid: string): PodWork | undefined {
    return this.slots.get(uid)?.work;
  }

  *works(): IterableIterator<PodWork> {
    for (const slot of this.slots.values()) yield slot.work;
  }

  get size(): number {
    return this.slots.size;
  }

  /** Resolves when no pod is syncing or waiting to (timers for later retries do not count). */
  idle(): Promise<void> {
    return this.idleSignal.wait(this.active === 0 && this.ready.length === 0);
  }

  /** Stops taking work; syncs in flight finish. */
  close(): void {
    this.closed = true;
    for (const slot of this.slots.values()) slot.timer?.cancel();
    this.ready.length = 0;
  }

  private pump(): void {
    while (!this.closed && this.active < this.o.maxConcurrent && this.ready.length > 0) {
      const slot = this.ready.shift()!;
      slot.queued = false;
      if (this.slots.get(slot.work.uid) !== slot) continue;
      this.active++;
      void this.run(slot).finally(() => {
        this.active--;
        this.pump();
      });
    }
    this.idleSignal.notify(this.active === 0 && this.ready.length === 0);
  }

  private async run(slot: Slot): Promise<void> {
    slot.running = true;
    let result: SyncResult = {};
    try {
      do {
        slot.dirty = false;
        const work = slot.work;
        const operation = work.terminating ? 'kill' : work.syncs === 0 ? 'create' : 'sync';
        const began = performance.now();
        try {
          result = await this.o.sync(work);
          slot.failures = 0;
        } catch (err) {
          slot.failures++;
          const delay = Math.min(errorBackoff.maxMs, errorBackoff.initialMs * 2 ** (slot.failures - 1));
          this.o.logger.warn(
            { err, pod: work.pod.metadata.name, namespace: work.pod.metadata.namespace, retryInMs: delay },
            'pod sync failed',
          );
          result = { retryAfterMs: delay };
        }
        this.o.observe?.(operation, (performance.now() - began) / 1000);
        if (result.done) break;
      } while (slot.dirty && !this.closed);
    } finally {
      slot.running = false;
    }
    if (result.done) {
      slot.timer?.cancel();
      this.slots.delete(slot.work.uid);
      if (!slot.work.goneFromApi) this.finished.add(slot.work.uid);
      return;
    }
    if (result.retryAfterMs !== undefined) this.retryAfter(slot, result.retryAfterMs);
  }

  /** Keeps the earliest of the retries asked for. */
  private retryAfter(slot: Slot, ms: number): void {
    const at = this.o.clock.now() + ms;
    if (slot.timer && slot.timerAt !== undefined && slot.timerAt <= at) return;
    slot.timer?.cancel();
    slot.timerAt = at;
    slot.timer = this.o.clock.setTimeout(() => {
      slot.timer = undefined;
      slot.timerAt = undefined;
      this.trigger(slot.work.uid);
    }, ms);
  }
}
