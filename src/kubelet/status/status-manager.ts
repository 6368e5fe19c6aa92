// Writes pod statuses to the apiserver (pods/{name}/status) only when they differ from what the
// server has, one write per pod at a time: a burst of changes while a write is in flight folds into
// one follow-up write of the newest status. Writes are JSON merge patches carrying the
// resourceVersion last seen as a precondition, so a recreated pod of the same name (another uid) is
// never overwritten; a Conflict re-reads the pod and retries, other failures retry with back-off.
import { isDeepStrictEqual } from 'node:util';
import type { Pod, PodStatus } from '../../api/types.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/log.js';
import { IdleSignal } from '../idle.js';

/** The API calls the status manager needs (a KubeClient in production, a fake in unit tests). */
export interface StatusApi {
  /** Merge-patches `.status`, with `resourceVersion` as a precondition; resolves with the stored pod. */
  patchStatus(pod: Pod, patch: Record<string, unknown>, resourceVersion: string): Promise<Pod>;
  getPod(namespace: string, name: string): Promise<Pod | undefined>;
}

export interface StatusManagerOptions {
  api: StatusApi;
  clock: Clock;
  logger: Logger;
  /** Writes in flight at once across pods. Default 16. */
  maxInFlight?: number;
  /** First retry delay after a failed write, doubling to 30 s. Default 500. */
  retryDelayMs?: number;
  /** Called with the outcome of each write attempt ('ok' | 'conflict' | 'error'). */
  onWrite?: (result: 'ok' | 'conflict' | 'error') => void;
}

/** The status fields the kubelet owns and writes. */
const ownedFields = [
  'phase',
  'conditions',
  'message',
  'reason',
  'hostIP',
  'hostIPs',
  'podIP',
  'podIPs',
  'startTime',
  'initContainerStatuses',
  'containerStatuses',
] as const;

/** Drops null and undefined values (the server drops them from merge patches), recursively. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    out[k] = normalize(v);
  }
  return out;
}

/** Equal in every field the kubelet owns. */
export function sameStatus(a: PodStatus | undefined, b: PodStatus | undefined): boolean {
  for (const field of ownedFields) {
    if (!isDeepStrictEqual(normalize(a?.[field]), normalize(b?.[field]))) return false;
  }
  return true;
}

/** The merge patch turning `server` into `desired` in the owned fields (null removes a field). */
export function statusPatch(desired: PodStatus, server: PodStatus | undefined): Record<string, unknown> {
  const status: Record<string, unknown> = {};
  for (const field of ownedFields) {
    const want = desired[field];
    if (want !== undefined) status[field] = want;
    else if (server?.[field] !== undefined) status[field] = null;
  }
  return status;
}

interface Entry {
  uid: string;
  /** The newest copy of the pod known to be on the server (informer or our own write's answer). */
  server: Pod;
  desired?: PodStatus;
  writing: boolean;
  queued: boolean;
  retryTimer?: TimerHandle;
  failures: number;
}

function newer(a: Pod, b: Pod): boolean {
  return Number(a.metadata.resourceVersion ?? 0) >= Number(b.metadata.resourceVersion ?? 0);
}

export class StatusManager {
  private readonly entries = new Map<string, Entry>();
  private readonly pending: Entry[] = [];
  private inFlight = 0;
  private readonly idleSignal = new IdleSignal();
  private readonly maxInFlight: number;
  private readonly retryDelayMs: number;

  constructor(private readonly options: StatusManagerOptions) {
    this.maxInFlight = options.maxInFlight ?? 16;
    this.retryDelayMs = options.retryDelayMs ?? 500;
  }

  /** The pod as the server has it now (informer add/update); only pods the kubelet set a status for. */
  observe(pod: Pod): void {
    const entry = this.entries.get(pod.metadata.uid ?? '');
    if (!entry) return;
    if (newer(pod, entry.server)) entry.server = pod;
    if (entry.desired && !entry.writing && !sameStatus(entry.desired, entry.server.status))
      this.schedule(entry);
  }

  /** The status the kubelet wants for `pod`; written unless the server already has it. */
  set(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata.uid ?? '';
    let entry = this.entries.get(uid);
    if (!entry) {
      entry = { uid, server: pod, writing: false, queued: false, failures: 0 };
      this.entries.set(uid, entry);
    } else if (newer(pod, entry.server)) entry.server = pod;
    entry.desired = status;
    if (!sameStatus(status, entry.server.status)) this.schedule(entry);
  }

  /** The newest status for the pod: what the kubelet wants, else what the server has. */
  status(uid: string): PodStatus | undefined {
    const entry = this.entries.get(uid);
    return entry?.desired ?? entry?.server.status;
  }

  forget(uid: string): void {
    const entry = this.entries.get(uid);
    if (!entry) return;
    entry.retryTimer?.cancel();
    entry.desired = undefined;
    this.entries.delete(uid);
  }

  /** Resolves once no write is queued or in flight (retries waiting on a timer do not count). */
  flush(): Promise<void> {
    return this.idleSignal.wait(this.inFlight === 0 && this.pending.length === 0);
  }

  get size(): number {
    return this.entries.size;
  }

  private schedule(entry: Entry): void {
    if (entry.writing || entry.queued || entry.retryTimer) return;
    entry.queued = true;
    this.pending.push(entry);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.pending.length > 0) {
      const entry = this.pending.shift()!;
      entry.queued = false;
      if (this.entries.get(entry.uid) !== entry) continue;
      this.inFlight++;
      entry.writing = true;
      void this.write(entry).finally(() => {
        entry.writing = false;
        this.inFlight--;
        this.pump();
      });
    }
    this.idleSignal.notify(this.inFlight === 0 && this.pending.length === 0);
  }

  private async write(entry: Entry): Promise<void> {
    const { api, logger } = this.options;
    for (let attempt = 0; attempt < 5; attempt++) {
      const desired = entry.desired;
      if (!desired || this.entries.get(entry.uid) !== entry) return;
      if (sameStatus(desired, entry.server.status)) {
        entry.failures = 0;
        return;
      }
      const server = entry.server;
      try {
        const stored = await api.patchStatus(
          server,
          statusPatch(desired, server.status),
          server.metadata.resourceVersion ?? '',
        );
        this.options.onWrite?.('ok');
        if (newer(stored, entry.server)) entry.server = stored;
        entry.failures = 0;
        if (entry.desired === desired) return;
      } catch (err) {
        if (isNotFound(err)) {
          this.forget(entry.uid);
          return;
        }
        if (isConflict(err)) {
          this.options.onWrite?.('conflict');
          const fresh = await api
            .getPod(server.metadata.namespace ?? '', server.metadata.name ?? '')
            .catch(() => undefined);
          if (!fresh || fresh.metadata.uid !== entry.uid) {
            this.forget(entry.uid);
            return;
          }
          entry.server = fresh;
          continue;
        }
        this.options.onWrite?.('error');
        logger.warn(
          { err, pod: server.metadata.name, namespace: server.metadata.namespace },
          'status write failed',
        );
        this.retryLater(entry);
        return;
      }
    }
    this.retryLater(entry);
  }

  private retryLater(entry: Entry): void {
    entry.failures++;
    const delay = Math.min(30_000, this.retryDelayMs * 2 ** (entry.failures - 1));
    entry.retryTimer = this.options.clock.setTimeout(() => {
      entry.retryTimer = undefined;
      if (this.entries.get(entry.uid) === entry && entry.desired) this.schedule(entry);
    }, delay);
  }
}
