// Events expire: each is deleted `ttlMs` after its last write (Kubernetes gives each event an etcd
// lease with that TTL). One timer per event, re-armed on every change and cancelled on deletion: no
// periodic scan. After a restart, an event's last write time is taken from its timestamps.
import type { KubeObject } from '../../api/types.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/log.js';
import type { CachedObject } from '../watchcache/cached-object.js';
import type { ObjectStore } from './object-store.js';

export class EventExpiry {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly logger: Logger,
  ) {}

  get scheduled(): number {
    return this.timers.size;
  }

  /** Arms timers for the events present at start, from their own timestamps. */
  restore(objects: Iterable<CachedObject>): void {
    for (const object of objects) {
      const written = lastWriteMs(object.object) ?? this.clock.now();
      this.arm(object, Math.max(0, written + this.ttlMs - this.clock.now()));
    }
  }

  /** A change seen by the watch cache: written now (ADDED/MODIFIED) or gone (DELETED). */
  observe(object: CachedObject, type: 'ADDED' | 'MODIFIED' | 'DELETED'): void {
    if (type === 'DELETED') {
      this.timers.get(object.key)?.cancel();
      this.timers.delete(object.key);
      return;
    }
    this.arm(object, this.ttlMs);
  }

  stop(): void {
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }

  private arm(object: CachedObject, delayMs: number): void {
    this.timers.get(object.key)?.cancel();
    const rv = object.object.metadata.resourceVersion ?? '';
    const timer = this.clock.setTimeout(() => {
      if (this.timers.get(object.key) === timer) this.timers.delete(object.key);
      // Compare-and-swap on the revision we armed for: a newer write re-armed its own timer.
      this.store.deleteAt(object.namespace, object.name, rv).catch((e: unknown) => {
        this.logger.warn({ key: object.key, err: e }, 'could not delete an expired event');
      });
    }, delayMs);
    this.timers.set(object.key, timer);
  }
}

function lastWriteMs(event: KubeObject): number | undefined {
  let latest: number | undefined;
  for (const field of ['lastTimestamp', 'eventTime', 'firstTimestamp']) {
    const value = event[field];
    const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isFinite(ms) && (latest === undefined || ms > latest)) latest = ms;
  }
  const created = Date.parse(event.metadata.creationTimestamp ?? '');
  if (Number.isFinite(created) && (latest === undefined || created > latest)) latest = created;
  return latest;
}
