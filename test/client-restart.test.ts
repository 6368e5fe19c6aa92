// Black-box: an informer rides out an apiserver crash (kill -9) and restart on the same address and
// storage, and a writer's requests fail with transport errors (not ApiErrors) while it is down.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/errors.js';
import type { Pod } from '../src/api/types.js';
import { createClient, createInformer, type KubeClient } from '../src/client/index.js';
import { type SpawnedApiServer, spawnApiServer } from './harness/apiserver.js';

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 20 });

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const pod = (name: string): Pod => ({
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
});

let dir: string;
let port: number;
let apiserver: SpawnedApiServer | undefined;
let client: KubeClient;
const start = () => spawnApiServer({ storage: `embedded://${dir}`, port });

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelite-client-restart-'));
  port = await freePort();
  apiserver = await start();
  client = createClient({ server: apiserver.url, timeoutMs: 5000 });
});

afterEach(async () => {
  await client.close();
  await apiserver?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('client across an apiserver crash', () => {
  it('the informer reconnects with backoff and keeps following changes; nothing it saw is lost', async () => {
    expect(apiserver!.url).toBe(`http://127.0.0.1:${port}`);
    await client.pods.create('default', pod('before'));
    const names = new Set<string>();
    const informer = createInformer(client, 'pods', { backoff: { initialMs: 50, maxMs: 500 } });
    informer.addEventHandler({
      onAdd: (p) => names.add(p.metadata.name!),
      onDelete: (p) => names.delete(p.metadata.name!),
    });
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    try {
      await informer.waitForSync(abort.signal);
      expect([...names]).toEqual(['before']);

      await apiserver!.kill();
      const failure = await client.pods.list().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(ApiError);

      apiserver = await start();
      await client.pods.create('default', pod('after'));
      await client.pods.delete('default', 'before', { gracePeriodSeconds: 0 });
      await eventually(() => [...names].sort()).toEqual(['after']);
      expect(informer.store.keys()).toEqual(['default/after']);
    } finally {
      abort.abort();
      await running;
    }
  });
});
