// Every component's /metrics passes `promtool check metrics` (Debian package `prometheus`; the
// suite fails when promtool is missing). The components run as child processes of the real CLI on
// free ports, and a pod goes through scheduler and kubelet first, so the histograms and labelled
// series have samples rather than only headers. docs/metrics.md must list exactly what they export,
// and examples/prometheus.yml must be a valid Prometheus config.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetricsCluster, startMetricsCluster } from './harness/metrics-cluster.js';
import { describeMetrics, documentedMetrics, isProcessMetric } from './harness/metrics-doc.js';
import { promtoolBinary, promtoolCheckMetrics } from './harness/prometheus.js';

const root = join(import.meta.dirname, '..');
let cluster: MetricsCluster | undefined;
const texts: Record<string, string> = {};

/** Each component with series it must export once a pod has run. */
const expected: Record<string, string[]> = {
  apiserver: [
    'apiserver_request_total',
    'apiserver_request_duration_seconds_bucket',
    'apiserver_registered_watchers',
  ],
  scheduler: ['scheduler_schedule_attempts_total', 'scheduler_scheduling_attempt_duration_seconds_bucket'],
  'controller-manager': [],
  kubelet: [
    'kubelet_pod_start_duration_seconds_bucket',
    'kubelet_running_pods',
    'kubelet_node_heartbeats_total',
  ],
  proxy: ['kubeproxy_sync_proxy_rules_duration_seconds_bucket', 'kubelite_proxy_endpoints'],
};

beforeAll(async () => {
  cluster = await startMetricsCluster();
  for (const [name, url] of Object.entries(cluster.urls)) {
    const res = await request(`${url}/metrics`);
    expect(res.statusCode, `${name} /metrics`).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^text\/plain; version=0\.0\.4/);
    texts[name] = await res.body.text();
  }
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('component /metrics', () => {
  it('covers every component', () => {
    expect(Object.keys(texts).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.keys(expected))(
    '%s passes promtool check metrics and exports its key series',
    async (name) => {
      const text = texts[name]!;
      for (const series of expected[name]!)
        expect(text, `${name} exports ${series}`).toMatch(new RegExp(`^${series}[{ ]`, 'm'));
      expect(text).toMatch(new RegExp(`component="${name}"`));
      const check = await promtoolCheckMetrics(text);
      expect(check.output, `${name}: promtool check metrics`).toBe('');
      expect(check.code).toBe(0);
    },
  );

  it('are what docs/metrics.md documents (regenerate: npx tsx scripts/metrics-doc.ts)', () => {
    const documented = documentedMetrics(readFileSync(join(root, 'docs', 'metrics.md'), 'utf8'));
    for (const [name, text] of Object.entries(texts)) {
      const exported = describeMetrics(text)
        .map((m) => m.name)
        .filter((n) => !isProcessMetric(n));
      expect(documented[name]?.sort(), `docs/metrics.md section ${name}`).toEqual(exported.sort());
    }
  });
});

describe('examples/prometheus.yml', () => {
  it('passes promtool check config (with the certificate files it names in place)', async () => {
    // promtool checks that the TLS files exist: point the default data dir at stand-ins.
    const dataDir = mkdtempSync(join(tmpdir(), 'kubelite-prom-config-'));
    try {
      mkdirSync(join(dataDir, 'pki'));
      for (const f of ['ca.crt', 'monitoring.crt', 'monitoring.key'])
        writeFileSync(join(dataDir, 'pki', f), '');
      const example = readFileSync(join(root, 'examples', 'prometheus.yml'), 'utf8');
      expect(example).toContain('/root/.kubelite/pki/monitoring.crt');
      const config = join(dataDir, 'prometheus.yml');
      writeFileSync(config, example.replaceAll('/root/.kubelite', dataDir));
      const result = await new Promise<{ code: number; output: string }>((resolve) =>
        execFile(promtoolBinary, ['check', 'config', config], (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
        ),
      );
      expect(result.output).toContain('SUCCESS');
      expect(result.code).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
