import { describe, expect, it } from 'vitest';
import type { Pod } from '../api/types.js';
import { FakeClock } from '../util/clock.js';
import { createBackoff, sleep } from './backoff.js';
import {
  createStore,
  metaNamespaceKey,
  namespaceIndex,
  namespaceIndexer,
  splitMetaNamespaceKey,
} from './store.js';

const pod = (ns: string, name: string, node?: string, labels: Record<string, string> = {}): Pod => ({
  metadata: { namespace: ns, name, labels },
  spec: { containers: [], ...(node ? { nodeName: node } : {}) },
});

describe('store keys', () => {
  it('makes namespace/name keys, or name for cluster-scoped objects, and splits them back', () => {
    expect(metaNamespaceKey(pod('default', 'a'))).toBe('default/a');
    expect(metaNamespaceKey({ metadata: { name: 'node-1' } })).toBe('node-1');
    expect(splitMetaNamespaceKey('default/a')).toEqual({ namespace: 'default', name: 'a' });
    expect(splitMetaNamespaceKey('node-1')).toEqual({ name: 'node-1' });
  });
});

describe('indexed store', () => {
  it('keeps indexes in step with sets, moves and deletes', () => {
    const byNode = (p: Pod) => (p.spec.nodeName ? [p.spec.nodeName] : []);
    const store = createStore<Pod>({ byNode, [namespaceIndex]: namespaceIndexer });
    store.set('a/p1', pod('a', 'p1', 'n1'));
    store.set('a/p2', pod('a', 'p2', 'n1'));
    store.set('b/p3', pod('b', 'p3'));
    expect(
      store
        .byIndex('byNode', 'n1')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(['p1', 'p2']);
    expect(store.indexKeys(namespaceIndex, 'b')).toEqual(['b/p3']);

    const old = store.set('a/p1', pod('a', 'p1', 'n2'));
    expect(old?.spec.nodeName).toBe('n1');
    expect(store.indexKeys('byNode', 'n1')).toEqual(['a/p2']);
    expect(store.indexKeys('byNode', 'n2')).toEqual(['a/p1']);

    expect(store.delete('a/p2')?.metadata.name).toBe('p2');
    expect(store.byIndex('byNode', 'n1')).toEqual([]);
    expect(store.delete('nope')).toBeUndefined();
    expect(store.size).toBe(2);
    expect(store.list()).toHaveLength(2);
    expect(() => store.byIndex('missing', 'x')).toThrow(/does not exist/);
  });

  it('indexes existing objects when an indexer is added later, with several values per object', () => {
    const store = createStore<Pod>();
    store.set('a/p1', pod('a', 'p1', undefined, { app: 'web', tier: 'front' }));
    store.set('a/p2', pod('a', 'p2', undefined, { app: 'web' }));
    const labelPairs = (p: Pod) => Object.entries(p.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`);
    store.addIndexers({ labels: labelPairs });
    store.addIndexers({ labels: labelPairs }); // the same function again: fine
    expect(() => store.addIndexers({ labels: () => [] })).toThrow(/already exists/);
    expect(store.indexKeys('labels', 'app=web').sort()).toEqual(['a/p1', 'a/p2']);
    expect(store.indexKeys('labels', 'tier=front')).toEqual(['a/p1']);
  });
});

describe('backoff', () => {
  it('doubles from the initial delay up to the maximum, stretches by jitter, and resets', () => {
    let r = 0;
    const b = createBackoff({ initialMs: 100, maxMs: 1000, jitter: 1, random: () => r });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000]);
    expect(b.failures).toBe(5);
    r = 0.5;
    expect(b.next()).toBe(1500);
    b.reset();
    expect(b.next()).toBe(150);
  });

  it('sleeps on the clock and wakes early, with false, on abort', async () => {
    const clock = new FakeClock();
    const slept = sleep(clock, 1000);
    clock.advance(1000);
    expect(await slept).toBe(true);
    const ac = new AbortController();
    const cut = sleep(clock, 1000, ac.signal);
    ac.abort();
    expect(await cut).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });
});
