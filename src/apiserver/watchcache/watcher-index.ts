// Watchers grouped by the one value that decides whether an event can concern them: the namespace
// they watch, or for pods the node they watch (`spec.nodeName=X`, every kubelet). Dispatching an
// event visits the unfiltered watchers plus the few buckets the object (old and new) falls in, so
// 5,000 kubelet watches cost nothing for a pod that is on none of their nodes.
import type { CachedObject } from './cached-object.js';
import type { ObjectFilter } from './filter.js';
import type { Watcher } from './watcher.js';

/** Resources whose watchers are indexed by a field value, and the field. */
const fieldIndexes: Record<string, string> = { pods: 'spec.nodeName' };

export function indexKeyOf(resource: string, filter: ObjectFilter): string {
  const field = fieldIndexes[resource];
  if (field !== undefined) {
    const value = filter.fieldSelector.requiredValue(field);
    if (value !== undefined) return `f\0${value}`;
  }
  return filter.namespace === '' ? '' : `n\0${filter.namespace}`;
}

export class WatcherIndex {
  private readonly unindexed = new Set<Watcher>();
  private readonly buckets = new Map<string, Set<Watcher>>();
  private readonly field: string | undefined;
  size = 0;

  constructor(resource: string) {
    this.field = fieldIndexes[resource];
  }

  add(watcher: Watcher): void {
    const key = watcher.init.indexKey;
    if (key === '') this.unindexed.add(watcher);
    else {
      let bucket = this.buckets.get(key);
      if (!bucket) this.buckets.set(key, (bucket = new Set()));
      bucket.add(watcher);
    }
    this.size++;
  }

  remove(watcher: Watcher): void {
    const key = watcher.init.indexKey;
    let removed: boolean;
    if (key === '') removed = this.unindexed.delete(watcher);
    else {
      const bucket = this.buckets.get(key);
      removed = bucket?.delete(watcher) ?? false;
      if (bucket && bucket.size === 0) this.buckets.delete(key);
    }
    if (removed) this.size--;
  }

  /** Every watcher, e.g. for bookmarks or shutdown. */
  *all(): Iterable<Watcher> {
    yield* this.unindexed;
    for (const bucket of this.buckets.values()) yield* bucket;
  }

  /** Calls `visit` once for each watcher an event about `object` (was `prev`) may concern. */
  forCandidates(object: CachedObject, prev: CachedObject | undefined, visit: (w: Watcher) => void): void {
    for (const w of this.unindexed) visit(w);
    if (this.buckets.size === 0) return;
    const keys = [`n\0${object.namespace}`];
    if (prev && prev.namespace !== object.namespace) keys.push(`n\0${prev.namespace}`);
    if (this.field !== undefined) {
      const value = object.fields[this.field] ?? '';
      keys.push(`f\0${value}`);
      const before = prev ? (prev.fields[this.field] ?? '') : value;
      if (before !== value) keys.push(`f\0${before}`);
    }
    for (const key of keys) {
      const bucket = this.buckets.get(key);
      if (bucket) for (const w of bucket) visit(w);
    }
  }
}
