// A real Prometheus scraping a whole `kubelite up` cluster (process runtime, temp data dir, free
// ports): after a pod, a service and some traffic through the proxy, Prometheus' HTTP API shows
// every target up and the key series of each component, and every query of the shipped Grafana
// dashboard evaluates.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterLayout } from '../src/up/layout.js';
import { readClusterState } from '../src/up/state.js';
import { type StartedPrometheus, startPrometheus, upScrapeJobs } from './harness/prometheus.js';
import { createUpCluster, type UpCluster } from './up-harness.js';

const root = join(import.meta.dirname, '..');
let cluster: UpCluster | undefined;
let prometheus: StartedPrometheus | undefined;
let layout: ClusterLayout | undefined;

const workload = `
apiVersion: v1
kind: ReplicationController
metadata: { name: web }
spec:
  replicas: 1
  selector: { app: web }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: httpd
          image: kubelite/busybox:latest
          command: [sh, -c, 'echo hello > $TMPDIR/index.html; exec httpd -f -p $POD_IP:8080 -h $TMPDIR']
          ports: [{ containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /, port: 8080 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations: { kubelite.io/proxy-mode: http }
spec:
  type: NodePort
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
`;

async function until<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  cluster = createUpCluster();
  const up = cluster.up(['--nodes', '1', '--runtime', 'process', '--log-level', 'warn']);
  await up.waitFor(/Ctrl-C stops the cluster/, 180_000);
  layout = readClusterState(cluster.dataDir)!.layout;
  prometheus = await startPrometheus({ jobs: upScrapeJobs(layout), scrapeIntervalMs: 1000 });

  const c = cluster;
  await c.kubectlOk(['apply', '-f', '-'], { stdin: workload });
  // The controller creates the pod: until it exists, kubectl wait finds nothing to wait for.
  await until('the web pod Ready', 180_000, async () =>
    (await c.kubectl(['wait', '--for=condition=Ready', 'pod', '-l', 'app=web', '--timeout=20s'])).code === 0
      ? true
      : undefined,
  );
  const nodePort = Number(
    await c.kubectlOk(['get', 'service', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}']),
  );
  const node = layout.nodes[0]!;
  // Traffic through the proxy's node port until it answers, then some more.
  const get = async () => {
    const res = await request(`http://${node.address}:${nodePort}/`, {
      headersTimeout: 5000,
      bodyTimeout: 5000,
    });
    const body = await res.body.text();
    return res.statusCode === 200 && body.includes('hello') ? true : undefined;
  };
  await until('the service through the proxy', 60_000, get);
  for (let i = 0; i < 50; i++) expect(await get()).toBe(true);
}, 400_000);

afterAll(async () => {
  await prometheus?.stop();
  await cluster?.cleanup();
}, 120_000);

describe('Prometheus scraping a kubelite up cluster', () => {
  it('finds every component up', async () => {
    const p = prometheus!;
    const jobs = ['apiserver', 'scheduler', 'controller-manager', 'kubelet', 'proxy'];
    const health = async () => {
      const targets = await p.targets();
      return jobs.every((j) => targets.some((t) => t.job === j && t.health === 'up')) ? targets : undefined;
    };
    const targets = await until('every target up', 60_000, health).catch(async (err) => {
      throw new Error(`${err.message}\n${JSON.stringify(await p.targets(), null, 2)}`);
    });
    expect(targets.filter((t) => t.health !== 'up')).toEqual([]);
    expect(targets.map((t) => t.job).sort()).toEqual([...jobs].sort());
  }, 90_000);

  // Each key series must hold a positive value once the workload above ran.
  const keySeries: Record<string, string> = {
    'apiserver request rate': 'sum(rate(apiserver_request_total[1m]))',
    'apiserver request latency': 'sum(apiserver_request_duration_seconds_count{verb="POST",resource="pods"})',
    'pod start durations': 'sum(kubelet_pod_start_duration_seconds_count)',
    'scheduler attempts': 'sum(scheduler_schedule_attempts_total{result="scheduled"})',
    'proxy connections': 'sum(kubelite_proxy_connections_total)',
    'proxy bytes': 'sum(kubelite_proxy_bytes_total)',
    'proxy request durations': 'sum(kubelite_proxy_http_request_duration_seconds_count)',
    'network programming latency': 'sum(kubeproxy_network_programming_duration_seconds_count)',
  };
  it.each(Object.entries(keySeries))(
    'has %s',
    async (_, promql) => {
      const p = prometheus!;
      await until(promql, 60_000, async () =>
        ((await p.query(promql))[0]?.value ?? 0) > 0 ? true : undefined,
      ).catch(async (err) => {
        throw new Error(`${err.message}; now: ${JSON.stringify(await p.query(promql))}`);
      });
    },
    90_000,
  );

  it('evaluates every query of examples/grafana-dashboard.json, and finds data for its key panels', async () => {
    const dashboard = JSON.parse(readFileSync(join(root, 'examples', 'grafana-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets?: { expr: string; refId: string }[] }[];
    };
    const targets = dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((t) => ({ panel: panel.title, ...t })),
    );
    expect(targets.length).toBeGreaterThan(15);
    // Series that only exist after trouble (errors, slow watchers cut off, failed connects).
    const onlyAfterTrouble = /code=~"\[45\]|terminated_watchers|connect_errors/;
    const empty: string[] = [];
    for (const t of targets) {
      const samples = await prometheus!.query(t.expr);
      if (samples.length === 0 && !onlyAfterTrouble.test(t.expr)) empty.push(`${t.panel}: ${t.expr}`);
    }
    expect(empty).toEqual([]);
  });
});
