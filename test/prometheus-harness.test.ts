// The Prometheus harness against one apiserver: a real Prometheus (loopback, temp storage, 1 s
// scrapes) finds the target up, a dead target down, and apiserver request rates by verb through its
// HTTP API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedComponent, startComponent } from './harness/component.js';
import { type StartedPrometheus, scrapeConfig, startPrometheus } from './harness/prometheus.js';

let dir = '';
let apiserver: StartedComponent | undefined;
let prometheus: StartedPrometheus | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelite-prom-harness-'));
  apiserver = await startComponent([
    'apiserver',
    '--storage',
    `embedded://${join(dir, 'data')}`,
    '--port',
    '0',
    '--log-level',
    'warn',
  ]);
  prometheus = await startPrometheus({
    jobs: [
      { job: 'apiserver', targets: [apiserver.url.replace('http://', '')] },
      // Port 1 on loopback: nothing listens there, so this target must be reported down.
      { job: 'nothing', targets: ['127.0.0.1:1'] },
    ],
    scrapeIntervalMs: 1000,
  });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await apiserver?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Prometheus harness', () => {
  it('writes a scrape config with one job per component', () => {
    const config = JSON.parse(
      scrapeConfig([{ job: 'a', targets: ['127.0.0.1:1'], metricsPath: '/m' }], 1500),
    );
    expect(config.global.scrape_interval).toBe('2s');
    expect(config.scrape_configs).toEqual([
      { job_name: 'a', metrics_path: '/m', static_configs: [{ targets: ['127.0.0.1:1'] }] },
    ]);
  });

  it('reports the apiserver up and the dead target down', async () => {
    const p = prometheus!;
    const health = async () => Object.fromEntries((await p.targets()).map((t) => [t.job, t.health]));
    await p.waitFor(
      async () => {
        const h = await health();
        return h.apiserver === 'up' && h.nothing === 'down';
      },
      30_000,
      async () => JSON.stringify(await p.targets()),
    );
    expect(await health()).toEqual({ apiserver: 'up', nothing: 'down' });
    expect((await p.query('up{job="nothing"}'))[0]?.value).toBe(0);
  }, 60_000);

  it('queries apiserver request rates by verb after some traffic', async () => {
    const p = prometheus!;
    for (let i = 0; i < 20; i++) {
      const res = await request(`${apiserver!.url}/api/v1/namespaces/default/pods`);
      await res.body.dump();
      expect(res.statusCode).toBe(200);
    }
    const promql = 'sum by (verb) (apiserver_request_total{job="apiserver",resource="pods"})';
    await p.waitFor(
      async () => ((await p.query(promql)).find((s) => s.metric.verb === 'LIST')?.value ?? 0) >= 20,
      30_000,
      async () => JSON.stringify(await p.query(promql)),
    );
    // A rate needs two scrapes of the series with traffic between them.
    const rate = 'sum(rate(apiserver_request_total{job="apiserver"}[1m]))';
    await p.waitFor(
      async () => {
        await (await request(`${apiserver!.url}/api/v1/namespaces`)).body.dump();
        return ((await p.query(rate))[0]?.value ?? 0) > 0;
      },
      30_000,
      async () => JSON.stringify(await p.query(rate)),
    );
    expect(await p.query('absent_metric_name_kubelite')).toEqual([]);
  }, 90_000);
});
