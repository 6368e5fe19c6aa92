// Benchmark: the scheduler through a real apiserver. For each node count: an apiserver child process
// (`kubelite apiserver`, memory or embedded store), N Ready nodes with capacity, the scheduler as its
// own child process (`kubelite scheduler`), and P pods created through the API as fast as it takes
// them while a watch records when each pod is bound. Two modes:
//   streaming  the scheduler runs while the pods are created: end-to-end pods/s (first create → last
//              bound) and p50/p99/p999 create → bound latency;
//   backlog    the pods are created first, then the scheduler starts: scheduling throughput alone
//              (first bound → last bound), as kube-scheduler's scheduler_perf measures it.
// Both report the CPU time of the scheduler, the apiserver and this process. The peer figure, measured
// in the same run, is the apiserver's own ceiling: the create rate of the same pods with no scheduler
// (kube-scheduler itself cannot run here). One JSON object on stdout, a table on stderr.
//   node --import tsx bench/scheduler.ts [--nodes 1000,5000] [--pods 10000] [--modes streaming,backlog]
//        [--rounds 1] [--quick] [--storage memory|embedded] [--concurrency 128] [--profile DIR]
// --profile DIR runs the scheduler and the apiserver under `node --cpu-prof`, profiles left in DIR.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
    modes: { type: 'string', default: process.env.KUBELITE_MODES ?? 'streaming,backlog' },
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

/** With --profile DIR: node --cpu-prof, one profile per process, named after the component. */
let profiles = 0;
function profileArgs(component: string): string[] {
  if (!flags.profile) return [];
  profiles++;
  return [
    '--cpu-prof',
    '--cpu-prof-dir',
    flags.profile,
    '--cpu-prof-name',
    `${component}-${profiles}.cpuprofile`,
  ];
}

// ---------------------------------------------------------------- processes

interface ApiServerChild {
  child: ChildProcess;
  url: string;
  dir?: string;
}

/** Runs `kubelite <component> …` (profiled with --profile) and waits for the line announcing its URL. */
async function spawnKubelite(
  component: string,
  args: string[],
  announces: RegExp,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnTracked(
    process.execPath,
    [...profileArgs(component), ...nodeArgs, kubelite, component, ...args, '--log-level', 'warn'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      const m = announces.exec(line);
      if (!m) return;
      rl.close();
      resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`${component} exited (${code}): ${stderrTail(child)}`)));
  });
  return { child, url };
}

async function startApiServer(storageKind: string): Promise<ApiServerChild> {
  const dir = storageKind === 'embedded' ? mkdtempSync(join(tmpdir(), 'kubelite-bench-sched-')) : undefined;
  const storage = dir ? `embedded://${dir}` : 'memory://';
  const { child, url } = await spawnKubelite(
    'apiserver',
    ['--port', '0', '--storage', storage],
    /listening on (http:\/\/\S+)/,
  );
  return { child, url, dir };
}

async function startScheduler(server: string): Promise<{ child: ChildProcess; port: number }> {
  const { child, url } = await spawnKubelite(
    'scheduler',
    ['--server', server, '--metrics-port', '0'],
    /serving metrics on (http:\/\/\S+)/,
  );
  await waitUntil(
    async () => (await fetch(`${url}/readyz`)).status === 200,
    60_000,
    () => `scheduler ready: ${stderrTail(child)}`,
  );
  return { child, port: Number(new URL(url).port) };
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

type Mode = 'streaming' | 'backlog';

interface RunResult {
  mode: Mode;
  nodes: number;
  pods: number;
  /** streaming: first create → last bound; backlog: first bound → last bound. */
  podsPerSec: number;
  createPodsPerSec: number;
  /** Create → bound (streaming only: in backlog mode it measures the wait for the scheduler to start). */
  latencyMs?: Percentiles;
  schedulerCpuSeconds: number;
  schedulerCpuUsPerPod: number;
  apiserverCpuSeconds: number;
  apiserverCpuUsPerPod: number;
  schedulerCpuShare: number;
  apiserverCpuShare: number;
  /** This process: creating the pods (streaming) and watching them. */
  benchClientCpuUsPerPod: number;
  attempts: Record<string, number>;
  nodesUsed: number;
  maxPodsPerNode: number;
  overcommittedNodes: number;
  timeline: Sample[];
}

/** Records the moment each bench pod is first seen bound. */
function watchBindings(client: KubeClient, rv: string | undefined, pods: number) {
  const boundAt = new Float64Array(pods);
  const state = { bound: 0, first: 0, last: 0 };
  let allBound!: () => void;
  const done = new Promise<void>((resolve) => (allBound = resolve));
  const watch = client.watch('pods', { resourceVersion: rv }, (ev) => {
    const pod = ev.object;
    if (ev.type !== 'MODIFIED' || !pod.spec?.nodeName) return;
    const i = Number(pod.metadata.name!.slice(4));
    if (boundAt[i] !== 0) return;
    boundAt[i] = state.last = performance.now();
    if (state.bound++ === 0) state.first = state.last;
    if (state.bound === pods) allBound();
  });
  return { boundAt, state, done, stop: () => watch.stop() };
}

function withTimeout(p: Promise<void>, ms: number, what: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error(what())), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function measure(
  mode: Mode,
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
    const rv = (await client.pods.list({ limit: 1 })).metadata.resourceVersion;
    const bindings = watchBindings(client, rv, pods);
    const progress = { created: 0 };
    let created: CreateRun | undefined;
    if (mode === 'backlog') created = await createPods(client, pods, concurrency, progress);
    scheduler = await startScheduler(api.url);
    const cpu0 = { s: cpuMicros(scheduler.child.pid!), a: cpuMicros(api.child.pid!), b: process.cpuUsage() };
    const start = performance.now();
    const timeline = sampleTimeline(
      scheduler.port,
      () => ({ created: progress.created, bound: bindings.state.bound }),
      start,
    );
    if (mode === 'streaming') created = await createPods(client, pods, concurrency, progress);
    await withTimeout(
      bindings.done,
      timeoutMs,
      () => `only ${bindings.state.bound}/${pods} pods bound in ${timeoutMs} ms`,
    ).finally(() => timeline.stop());
    const cpu1 = {
      s: cpuMicros(scheduler.child.pid!),
      a: cpuMicros(api.child.pid!),
      b: process.cpuUsage(cpu0.b),
    };
    bindings.stop();

    const { first, last } = bindings.state;
    const seconds =
      mode === 'streaming' ? (last - created!.firstCreate) / 1000 : (last - Math.min(first, start)) / 1000;
    let latencyMs: Percentiles | undefined;
    if (mode === 'streaming') {
      const hist = new LatencyHistogram();
      for (let i = 0; i < pods; i++) hist.recordMs(bindings.boundAt[i]! - created!.createdAt[i]!);
      latencyMs = hist.percentilesMs();
    }
    const check = await verifyPlacement(client, nodes);
    const attempts = await scrape(scheduler.port);
    const schedCpu = (cpu1.s - cpu0.s) / 1e6;
    const apiCpu = (cpu1.a - cpu0.a) / 1e6;
    return {
      mode,
      nodes,
      pods,
      podsPerSec: Math.round(pods / seconds),
      createPodsPerSec: Math.round(created!.podsPerSec),
      ...(latencyMs ? { latencyMs } : {}),
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
  const modes = flags.modes!.split(',').filter(Boolean) as Mode[];
  const rounds = quick ? 1 : Number(flags.rounds);
  const concurrency = Number(flags.concurrency);
  const timeoutMs = Number(flags['timeout-s']) * 1000;

  const baselines: number[] = [];
  const baselineCpu: number[] = [];
  const cases = nodeCounts.flatMap((nodes) =>
    modes.map((mode) => ({ nodes, mode, runs: [] as RunResult[] })),
  );
  for (let round = 0; round < rounds; round++) {
    const base = await measureCreateOnly(pods, concurrency);
    baselines.push(base.podsPerSec);
    baselineCpu.push(base.apiserverCpuUsPerPod);
    process.stderr.write(`round ${round + 1}: create-only ${base.podsPerSec} pods/s\n`);
    for (const c of cases) {
      const r = await measure(c.mode, c.nodes, pods, concurrency, timeoutMs);
      c.runs.push(r);
      process.stderr.write(`round ${round + 1}: ${c.nodes} nodes ${c.mode} ${r.podsPerSec} pods/s\n`);
    }
  }

  const createOnly = median(baselines);
  const summary = cases.map(({ nodes, mode, runs }) => {
    const med = (f: (r: RunResult) => number) => median(runs.map(f));
    return {
      mode,
      nodes,
      pods,
      podsPerSec: med((r) => r.podsPerSec),
      createPodsPerSec: med((r) => r.createPodsPerSec),
      ratioToCreateOnly: round(med((r) => r.podsPerSec) / createOnly),
      ...(mode === 'streaming'
        ? {
            latencyMs: {
              p50: med((r) => r.latencyMs!.p50),
              p99: med((r) => r.latencyMs!.p99),
              p999: med((r) => r.latencyMs!.p999),
            },
          }
        : {}),
      schedulerCpuUsPerPod: med((r) => r.schedulerCpuUsPerPod),
      apiserverCpuUsPerPod: med((r) => r.apiserverCpuUsPerPod),
      benchClientCpuUsPerPod: med((r) => r.benchClientCpuUsPerPod),
      runs,
    };
  });
  const result = {
    benchmark: 'scheduler',
    machine: machineInfo(),
    config: {
      pods,
      modes,
      rounds,
      concurrency,
      storage: flags.storage,
      quick,
      goalPodsPerSecAt5000Nodes: 1000,
    },
    createOnlyPodsPerSec: { median: createOnly, runs: baselines },
    createOnlyApiserverCpuUsPerPod: median(baselineCpu),
    results: summary,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);

  const rows = [
    [
      'nodes',
      'mode',
      'pods/s',
      'create-only',
      'ratio',
      'p50 ms',
      'p99 ms',
      'sched µs/pod',
      'api µs/pod',
      'bench µs/pod',
    ],
    ...summary.map((s) => [
      String(s.nodes),
      s.mode,
      String(s.podsPerSec),
      String(createOnly),
      String(s.ratioToCreateOnly),
      String(s.latencyMs?.p50 ?? '-'),
      String(s.latencyMs?.p99 ?? '-'),
      String(s.schedulerCpuUsPerPod),
      String(s.apiserverCpuUsPerPod),
      String(s.benchClientCpuUsPerPod),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) process.stderr.write(`${r.map((cell, c) => cell.padStart(widths[c]!)).join('  ')}\n`);
}

await main();
