// The etcd Storage on a 3-member cluster: losing a follower costs no acknowledged write and no watch
// event; the client moves to the members that are left. A write caught on the dying member's
// connection fails as Unavailable (it may or may not have been applied), so the writer here retries
// the way an API client would and takes "exists" as its earlier attempt having landed.
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, EventCollector } from '../src/apiserver/storage/conformance-support.js';
import { isStorageError, openStorage } from '../src/apiserver/storage/index.js';
import { type EtcdCluster, type EtcdMember, startEtcdCluster } from './harness/etcd.js';

let cluster: EtcdCluster;

beforeAll(async () => {
  cluster = await startEtcdCluster(3);
});

afterAll(async () => {
  await cluster?.stop();
});

async function aFollower(): Promise<EtcdMember> {
  for (const member of cluster.members) {
    const client = new Etcd3({ hosts: member.endpoint });
    try {
      const status = await client.maintenance.status();
      if (status.header.member_id !== status.leader) return member;
    } finally {
      client.close();
    }
  }
  throw new Error('no follower found');
}

describe('etcd storage on a 3-member cluster', () => {
  it('keeps writing and watching when a follower dies and comes back', async () => {
    const hosts = cluster.endpoints.map((e) => e.replace('http://', '')).join(',');
    const store = await openStorage(`etcd://${hosts}`);
    try {
      const w = new EventCollector();
      await store.watch('/registry/', await store.currentRevision(), w);
      const revisions: number[] = [];
      let unavailable = 0;
      const write = async (name: string) => {
        for (;;) {
          const r = await store.create(`/registry/pods/ns/${name}`, bytes(name)).catch((err: unknown) => {
            if (!isStorageError(err, 'Unavailable')) throw err;
            unavailable++;
            return undefined;
          });
          if (r?.ok) return void revisions.push(r.revision);
          if (r?.reason === 'exists' && unavailable > 0) return void revisions.push(r.current.modRevision);
          if (r) throw new Error(`create ${name}: ${r.reason}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      for (let i = 0; i < 10; i++) await write(`before-${i}`);
      const follower = await aFollower();
      follower.kill();
      for (let i = 0; i < 30; i++) await write(`without-${i}`);
      await follower.restart();
      for (let i = 0; i < 10; i++) await write(`after-${i}`);
      await w.untilRevision(revisions.at(-1)!, 30_000);
      expect(w.events.map((e) => e.revision)).toEqual(revisions);
      expect((await store.list('/registry/pods/')).items).toHaveLength(50);
      expect(unavailable).toBeLessThan(10);
    } finally {
      await store.close();
    }
  }, 60_000);
});
