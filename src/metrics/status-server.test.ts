import { afterEach, describe, expect, it } from 'vitest';
import { Counter, createRegistry } from './registry.js';
import { type StatusServer, startStatusServer } from './status-server.js';

describe('status server', () => {
  let status: StatusServer | undefined;
  afterEach(async () => {
    await status?.close();
    status = undefined;
  });

  it('serves the registry, health, and readiness as the component reports it', async () => {
    const registry = createRegistry({ component: 'test' });
    new Counter({ name: 'kubelite_test_things_total', help: 'things', registers: [registry] }).inc(3);
    let ready = false;
    let healthy = true;
    status = await startStatusServer({
      registry,
      ready: () => ready,
      healthy: () => healthy,
      notReadyMessage: 'informers not synced',
      port: 0,
    });
    expect(status.url).toBe(`http://127.0.0.1:${status.port}`);

    const metrics = await fetch(`${status.url}/metrics`);
    expect(metrics.headers.get('content-type')).toBe(registry.contentType);
    expect(await metrics.text()).toContain('kubelite_test_things_total{component="test"} 3');

    const notReady = await fetch(`${status.url}/readyz`);
    expect([notReady.status, await notReady.text()]).toEqual([503, 'informers not synced']);
    ready = true;
    expect((await fetch(`${status.url}/readyz`)).status).toBe(200);

    expect((await fetch(`${status.url}/healthz`)).status).toBe(200);
    healthy = false;
    expect((await fetch(`${status.url}/livez`)).status).toBe(503);

    expect((await fetch(`${status.url}/nope`)).status).toBe(404);
    expect((await fetch(`${status.url}/metrics`, { method: 'POST' })).status).toBe(405);
    const head = await fetch(`${status.url}/readyz`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('closes with scrapers still connected', async () => {
    status = await startStatusServer({
      registry: createRegistry({ component: 'test' }),
      ready: () => true,
      port: 0,
    });
    const url = status.url;
    await fetch(`${url}/metrics`); // leaves a keep-alive connection open
    await status.close();
    status = undefined;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
