// The informer's local cache: objects by key (client-go's MetaNamespaceKeyFunc: "namespace/name", or
// "name" for cluster-scoped objects) plus optional secondary indexes (by node, by label, …). Objects
// are stored as decoded, never copied: callers must treat them as read-only.
import type { ApiObject } from './resource.js';

/** The values an object is filed under in one index (e.g. [pod.spec.nodeName]). */
export type Indexer<T> = (obj: T) => readonly string[];

export interface Store<T> {
  get(key: string): T | undefined;
  /** A fresh array of every object. */
  list(): T[];
  keys(): string[];
  /** Iterates without copying. */
  values(): IterableIterator<T>;
  readonly size: number;
  /** Objects filed under `value` in index `indexName` (throws for an unknown index). */
  byIndex(indexName: string, value: string): T[];
  /** Keys filed under `value` in index `indexName`. */
  indexKeys(indexName: string, value: string): string[];
  /** Adds indexes (existing objects are indexed at once); re-adding the same function is a no-op. */
  addIndexers(indexers: Record<string, Indexer<T>>): void;
}

export interface MutableStore<T> extends Store<T> {
  /** Stores the object; returns the one it replaced. */
  set(key: string, obj: T): T | undefined;
  /** Removes the object; returns it. */
  delete(key: string): T | undefined;
}

/** "namespace/name", or "name" for cluster-scoped objects. */
export function metaNamespaceKey(obj: ApiObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : (name ?? '');
}

/** Splits a key made by metaNamespaceKey. */
export function splitMetaNamespaceKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash === -1 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** client-go's cache.NamespaceIndex. */
export const namespaceIndex = 'namespace';
export function namespaceIndexer(obj: ApiObject): readonly string[] {
  return [obj.metadata.namespace ?? ''];
}

interface Index<T> {
  fn: Indexer<T>;
  byValue: Map<string, Set<string>>;
}

const none: readonly string[] = [];

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function createStore<T>(indexers: Record<string, Indexer<T>> = {}): MutableStore<T> {
  const items = new Map<string, T>();
  const indexes = new Map<string, Index<T>>();

  function file(index: Index<T>, key: string, values: readonly string[]): void {
    for (const v of values) {
      let keys = index.byValue.get(v);
      if (!keys) index.byValue.set(v, (keys = new Set()));
      keys.add(key);
    }
  }

  function unfile(index: Index<T>, key: string, values: readonly string[]): void {
    for (const v of values) {
      const keys = index.byValue.get(v);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) index.byValue.delete(v);
    }
  }

  function indexOf(name: string): Index<T> {
    const index = indexes.get(name);
    if (!index) throw new Error(`index "${name}" does not exist`);
    return index;
  }

  const store: MutableStore<T> = {
    get: (key) => items.get(key),
    list: () => Array.from(items.values()),
    keys: () => Array.from(items.keys()),
    values: () => items.values(),
    get size() {
      return items.size;
    },
    byIndex(indexName, value) {
      const keys = indexOf(indexName).byValue.get(value);
      if (!keys) return [];
      const out: T[] = [];
      for (const key of keys) out.push(items.get(key)!);
      return out;
    },
    indexKeys(indexName, value) {
      const keys = indexOf(indexName).byValue.get(value);
      return keys ? Array.from(keys) : [];
    },
    addIndexers(more) {
      for (const [name, fn] of Object.entries(more)) {
        const existing = indexes.get(name);
        if (existing) {
          if (existing.fn !== fn) throw new Error(`index "${name}" already exists with another function`);
          continue;
        }
        const index: Index<T> = { fn, byValue: new Map() };
        for (const [key, obj] of items) file(index, key, fn(obj));
        indexes.set(name, index);
      }
    },
    set(key, obj) {
      const old = items.get(key);
      items.set(key, obj);
      if (indexes.size > 0) {
        for (const index of indexes.values()) {
          const before = old === undefined ? none : index.fn(old);
          const after = index.fn(obj);
          if (sameValues(before, after)) continue;
          unfile(index, key, before);
          file(index, key, after);
        }
      }
      return old;
    },
    delete(key) {
      const old = items.get(key);
      if (old === undefined) return undefined;
      items.delete(key);
      for (const index of indexes.values()) unfile(index, key, index.fn(old));
      return old;
    },
  };
  store.addIndexers(indexers);
  return store;
}
