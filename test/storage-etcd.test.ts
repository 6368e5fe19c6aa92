// The Storage conformance suite against a real etcd process, plus what only etcd has: a watch that
// survives the server going away and coming back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStorageConformance } from '../src/apiserver/storage/conformance.js';
import { bytes, EventCollector, text } from '../src/apiserver/storage/conformance-support.js';
import { openEtcdStorage } from '../src/apiserver/storage/etcd/etcd-store.js';
import { openStorage } from '../src/apiserver/storage/index.js';
import type { Storage } from '../src/apiserver/storage/types.js';
import { type EtcdServer, startEtcd } from './harness/etcd.js';

let etcd: EtcdServer;
let stores = 0;

beforeAll(async () => {
  etcd = await startEtcd();
});

afterAll(async () => {
  await etcd?.stop();
});

// Each test gets its own key prefix on the shared server; revisions are global, as in production.
async function newStore(): Promise<Storage> {
  return openEtcdStorage({
    endpoints: etcd.endpoints,
    prefix: `/t${++stores}`,
    retry: { attempts: 1, backoffMs: 0 },
  });
}

runStorageConformance('etcd', async () => {
  const store = await newStore();
  return { store, cleanup: () => store.close() };
});

describe('etcd storage', () => {
  it('a watch survives etcd restarting, without losing or repeating events', async () => {
    const store = await openEtcdStorage({ endpoints: etcd.endpoints, prefix: `/t${++stores}` });
    try {
      const w = new EventCollector();
      const watch = await store.watch('/registry/', await store.currentRevision(), w);
      const before: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await store.create(`/registry/pods/ns/before-${i}`, bytes(String(i)));
        if (r.ok) before.push(r.revision);
      }
      await w.untilRevision(before.at(-1)!);
      etcd.kill();
      await etcd.restart();
      const after: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await retryWrite(() => store.create(`/registry/pods/ns/after-${i}`, bytes(String(i))));
        if (r.ok) after.push(r.revision);
      }
      await w.untilRevision(after.at(-1)!, 60_000);
      expect(w.events.map((e) => e.revision)).toEqual([...before, ...after]);
      expect(w.error).toBeUndefined();
      watch.close();
    } finally {
      await store.close();
    }
  }, 90_000);

  it('works without a key prefix (etcd://host:port): revision, writes, lists, watches, compaction', async () => {
    const host = etcd.endpoints[0]!.replace(/^https?:\/\//, '');
    const store = await openStorage(`etcd://${host}`);
    try {
      const from = await store.currentRevision();
      expect(from).toBeGreaterThan(0);
      const w = new EventCollector();
      const watch = await store.watch('/unprefixed/', from, w);
      const created = await store.create('/unprefixed/a', bytes('a'));
      if (!created.ok) throw new Error('create failed');
      expect(text((await store.get('/unprefixed/a'))?.value)).toBe('a');
      expect((await store.list('/unprefixed/')).items.map((kv) => kv.key)).toEqual(['/unprefixed/a']);
      await w.untilRevision(created.revision);
      expect(w.events.map((e) => e.key)).toEqual(['/unprefixed/a']);
      watch.close();
      await store.compact(created.revision);
      expect(await store.compactedRevision()).toBe(created.revision);
    } finally {
      await store.close();
    }
  });

  it('reports the compacted revision etcd holds, also to a fresh client', async () => {
    const a = await newStore();
    const b = await newStore();
    try {
      const r1 = await a.create('/registry/x/ns/1', bytes('1'));
      const r2 = await a.create('/registry/x/ns/2', bytes('2'));
      if (!r1.ok || !r2.ok) throw new Error('writes failed');
      await a.compact(r2.revision);
      expect(await b.compactedRevision()).toBe(r2.revision);
      await expect(b.list('/registry/', { revision: r1.revision })).rejects.toMatchObject({
        code: 'Expired',
      });
    } finally {
      await a.close();
      await b.close();
    }
  });
});

/** The first writes after a restart may meet a connection that is still coming back. */
async function retryWrite<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
