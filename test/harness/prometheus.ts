// A real Prometheus server (Debian package `prometheus`) for tests: loopback only, a temp storage
// dir, a short scrape interval, a scrape config given as jobs; plus its HTTP API (targets, instant
// queries) and `promtool check metrics`. Missing binaries are an error, never a skip.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { clusterPkiPaths } from '../../src/pki/cluster.js';
import type { ClusterLayout } from '../../src/up/layout.js';

export const prometheusBinary = '/usr/bin/prometheus';
export const promtoolBinary = '/usr/bin/promtool';

function required(binary: string): string {
  if (!existsSync(binary))
    throw new Error(
      `${binary} not found: install the Debian package "prometheus" (scripts/host-setup.sh does)`,
    );
  return binary;
}

export interface ScrapeJob {
  job: string;
  /** host:port of each target. */
  targets: string[];
  metricsPath?: string;
  /** Scrape over https, verifying with caFile and presenting the client certificate (secure up). */
  tls?: { caFile: string; certFile: string; keyFile: string };
}

export interface ActiveTarget {
  job: string;
  instance: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  scrapeUrl: string;
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface StartedPrometheus {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly process: ChildProcess;
  targets(): Promise<ActiveTarget[]>;
  /** An instant query; the samples of a vector result. */
  query(promql: string): Promise<Sample[]>;
  /** Resolves when `check` passes (polled every 250 ms); rejects with `describe()` after the timeout. */
  waitFor(
    check: () => Promise<boolean>,
    timeoutMs: number,
    describe: () => Promise<string> | string,
  ): Promise<void>;
  /** Last lines Prometheus logged (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  jobs: ScrapeJob[];
  scrapeIntervalMs?: number;
  startTimeoutMs?: number;
}

/** The YAML of a scrape config (JSON is YAML). */
export function scrapeConfig(jobs: ScrapeJob[], scrapeIntervalMs: number): string {
  const interval = `${Math.max(1, Math.round(scrapeIntervalMs / 1000))}s`;
  return JSON.stringify(
    {
      global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
      scrape_configs: jobs.map((j) => ({
        job_name: j.job,
        metrics_path: j.metricsPath ?? '/metrics',
        ...(j.tls
          ? {
              scheme: 'https',
              tls_config: { ca_file: j.tls.caFile, cert_file: j.tls.certFile, key_file: j.tls.keyFile },
            }
          : {}),
        static_configs: [{ targets: j.targets }],
      })),
    },
    null,
    2,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function getJson(url: string): Promise<any> {
  const res = await request(url, { headersTimeout: 5000, bodyTimeout: 5000 });
  const body = (await res.body.json()) as { status: string; data: unknown; error?: string };
  if (res.statusCode !== 200 || body.status !== 'success')
    throw new Error(`${url}: ${res.statusCode} ${body.error ?? JSON.stringify(body).slice(0, 300)}`);
  return body.data;
}

export async function startPrometheus(options: StartPrometheusOptions): Promise<StartedPrometheus> {
  const binary = required(prometheusBinary);
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, scrapeConfig(options.jobs, options.scrapeIntervalMs ?? 1000));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-8192);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const waitFor: StartedPrometheus['waitFor'] = async (check, timeoutMs, describe) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await check().catch(() => false)) return;
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${log}`);
      if (Date.now() > deadline) throw new Error(`timed out: ${await describe()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const started: StartedPrometheus = {
    url,
    process: child,
    async targets() {
      const data = await getJson(`${url}/api/v1/targets?state=active`);
      return (data.activeTargets as any[]).map((t) => ({
        job: t.labels.job,
        instance: t.labels.instance,
        health: t.health,
        lastError: t.lastError,
        scrapeUrl: t.scrapeUrl,
      }));
    },
    async query(promql) {
      const data = await getJson(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      if (data.resultType !== 'vector')
        throw new Error(`${promql}: ${data.resultType} result, expected a vector`);
      return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
        metric: r.metric,
        value: Number(r.value[1]),
      }));
    },
    waitFor,
    log: () => log,
    stop,
  };
  try {
    await waitFor(
      async () => {
        const res = await request(`${url}/-/ready`);
        await res.body.dump();
        return res.statusCode === 200;
      },
      options.startTimeoutMs ?? 30_000,
      () => `prometheus ready on ${url}: ${log}`,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return started;
}

export interface PromtoolResult {
  code: number;
  output: string;
}

/** `promtool check metrics` over a /metrics text: exit 0 and no output when it is clean. */
export function promtoolCheckMetrics(text: string): Promise<PromtoolResult> {
  const binary = required(promtoolBinary);
  return new Promise((resolve) => {
    const child = execFile(binary, ['check', 'metrics'], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
    child.stdin?.on('error', () => {}); // EPIPE if promtool exits early: its exit code tells
    child.stdin?.end(text);
  });
}

/** One scrape job per component of a `kubelite up` cluster, from its layout (cluster.json). */
export function upScrapeJobs(layout: ClusterLayout): ScrapeJob[] {
  // A secure cluster: the apiserver and kubelets serve https to the monitoring identity (system:monitoring).
  const pki = layout.secure ? clusterPkiPaths(layout.pkiDir, []) : undefined;
  const tls = pki && { caFile: pki.caFile, certFile: pki.monitoring.cert, keyFile: pki.monitoring.key };
  return [
    {
      job: 'apiserver',
      targets: [`${layout.apiserverHost}:${layout.apiserverPort}`],
      ...(tls ? { tls } : {}),
    },
    { job: 'scheduler', targets: [`127.0.0.1:${layout.schedulerMetricsPort}`] },
    { job: 'controller-manager', targets: [`127.0.0.1:${layout.controllerManagerMetricsPort}`] },
    {
      job: 'kubelet',
      targets: layout.nodes.map((n) => `${n.address}:${n.kubeletPort}`),
      ...(tls ? { tls } : {}),
    },
    { job: 'proxy', targets: layout.nodes.map((n) => `${n.address}:${n.proxyMetricsPort}`) },
  ];
}
