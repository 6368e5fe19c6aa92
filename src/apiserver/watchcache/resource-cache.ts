// The watch cache of one resource: the current objects (indexed by namespace, and pods by node), a
// window of recent events, and the watchers. Applying a storage event updates the objects, records
// the event and dispatches it — all synchronously, so a watcher registered between two events sees
// a consistent cut: its initial state or replay, then every later event, nothing twice.
import type { ResourceInfo } from '../../api/resources.js';
import type { ApiServerMetrics } from '../metrics.js';
import { decodeWithBytes } from '../registry/codec.js';
import type { StorageEvent } from '../storage/types.js';
import { CachedObject } from './cached-object.js';
import { CacheEvent, type ChangeType, eventBytes, type WireEvent } from './event.js';
import { matchesFilter, type ObjectFilter } from './filter.js';
import { EventRing } from './ring.js';
import type { CloseReason, Watcher, WriteBatch } from './watcher.js';
import { WatcherIndex } from './watcher-index.js';

/** Secondary indexes for lists: pods by node (kubelets list `spec.nodeName=X`). */
const listFieldIndexes: Record<string, string> = { pods: 'spec.nodeName' };

export interface ResourceCacheDeps {
  capacity: number;
  metrics: ApiServerMetrics;
  now(): number;
  onDecodeError(key: string, error: unknown): void;
}

export class ResourceCache {
  readonly objects = new Map<string, CachedObject>();
  readonly watchers: WatcherIndex;
  readonly ring: EventRing;
  private readonly byNamespace = new Map<string, Map<string, CachedObject>>();
  private readonly byField = new Map<string, Map<string, CachedObject>>();
  private readonly indexedField: string | undefined;

  constructor(
    readonly resource: ResourceInfo,
    private readonly deps: ResourceCacheDeps,
    startRevision: number,
  ) {
    this.watchers = new WatcherIndex(resource.name);
    this.ring = new EventRing(deps.capacity, startRevision);
    this.indexedField = listFieldIndexes[resource.name];
    deps.metrics.watchCacheCapacity.set({ resource: resource.name }, deps.capacity);
  }

  /** Fills the cache from a list at `revision`, dropping whatever it held (and its watchers). */
  replace(
    items: ReadonlyArray<{ key: string; value: Uint8Array; modRevision: number }>,
    revision: number,
  ): void {
    this.closeWatchers('reset');
    this.objects.clear();
    this.byNamespace.clear();
    this.byField.clear();
    for (const kv of items) {
      const object = this.decode(kv.key, kv.value, kv.modRevision);
      if (object) this.store(object);
    }
    this.ring.reset(revision);
    this.deps.metrics.storageObjects.set({ resource: this.resource.name }, this.objects.size);
  }

  /** Applies one storage event; returns the cache event (undefined if the value could not be read). */
  apply(event: StorageEvent): CacheEvent | undefined {
    const prev = this.objects.get(event.key);
    let change: CacheEvent;
    if (event.type === 'put') {
      const object = this.decode(event.key, event.value, event.revision);
      if (!object) return undefined;
      if (prev) this.unstore(prev);
      this.store(object);
      change = new CacheEvent(prev ? 'MODIFIED' : 'ADDED', object, prev, event.revision);
    } else {
      if (prev) this.unstore(prev);
      const removed = prev
        ? prev.withRevision(event.revision)
        : this.decode(event.key, event.value, event.revision);
      if (!removed) return undefined;
      change = new CacheEvent('DELETED', removed, prev, event.revision);
    }
    this.ring.push(change);
    this.deps.metrics.watchCacheEvents.inc({ resource: this.resource.name });
    this.deps.metrics.storageObjects.set({ resource: this.resource.name }, this.objects.size);
    return change;
  }

  /**
   * Sends an event to every watcher it concerns, serializing it once per (type, format). Within a
   * `batch` (several store events at once) each watcher's writes are gathered into one. `revision`
   * is the cache's revision when the event was applied: the watcher has everything up to it.
   */
  dispatch(event: CacheEvent, revision: number, batch?: WriteBatch): void {
    if (this.watchers.size === 0) return;
    const now = this.deps.now();
    const resource = this.resource.name;
    const onSerialize = (format: string) =>
      this.deps.metrics.watchCacheSerializations.inc({ resource, format });
    let sent = 0;
    this.watchers.forCandidates(event.object, event.prev, (watcher) => {
      // Registered after the change was applied: its initial events or replay had it already.
      if (watcher.revision >= event.revision) return;
      const type = watcher.typeFor(event);
      if (
        type !== undefined &&
        watcher.write(event.bytes(type, watcher.init.format, onSerialize), now, batch)
      ) {
        sent++;
      }
      watcher.revision = revision;
    });
    if (sent > 0) this.deps.metrics.watchEvents.inc({ resource }, sent);
  }

  /** Objects matching a filter, in key order (as etcd lists them). Uses the namespace or node index. */
  list(filter: ObjectFilter): CachedObject[] {
    let source: Iterable<CachedObject> = this.objects.values();
    const fieldValue = this.indexedField ? filter.fieldSelector.requiredValue(this.indexedField) : undefined;
    if (fieldValue !== undefined) source = this.byField.get(fieldValue)?.values() ?? [];
    else if (filter.namespace !== '') source = this.byNamespace.get(filter.namespace)?.values() ?? [];
    const out: CachedObject[] = [];
    for (const object of source) if (matchesFilter(filter, object)) out.push(object);
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  countInNamespace(namespace: string): number {
    return this.byNamespace.get(namespace)?.size ?? 0;
  }

  /**
   * Registers a watcher. `from` undefined: synthetic ADDED events for the current matching objects;
   * a revision: the retained events after it. Returns false (registering nothing) when that
   * revision is older than the window.
   */
  addWatcher(watcher: Watcher, from: number | undefined, revision: number): boolean {
    const format = watcher.init.format;
    const chunks: WireEvent[] = [];
    if (from === undefined) {
      for (const object of this.list(watcher.filter)) chunks.push(eventBytes('ADDED', format.encode(object)));
    } else {
      const events = this.ring.since(from);
      if (events === undefined) return false;
      for (const event of events) {
        const type: ChangeType | undefined = watcher.typeFor(event);
        if (type !== undefined) chunks.push(event.bytes(type, format));
      }
    }
    watcher.writeBurst(chunks, this.deps.now());
    watcher.revision = revision;
    this.watchers.add(watcher);
    this.deps.metrics.registeredWatchers.inc({ resource: this.resource.name });
    watcher.onClose((reason) => {
      this.watchers.remove(watcher);
      this.deps.metrics.registeredWatchers.dec({ resource: this.resource.name });
      if (reason === 'slow')
        this.deps.metrics.watchCacheTerminatedWatchers.inc({ resource: this.resource.name });
    });
    if (chunks.length > 0) this.deps.metrics.watchEvents.inc({ resource: this.resource.name }, chunks.length);
    return true;
  }

  closeWatchers(reason: CloseReason): void {
    for (const watcher of [...this.watchers.all()]) watcher.close(reason);
  }

  private decode(key: string, value: Uint8Array, revision: number): CachedObject | undefined {
    try {
      const { object, bytes } = decodeWithBytes(value, revision);
      return new CachedObject(this.resource.name, key, object, bytes, revision);
    } catch (e) {
      this.deps.onDecodeError(key, e);
      return undefined;
    }
  }

  private store(object: CachedObject): void {
    this.objects.set(object.key, object);
    addTo(this.byNamespace, object.namespace, object);
    if (this.indexedField) addTo(this.byField, object.fields[this.indexedField] ?? '', object);
  }

  private unstore(object: CachedObject): void {
    this.objects.delete(object.key);
    removeFrom(this.byNamespace, object.namespace, object.key);
    if (this.indexedField) removeFrom(this.byField, object.fields[this.indexedField] ?? '', object.key);
  }
}

function addTo(index: Map<string, Map<string, CachedObject>>, value: string, object: CachedObject): void {
  let bucket = index.get(value);
  if (!bucket) index.set(value, (bucket = new Map()));
  bucket.set(object.key, object);
}

function removeFrom(index: Map<string, Map<string, CachedObject>>, value: string, key: string): void {
  const bucket = index.get(value);
  if (!bucket) return;
  bucket.delete(key);
  if (bucket.size === 0) index.delete(value);
}
