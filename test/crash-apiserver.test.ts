// Crash safety of the API: `kill -9` of an apiserver child during a write storm loses no
// acknowledged write, on the embedded store and on etcd; and with a three-member etcd cluster one
// member killed mid-storm leaves the API serving (writes may fail briefly) with nothing acknowledged lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type SpawnedApiServer, spawnApiServer } from './harness/apiserver.js';
import { type EtcdCluster, startEtcd, startEtcdCluster } from './harness/etcd.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Per object: the last acknowledged value (-1 once a delete was acknowledged) and what was attempted. */
interface Track {
  acked: number;
  attempted: number;
  deleteAttempted: boolean;
  created: boolean;
}

interface Storm {
  readonly objects: Map<string, Track>;
  acks(): number;
  failures(): number;
  /** Stops issuing requests and waits for those in flight. */
  stop(): Promise<void>;
}

/**
 * Writers create pods, label them with increasing values (merge patches) and delete some. With
 * `persist`, a writer keeps going after errors (a cluster member down); otherwise it stops at the
 * first failure (the apiserver was killed).
 */
function writeStorm(url: string, prefix: string, persist: boolean, writers = 12): Storm {
  const pool = new Pool(url, { connections: writers, pipelining: 1 });
  const objects = new Map<string, Track>();
  let acks = 0;
  let failures = 0;
  let running = true;
  const send = async (
    method: 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    type = 'application/json',
  ) => {
    const res = await pool.request({
      method,
      path,
      headers: body ? { 'content-type': type } : {},
      body: body ? JSON.stringify(body) : undefined,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    await res.body.text();
    return res.statusCode;
  };
  const base = '/api/v1/namespaces/default/pods';
  const loop = async (w: number) => {
    for (let i = 0; running; i++) {
      const name = `${prefix}-${w}-${i}`;
      const track: Track = { acked: Number.NaN, attempted: 0, deleteAttempted: false, created: false };
      objects.set(name, track);
      try {
        const pod = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, labels: { v: '0' } },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        };
        if ((await send('POST', base, pod)) !== 201) throw new Error('create refused');
        track.created = true;
        track.acked = 0;
        acks++;
        for (let v = 1; v <= 3 && running; v++) {
          track.attempted = v;
          const code = await send(
            'PATCH',
            `${base}/${name}`,
            { metadata: { labels: { v: String(v) } } },
            'application/merge-patch+json',
          );
          if (code !== 200) throw new Error(`patch answered ${code}`);
          track.acked = v;
          acks++;
        }
        if (i % 3 === 0 && running) {
          track.deleteAttempted = true;
          const code = await send('DELETE', `${base}/${name}`);
          if (code !== 200) throw new Error(`delete answered ${code}`);
          track.acked = -1;
          acks++;
        }
      } catch {
        failures++;
        if (!persist) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const done = Promise.all(Array.from({ length: writers }, (_, w) => loop(w)));
  return {
    objects,
    acks: () => acks,
    failures: () => failures,
    async stop() {
      running = false;
      await done;
      await pool.destroy();
    },
  };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every acknowledged write must be in the store; values may be newer only by a write in flight. */
async function verify(url: string, storm: Storm): Promise<{ checked: number; problems: string[] }> {
  const pool = new Pool(url, { connections: 1 });
  const res = await pool.request({ method: 'GET', path: '/api/v1/namespaces/default/pods' });
  const list = (await res.body.json()) as {
    items: Array<{ metadata: { name: string; labels?: Record<string, string> } }>;
  };
  await pool.close();
  const stored = new Map(
    list.items.map((p) => [p.metadata.name, Number(p.metadata.labels?.v ?? Number.NaN)]),
  );
  const problems: string[] = [];
  let checked = 0;
  for (const [name, t] of storm.objects) {
    if (Number.isNaN(t.acked)) continue; // never acknowledged: either outcome is fine
    checked++;
    const value = stored.get(name);
    if (t.acked === -1) {
      if (value !== undefined) problems.push(`${name}: delete acknowledged, still stored (v=${value})`);
    } else if (value === undefined) {
      if (!t.deleteAttempted) problems.push(`${name}: v=${t.acked} acknowledged, object lost`);
    } else if (value < t.acked || value > t.attempted) {
      problems.push(`${name}: v=${t.acked} acknowledged (attempted ${t.attempted}), stored v=${value}`);
    }
  }
  return { checked, problems };
}

describe.each(['embedded', 'etcd'] as const)('kill -9 of the apiserver (%s)', (backend) => {
  it('keeps every acknowledged write across the crash', async () => {
    let storage: string;
    if (backend === 'embedded') {
      const dir = mkdtempSync(join(tmpdir(), 'kubelite-crash-api-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      storage = `embedded://${dir}`;
    } else {
      const etcd = await startEtcd();
      cleanups.push(() => etcd.stop());
      storage = `etcd://${etcd.endpoints.map((e) => e.replace('http://', '')).join(',')}/crash`;
    }
    let api: SpawnedApiServer = await spawnApiServer({ storage });
    cleanups.push(() => api.kill());
    for (let round = 0; round < 2; round++) {
      const storm = writeStorm(api.url, `r${round}`, false);
      await until(() => storm.acks() >= 400, 60_000, '400 acknowledged writes');
      await api.kill(); // SIGKILL mid-storm
      await storm.stop();
      api = await spawnApiServer({ storage });
      const { checked, problems } = await verify(api.url, storm);
      process.stdout.write(
        `crash ${backend} round ${round}: ${storm.acks()} writes acknowledged, ${checked} objects checked, ${problems.length} lost\n`,
      );
      expect(problems).toEqual([]);
      expect(checked).toBeGreaterThan(50);
    }
  }, 150_000);
});

/** The index of the Raft leader, from etcd's status endpoint (JSON gateway of the gRPC API). */
async function leaderOf(cluster: EtcdCluster): Promise<number> {
  const statuses = await Promise.all(
    cluster.endpoints.map(async (endpoint) => {
      const res = await fetch(`${endpoint}/v3/maintenance/status`, { method: 'POST', body: '{}' });
      return (await res.json()) as { header: { member_id: string }; leader: string };
    }),
  );
  const index = statuses.findIndex((s) => s.header.member_id === s.leader);
  if (index < 0) throw new Error('no etcd leader');
  return index;
}

describe('a three-member etcd cluster losing its leader', () => {
  it('keeps the API serving and loses nothing acknowledged', async () => {
    const cluster: EtcdCluster = await startEtcdCluster(3);
    cleanups.push(() => cluster.stop());
    const hosts = cluster.endpoints.map((e) => e.replace('http://', '')).join(',');
    const api = await spawnApiServer({ storage: `etcd://${hosts}/crash3` });
    cleanups.push(() => api.kill());
    const storm = writeStorm(api.url, 'm', true, 8);
    await until(() => storm.acks() >= 300, 60_000, '300 acknowledged writes');
    const leader = await leaderOf(cluster);
    cluster.members[leader]!.kill();
    const atKill = storm.acks();
    await until(() => storm.acks() >= atKill + 300, 60_000, '300 more writes acknowledged after the kill');
    await storm.stop();
    expect(api.child.exitCode).toBeNull();
    const { checked, problems } = await verify(api.url, storm);
    process.stdout.write(
      `etcd leader (member ${leader}) killed: ${atKill} writes acknowledged before, ${storm.acks() - atKill} after, ` +
        `${storm.failures()} failed attempts, ${checked} objects checked, ${problems.length} lost\n`,
    );
    expect(problems).toEqual([]);
    // The member comes back and catches up; the API still answers.
    await cluster.members[leader]!.restart();
    const pool = new Pool(api.url, { connections: 1 });
    const ready = await pool.request({ method: 'GET', path: '/readyz' });
    expect(ready.statusCode).toBe(200);
    await ready.body.text();
    await pool.close();
  }, 150_000);
});
