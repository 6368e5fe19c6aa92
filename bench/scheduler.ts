// Benchmark: the scheduler through a real apiserver. For each node count: an apiserver child process
// (memory or embedded store), N Ready nodes with capacity, the scheduler as its own child process
// (`kubelite scheduler`), then P pending pods created through the API as fast as it takes them while
// a watch records when each pod is bound. Reports end-to-end pods/s (first create → last bound),
// p50/p99/p999 create → bound latency, and the CPU time of the scheduler and the apiserver.
// The peer figure, measured in the same run, is the apiserver's own ceiling: the create rate of the
// same pods with no scheduler and no binds (kube-scheduler itself cannot run here). Prints one JSON object on stdout, a table on stderr.
//   node --import tsx bench/scheduler.ts [--nodes 1000,5000] [--pods 10000] [--rounds 1] [--quick]
//        [--storage memory|embedded] [--concurrency 128] [--profile DIR]
// --profile DIR runs the scheduler under `node --cpu-prof` and leaves the profiles in DIR.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Pod } from '../src/api/types.js';
import { createClient, type KubeClient } from '../src/client/rest.js';
import { makeNode, makePod } from '../src/scheduler/testing/objects.js';
import { LatencyHistogram, median, type Percentiles } from './lib/histogram.js';
import { machineInfo } from './lib/machine.js';
import { cpuMicros, spawnTracked, stderrTail, stop, waitUntil } from './lib/processes.js';

const { values: flags } = parseArgs({
  options: {
    nodes: { type: 'string', default: process.env.KUBELITE_NODES ?? '1000,5000' },
    pods: { type: 'string', default: process.env.KUBELITE_PODS ?? '10000' },
    rounds: { type: 'string', default: process.env.KUBELITE_ROUNDS ?? '1' },
    quick: { type: 'boolean', default: process.env.KUBELITE_QUICK === '1' },
    storage: { type: 'string', default: process.env.KUBELITE_STORAGE ?? 'memory' },
    concurrency: { type: 'string', default: process.env.KUBELITE_CONCURRENCY ?? '128' },
    profile: { type: 'string', default: process.env.KUBELITE_PROFILE ?? '' },
    'timeout-s': { type: 'string', default: process.env.KUBELITE_TIMEOUT_S ?? '300' },
  },
});

const root = join(import.meta.dirname, '..');
const nodeArgs = ['--import', 'tsx'];
const kubelite = join(root, 'src', 'cmd', 'kubelite.ts');

// ---------------------------------------------------------------- processes

interface ApiServerChild {
  child: ChildProcess;
  url: string;
  dir?: string;
}

async function startApiServer(storageKind: string): Promise<ApiServerChild> {
  const dir = storageKind === 'embedded' ? mkdtempSync(join(tmpdir(), 'kubelite-bench-sched-')) : undefined;
  const storage = dir ? `embedded://${dir}` : 'memory://';
  const child = spawnTracked(
    process.execPath,
    [...nodeArgs, kubelite, 'apiserver', '--port', '0', '--storage', storage, '--log-level', 'warn'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (!m) return;
      rl.close();
      resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`apiserver exited (${code}): ${stderrTail(child)}`)));
  });
  return { child, url, dir };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startScheduler(
  url: string,
  profileDir: string,
): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const prof = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child = spawnTracked(
    process.execPath,
    [
      ...prof,
      ...nodeArgs,
      kubelite,
      'scheduler',
      '--server',
      url,
      '--metrics-port',
      String(port),
      '--log-level',
      'warn',
    ],
    { cwd: root },
  );
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`scheduler exited: ${stderrTail(child)}`);
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      return r.status === 200;
    },
    60_000,
    () => `scheduler ready: ${stderrTail(child)}`,
  );
  return { child, port };
}

// ---------------------------------------------------------------- load

/** Runs `task(i)` for i in [0, count) with `concurrency` in flight. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

function benchPod(i: number): Pod {
  return makePod(`pod-${i}`, { cpu: '100m', memory: '128Mi' });
}

async function createNodes(client: KubeClient, n: number, concurrency: number): Promise<void> {
  await pool(n, concurrency, async (i) => {
    await client.nodes.create(makeNode(`node-${i}`, { cpu: '32', memory: '128Gi', pods: 110 }));
  });
}

interface CreateRun {
  podsPerSec: number;
  createdAt: Float64Array;
  firstCreate: number;
}

async function createPods(
  client: KubeClient,
  n: number,
  concurrency: number,
  progress?: { created: number },
) {
  const createdAt = new Float64Array(n);
  const first = performance.now();
  await pool(n, concurrency, async (i) => {
    createdAt[i] = performance.now();
    await client.pods.create('default', benchPod(i));
    if (progress) progress.created++;
  });
  const seconds = (performance.now() - first) / 1000;
  return { podsPerSec: n / seconds, createdAt, firstCreate: first } satisfies CreateRun;
}

async function scrape(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^scheduler_schedule_attempts_total\{result="(\w+)"[^}]*\} (\d+)/gm)) {
    out[m[1]!] = Number(m[2]);
  }
  for (const m of text.matchAll(/^scheduler_pending_pods\{queue="(\w+)"[^}]*\} (\d+)/gm)) {
    out[`pending_${m[1]}`] = Number(m[2]);
  }
  const inFlight = /^kubelite_scheduler_binds_in_flight\{[^}]*\} (\d+)/m.exec(text);
  if (inFlight) out.bindsInFlight = Number(inFlight[1]);
  return out;
}

/** Where the pods are, twice a second: created, waiting in the scheduler, binding, bound. */
interface Sample {
  ms: number;
  created: number;
  active: number;
  bindsInFlight: number;
  bound: number;
}

function sampleTimeline(port: number, counts: () => { created: number; bound: number }, start: number) {
  const samples: Sample[] = [];
  const timer = setInterval(() => {
    scrape(port).then(
      (m) =>
        samples.push({
          ms: Math.round(performance.now() - start),
          ...counts(),
          active: m.pending_active ?? 0,
          bindsInFlight: m.bindsInFlight ?? 0,
        }),
      () => {},
    );
  }, 500);
  return { samples, stop: () => clearInterval(timer) };
}

// ---------------------------------------------------------------- one measured run

interface RunResult {
  nodes: number;
  pods: number;
  e2ePodsPerSec: number;
  createPodsPerSec: number;
  latencyMs: Percentiles;
  schedulerCpuSeconds: number;
  schedulerCpuUsPerPod: number;
  apiserverCpuSeconds: number;
  apiserverCpuUsPerPod: number;
  schedulerCpuShare: number;
  apiserverCpuShare: number;
  /** This process: creating the pods and watching them. */
  benchClientCpuUsPerPod: number;
  attempts: Record<string, number>;
  nodesUsed: number;
  maxPodsPerNode: number;
  overcommittedNodes: number;
  timeline: Sample[];
}

async function measure(
  nodes: number,
  pods: number,
  concurrency: number,
  timeoutMs: number,
): Promise<RunResult> {
  const api = await startApiServer(flags.storage!);
  const client = createClient({ server: api.url, connections: 16 });
  let scheduler: { child: ChildProcess; port: number } | undefined;
  try {
    await createNodes(client, nodes, 64);
    scheduler = await startScheduler(api.url, flags.profile!);
    const rv = (await client.pods.list({ limit: 1 })).metadata.resourceVersion;
    const boundAt = new Float64Array(pods);
    let bound = 0;
    let lastBound = 0;
    let allBound!: () => void;
    const done = new Promise<void>((resolve) => (allBound = resolve));
    const watch = client.watch('pods', { resourceVersion: rv }, (ev) => {
      const pod = ev.object;
      if (ev.type !== 'MODIFIED' || !pod.spec?.nodeName) return;
      const i = Number(pod.metadata.name!.slice(4));
      if (boundAt[i] !== 0) return;
      boundAt[i] = lastBound = performance.now();
      if (++bound === pods) allBound();
    });
    const cpu0 = { s: cpuMicros(scheduler.child.pid!), a: cpuMicros(api.child.pid!), b: process.cpuUsage() };
    const progress = { created: 0 };
    const timeline = sampleTimeline(
      scheduler.port,
      () => ({ created: progress.created, bound }),
      performance.now(),
    );
    const created = await createPods(client, pods, concurrency, progress);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      done,
      new Promise<void>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`only ${bound}/${pods} pods bound in ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]).finally(() => {
      clearTimeout(timer);
      timeline.stop();
    });
    const cpu1 = {
      s: cpuMicros(scheduler.child.pid!),
      a: cpuMicros(api.child.pid!),
      b: process.cpuUsage(cpu0.b),
    };
    watch.stop();

    const hist = new LatencyHistogram();
    for (let i = 0; i < pods; i++) hist.recordMs(boundAt[i]! - created.createdAt[i]!);
    const seconds = (lastBound - created.firstCreate) / 1000;
    const check = await verifyPlacement(client, nodes);
    const attempts = await scrape(scheduler.port);
    const schedCpu = (cpu1.s - cpu0.s) / 1e6;
    const apiCpu = (cpu1.a - cpu0.a) / 1e6;
    return {
      nodes,
      pods,
      e2ePodsPerSec: Math.round(pods / seconds),
      createPodsPerSec: Math.round(created.podsPerSec),
      latencyMs: hist.percentilesMs(),
      schedulerCpuSeconds: round(schedCpu),
      schedulerCpuUsPerPod: Math.round((schedCpu * 1e6) / pods),
      apiserverCpuSeconds: round(apiCpu),
      apiserverCpuUsPerPod: Math.round((apiCpu * 1e6) / pods),
      schedulerCpuShare: round(schedCpu / seconds),
      apiserverCpuShare: round(apiCpu / seconds),
      benchClientCpuUsPerPod: Math.round((cpu1.b.user + cpu1.b.system) / pods),
      attempts,
      ...check,
      timeline: timeline.samples,
    };
  } finally {
    if (scheduler) await stop(scheduler.child, 10_000);
    await client.close();
    await stop(api.child);
    if (api.dir) rmSync(api.dir, { recursive: true, force: true });
  }
}

/** Every pod bound, and no node holding more than its capacity (32 cpu, 110 pods). */
async function verifyPlacement(client: KubeClient, nodes: number) {
  const list = await client.pods.list();
  const perNode = new Map<string, number>();
  for (const p of list.items) {
    if (!p.spec.nodeName) throw new Error(`pod ${p.metadata.name} is not bound`);
    perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  }
  const counts = [...perNode.values()];
  // 100m per pod on 32 cpu: the pod limit (110) binds first.
  const overcommitted = counts.filter((c) => c > 110).length;
  if (overcommitted) throw new Error(`${overcommitted} nodes hold more than 110 pods`);
  if (perNode.size > nodes) throw new Error(`pods bound to ${perNode.size} nodes, only ${nodes} exist`);
  return {
    nodesUsed: perNode.size,
    maxPodsPerNode: Math.max(0, ...counts),
    overcommittedNodes: overcommitted,
  };
}

/** The apiserver's ceiling: the same pods created with no scheduler and no nodes. */
async function measureCreateOnly(
  pods: number,
  concurrency: number,
): Promise<{ podsPerSec: number; apiserverCpuUsPerPod: number }> {
  const api = await startApiServer(flags.storage!);
  const client = createClient({ server: api.url, connections: 16 });
  try {
    const cpu0 = cpuMicros(api.child.pid!);
    const r = await createPods(client, pods, concurrency);
    const cpu = cpuMicros(api.child.pid!) - cpu0;
    return { podsPerSec: Math.round(r.podsPerSec), apiserverCpuUsPerPod: Math.round(cpu / pods) };
  } finally {
    await client.close();
    await stop(api.child);
    if (api.dir) rmSync(api.dir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const quick = flags.quick === true;
  const nodeCounts = quick ? [200] : flags.nodes!.split(',').map(Number);
  const pods = quick ? 1000 : Number(flags.pods);
  const rounds = quick ? 1 : Number(flags.rounds);
  const concurrency = Number(flags.concurrency);
  const timeoutMs = Number(flags['timeout-s']) * 1000;

  const baselines: number[] = [];
  const baselineCpu: number[] = [];
  const runs: RunResult[][] = nodeCounts.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const base = await measureCreateOnly(pods, concurrency);
    baselines.push(base.podsPerSec);
    baselineCpu.push(base.apiserverCpuUsPerPod);
    process.stderr.write(`round ${round + 1}: create-only ${base.podsPerSec} pods/s\n`);
    for (const [k, n] of nodeCounts.entries()) {
      const r = await measure(n, pods, concurrency, timeoutMs);
      runs[k]!.push(r);
      process.stderr.write(
        `round ${round + 1}: ${n} nodes ${r.e2ePodsPerSec} pods/s p99 ${r.latencyMs.p99} ms\n`,
      );
    }
  }

  const summary = nodeCounts.map((n, k) => {
    const rs = runs[k]!;
    const med = (f: (r: RunResult) => number) => median(rs.map(f));
    return {
      nodes: n,
      pods,
      e2ePodsPerSec: med((r) => r.e2ePodsPerSec),
      createPodsPerSec: med((r) => r.createPodsPerSec),
      ratioToCreateOnly: round(med((r) => r.e2ePodsPerSec) / median(baselines)),
      latencyMs: {
        p50: med((r) => r.latencyMs.p50),
        p99: med((r) => r.latencyMs.p99),
        p999: med((r) => r.latencyMs.p999),
      },
      schedulerCpuUsPerPod: med((r) => r.schedulerCpuUsPerPod),
      apiserverCpuUsPerPod: med((r) => r.apiserverCpuUsPerPod),
      schedulerCpuSeconds: med((r) => r.schedulerCpuSeconds),
      apiserverCpuSeconds: med((r) => r.apiserverCpuSeconds),
      runs: rs,
    };
  });
  const result = {
    benchmark: 'scheduler',
    machine: machineInfo(),
    config: { pods, rounds, concurrency, storage: flags.storage, quick, goalPodsPerSecAt5000Nodes: 1000 },
    createOnlyPodsPerSec: { median: median(baselines), runs: baselines },
    createOnlyApiserverCpuUsPerPod: median(baselineCpu),
    results: summary,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);

  const rows = [
    ['nodes', 'pods/s e2e', 'create-only', 'ratio', 'p50 ms', 'p99 ms', 'sched µs/pod', 'api µs/pod'],
    ...summary.map((s) => [
      String(s.nodes),
      String(s.e2ePodsPerSec),
      String(result.createOnlyPodsPerSec.median),
      String(s.ratioToCreateOnly),
      String(s.latencyMs.p50),
      String(s.latencyMs.p99),
      String(s.schedulerCpuUsPerPod),
      String(s.apiserverCpuUsPerPod),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) process.stderr.write(`${r.map((cell, c) => cell.padStart(widths[c]!)).join('  ')}\n`);
}

await main();
