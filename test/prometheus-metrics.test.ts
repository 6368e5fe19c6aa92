// Every component's /metrics passes `promtool check metrics` (Debian package `prometheus`; the
// suite fails when promtool is missing). The components run as child processes of the real CLI on
// free ports, and a pod goes through scheduler and kubelet first, so the histograms and labelled
// series have samples rather than only headers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { createClient, type KubeClient } from '../src/client/index.js';
import { type StartedComponent, startComponent } from './harness/component.js';
import { promtoolCheckMetrics } from './harness/prometheus.js';

const nodeName = `prom-metrics-${process.pid}`;
let dir = '';
let client: KubeClient | undefined;
const components: Record<string, StartedComponent> = {};

/** Each component with the series it must export once a pod has run. */
const expected: Record<string, string[]> = {
  apiserver: ['apiserver_request_total', 'apiserver_request_duration_seconds_bucket'],
  scheduler: ['scheduler_schedule_attempts_total'],
  kubelet: ['kubelet_pod_start_duration_seconds_bucket', 'kubelet_running_pods'],
};

async function metricsOf(url: string): Promise<{ status: number; type: string; text: string }> {
  const res = await request(`${url}/metrics`);
  return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelite-prom-metrics-'));
  const quiet = ['--log-level', 'warn'];
  components.apiserver = await startComponent([
    'apiserver',
    '--storage',
    `embedded://${join(dir, 'data')}`,
    '--port',
    '0',
    ...quiet,
  ]);
  const server = components.apiserver.url;
  [components.scheduler, components.kubelet] = await Promise.all([
    startComponent(['scheduler', '--server', server, '--metrics-port', '0', ...quiet]),
    startComponent([
      'kubelet',
      '--server',
      server,
      '--node-name',
      nodeName,
      '--runtime',
      'fake',
      '--port',
      '0',
      '--root-dir',
      join(dir, 'kubelet'),
      ...quiet,
    ]),
  ]);
  client = createClient({ server });
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'metrics-probe', namespace: 'default' },
    spec: {
      containers: [{ name: 'main', image: 'busybox' }],
      nodeSelector: { 'kubernetes.io/hostname': nodeName },
    },
  };
  await client.pods.create('default', pod);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const current = await client.pods.get('default', 'metrics-probe');
    if (current.status?.phase === 'Running') break;
    if (Date.now() > deadline) throw new Error(`pod not Running: ${JSON.stringify(current.status)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 120_000);

afterAll(async () => {
  await client?.close();
  await Promise.all(Object.values(components).map((c) => c.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('/metrics of every component passes promtool check metrics', () => {
  it.each(Object.keys(expected))('%s', async (name) => {
    const component = components[name]!;
    const metrics = await metricsOf(component.url);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const series of expected[name]!)
      expect(metrics.text, `${name} exports ${series}`).toMatch(new RegExp(`^${series}[{ ]`, 'm'));
    const check = await promtoolCheckMetrics(metrics.text);
    expect(check.output, `${name}: promtool check metrics`).toBe('');
    expect(check.code).toBe(0);
  });
});
