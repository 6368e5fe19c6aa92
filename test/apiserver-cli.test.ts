// Black-box: `kubelite apiserver` as a child process — flags, env, ready line, SIGTERM, and a crash
// (SIGKILL) followed by a restart on the same embedded store.
import { afterEach, describe, expect, it } from 'vitest';
import { readFlags } from '../src/cmd/apiserver.js';
import { freshStorageUrl, type SpawnedApiServer, spawnApiServer } from './harness/apiserver.js';
import { http } from './harness/http.js';

describe('kubelite apiserver command', () => {
  const running: SpawnedApiServer[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const s of running.splice(0)) await s.kill();
    for (const c of cleanups.splice(0)) await c();
  });

  it('reads flags, falling back to KUBELITE_* variables, then defaults', () => {
    const flags = readFlags(['--port', '0', '--event-ttl', '90s'], {
      KUBELITE_STORAGE: 'memory://',
      KUBELITE_PORT: '9999',
      KUBELITE_NODE_PORTS_FOR_ALL_SERVICES: 'true',
    });
    expect(flags).toMatchObject({
      storage: 'memory://',
      port: 0,
      eventTtlMs: 90_000,
      host: '127.0.0.1',
      nodePortsForAllServices: true,
      serviceClusterIPRange: '127.10.0.0/16',
    });
    expect(() => readFlags(['--port', 'x'], {})).toThrow(/--port/);
    expect(() => readFlags(['--bogus'], {})).toThrow();
  });

  it('serves until SIGTERM, survives SIGKILL with its data, and exits cleanly', async () => {
    const storage = await freshStorageUrl('embedded');
    cleanups.push(storage.cleanup);
    const first = await spawnApiServer({ storage: storage.url });
    running.push(first);
    expect((await http(first.url, 'GET', '/readyz')).text).toBe('ok');
    expect((await http(first.url, 'GET', '/metrics')).text).toContain('process_cpu_seconds_total');
    const created = await http(first.url, 'POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'survivor' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    expect(created.status).toBe(201);
    await first.kill();
    const second = await spawnApiServer({ storage: storage.url, env: { KUBELITE_EVENT_TTL: '2h' } });
    running.push(second);
    const again = await http(second.url, 'GET', '/api/v1/namespaces/default/pods/survivor');
    expect(again.json.metadata.uid).toBe(created.json.metadata.uid);
    expect(await second.stop()).toBe(0);
  });
});
