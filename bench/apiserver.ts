// Benchmark: the apiserver as a child process (`kubelite apiserver`, so its CPU and RSS come from
// /proc), driven over HTTP on every storage backend asked for:
//   (a) create, get and list: throughput and latency with --clients concurrent clients (undici Pool,
//       keep-alive), closed loop; the apiserver's CPU per request; peer: a bare node:http server
//       answering the same bytes (bench/lib/http-floor.ts), measured in the same run;
//   (b) watch fan-out: --watchers pod watchers held by --watcher-processes child processes (raw
//       sockets, no JSON parsing) while a writer creates pods at --rate per second; delivery latency
//       from the write's acknowledgement to its arrival at the LAST watcher; apiserver RSS and CPU;
//       the watcher processes' CPU and event-loop delay show that the client side is not saturated;
//       peer: a bare node:http server writing each POSTed body as one pre-framed event to every
//       stream (bench/lib/fanout-floor.ts), same watchers, same writer, interleaved;
//   (c) mutating latency at a fixed --write-rate (creates, open loop: latency from the scheduled
//       send time, so a stall is not hidden by fewer requests being sent).
// Correctness is checked first (create → get → list → watch). Prints one JSON object on stdout
// and a table on stderr. Every flag is also an environment variable KUBELITE_<FLAG>.
//   npx tsx bench/apiserver.ts [--quick] [--clients 64] [--duration-ms 5000] [--watchers 1000,5000]
//       [--rate 5] [--write-rate 2000] [--storage embedded,etcd,memory] [--watcher-processes 2]
//       [--list-size 100] [--rounds 3] [--phases fanout,requests,rate] [--profile DIR]   (--profile: `node --cpu-prof` on the apiserver child)
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { type EtcdServer, etcdBinary, startEtcd } from '../test/harness/etcd.js';
import type { FleetMessage, FleetStats, StartMessage } from './lib/apiserver-watchers.js';
import { LatencyHistogram, median, type Percentiles } from './lib/histogram.js';
import { machineInfo } from './lib/machine.js';
import { ProcSampler, rssBytes } from './lib/proc-sampler.js';
import { cpuMicros, spawnTracked, stderrTail, stop, waitUntil } from './lib/processes.js';

const root = join(import.meta.dirname, '..');

function flag(name: string, fallback: string): { type: 'string'; default: string } {
  return {
    type: 'string',
    default: process.env[`KUBELITE_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback,
  };
}

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: process.env.KUBELITE_QUICK === '1' },
    clients: flag('clients', '64'),
    'duration-ms': flag('duration-ms', ''),
    watchers: flag('watchers', ''),
    rate: flag('rate', '5'),
    'write-rate': flag('write-rate', ''),
    storage: flag('storage', ''),
    'watcher-processes': flag('watcher-processes', '2'),
    'list-size': flag('list-size', '100'),
    rounds: flag('rounds', ''),
    phases: flag('phases', 'fanout,requests,rate'),
    profile: flag('profile', ''),
  },
});

const quick = flags.quick;
const positiveInt = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${text}"`);
  return n;
};
const config = {
  quick,
  clients: positiveInt('clients', flags.clients),
  durationMs: positiveInt('duration-ms', flags['duration-ms'] || (quick ? '500' : '5000')),
  watchers: (flags.watchers || (quick ? '100' : '1000,5000'))
    .split(',')
    .map((w) => positiveInt('watchers', w)),
  ratePerSecond: positiveInt('rate', flags.rate),
  writeRatePerSecond: positiveInt('write-rate', flags['write-rate'] || (quick ? '200' : '2000')),
  storages: (flags.storage || (quick ? 'embedded' : defaultStorages())).split(','),
  watcherProcesses: positiveInt('watcher-processes', flags['watcher-processes']),
  listSize: positiveInt('list-size', flags['list-size']),
  rounds: positiveInt('rounds', flags.rounds || (quick ? '1' : '3')),
  phases: flags.phases.split(','),
  fanoutEvents: 0,
};
// Fan-out runs last four times the duration: enough events for a p99 at a low write rate. The default
// rate keeps 5,000 watchers below saturation here: writing one event to 5,000 loopback sockets costs
// ~50 ms of CPU even for the bare peer (see the apiserver README, "Performance").
config.fanoutEvents = Math.max(10, Math.round((config.ratePerSecond * config.durationMs * 4) / 1000));
for (const s of config.storages) {
  if (!['embedded', 'etcd', 'memory'].includes(s)) throw new Error(`--storage: unknown backend "${s}"`);
}
for (const p of config.phases) {
  if (!['fanout', 'requests', 'rate'].includes(p)) throw new Error(`--phases: unknown phase "${p}"`);
}

function defaultStorages(): string {
  try {
    etcdBinary();
    return 'embedded,etcd';
  } catch {
    return 'embedded';
  }
}

/** Processes whose CPU and RSS are sampled: the apiserver, the peer, the watcher processes. */
const sampled = new Set<number>();
const sampler = new ProcSampler(() => [...sampled], 250);

/** User and system CPU microseconds of a process: user is the JavaScript work, system its syscalls. */
function cpuSplit(pid: number): { userUs: number; systemUs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { userUs: Number(fields[11]) * 10_000, systemUs: Number(fields[12]) * 10_000 };
}

const log = (text: string) => process.stderr.write(`${text}\n`);
const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- objects

function benchPod(name: string, labels: Record<string, string> = { app: 'bench' }) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { ...labels, tier: 'backend' }, annotations: { 'bench/owner': 'apiserver' } },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'busybox:1.36',
          command: ['sleep', '3600'],
          ports: [{ containerPort: 8080 }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
          env: [{ name: 'MODE', value: 'bench' }],
        },
      ],
      restartPolicy: 'Always',
    },
  };
}

// ---------------------------------------------------------------- processes

interface Child {
  child: ChildProcess;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

let profiles = 0;

/** Spawns a node script (with tsx) and waits for its "listening on URL" line. */
async function spawnListening(args: string[], nodeFlags: string[] = []): Promise<Child> {
  const child = spawnTracked(process.execPath, [...nodeFlags, '--import', 'tsx', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited (${code}): ${stderrTail(child)}`)));
  });
  return { child, url, pid: child.pid!, stop: () => stop(child, 10_000) };
}

let etcd: EtcdServer | undefined;
const tempDirs: string[] = [];

async function startApiServer(storage: string): Promise<Child> {
  let url = 'memory://';
  if (storage === 'embedded') {
    const dir = mkdtempSync(join(tmpdir(), 'kubelite-bench-apiserver-'));
    tempDirs.push(dir);
    url = `embedded://${dir}`;
  } else if (storage === 'etcd') {
    etcd ??= await startEtcd();
    url = `etcd://${etcd.endpoints.map((e) => e.replace(/^https?:\/\//, '')).join(',')}/bench-${Date.now()}`;
  }
  const profile = flags.profile
    ? [
        '--cpu-prof',
        '--cpu-prof-dir',
        flags.profile,
        '--cpu-prof-name',
        `apiserver-${storage}-${++profiles}.cpuprofile`,
      ]
    : [];
  return spawnListening(
    ['src/cmd/kubelite.ts', 'apiserver', '--port', '0', '--storage', url, '--log-level', 'warn'],
    profile,
  );
}

// ---------------------------------------------------------------- load

interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

interface LoadResult {
  requests: number;
  errors: number;
  firstError?: string;
  requestsPerSecond: number;
  latencyMs: Percentiles;
  elapsedMs: number;
}

async function send(pool: Pool, spec: RequestSpec): Promise<number> {
  const res = await pool.request({
    method: spec.method,
    path: spec.path,
    body: spec.body,
    headers: spec.body ? { 'content-type': 'application/json' } : {},
  });
  await res.body.arrayBuffer();
  return res.statusCode;
}

/** Latencies and failures of one load run. */
class Tally {
  private readonly histogram = new LatencyHistogram();
  private errors = 0;
  private firstError: string | undefined;
  private readonly start = nowMs();

  record(latencyMs: number, spec: RequestSpec, status: number | string, expect: number): void {
    this.histogram.recordMs(latencyMs);
    if (status !== expect) {
      this.errors++;
      this.firstError ??= `${spec.method} ${spec.path}: ${status}`;
    }
  }

  result(): LoadResult {
    const elapsedMs = nowMs() - this.start;
    const latencyMs = this.histogram.percentilesMs();
    return {
      requests: latencyMs.count,
      errors: this.errors,
      ...(this.firstError ? { firstError: this.firstError } : {}),
      requestsPerSecond: Math.round((latencyMs.count * 1000) / elapsedMs),
      latencyMs,
      elapsedMs: Math.round(elapsedMs),
    };
  }
}

/** `clients` loops, each sending its next request when the last one answered, for `durationMs`. */
async function closedLoop(
  pool: Pool,
  clients: number,
  durationMs: number,
  next: (i: number) => RequestSpec,
  expect: number,
): Promise<LoadResult> {
  const tally = new Tally();
  let sent = 0;
  const deadline = nowMs() + durationMs;
  const worker = async () => {
    while (nowMs() < deadline) {
      const spec = next(sent++);
      const t0 = nowMs();
      const status = await send(pool, spec).catch((e: unknown) => String(e));
      tally.record(nowMs() - t0, spec, status, expect);
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  return tally.result();
}

/** Sends request i at start + i/rate whatever the answers; latency counts from the scheduled time. */
async function openLoop(
  pool: Pool,
  ratePerSecond: number,
  durationMs: number,
  next: (i: number) => RequestSpec,
  expect: number,
): Promise<LoadResult> {
  const tally = new Tally();
  const total = Math.round((ratePerSecond * durationMs) / 1000);
  const inflight = new Set<Promise<void>>();
  const start = nowMs();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((nowMs() - start) * ratePerSecond) / 1000) + 1);
    for (; sent < due; sent++) {
      const scheduled = start + (sent * 1000) / ratePerSecond;
      const spec = next(sent);
      const p = send(pool, spec)
        .catch((e: unknown) => String(e))
        .then((status) => {
          tally.record(nowMs() - scheduled, spec, status, expect);
          inflight.delete(p);
        });
      inflight.add(p);
    }
    await sleep(1);
  }
  await Promise.all(inflight);
  return tally.result();
}

async function call(
  pool: Pool,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  const res = await pool.request({
    method: method as 'GET',
    path,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}

async function mustCall(pool: Pool, method: string, path: string, body?: unknown, expect = [200, 201]) {
  const res = await call(pool, method, path, body);
  if (!expect.includes(res.status))
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

// ---------------------------------------------------------------- phases

/** Create → get → list → watch on a fresh namespace: the figures below mean nothing if this fails. */
async function checkCorrectness(url: string): Promise<void> {
  const pool = new Pool(url, { connections: 2 });
  try {
    await mustCall(pool, 'POST', '/api/v1/namespaces', { metadata: { name: 'check' } });
    const list = await mustCall(pool, 'GET', '/api/v1/namespaces/check/pods');
    const watch = await pool.request({
      method: 'GET',
      path: `/api/v1/namespaces/check/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}`,
    });
    const created = await mustCall(pool, 'POST', '/api/v1/namespaces/check/pods', benchPod('checked'));
    const got = await mustCall(pool, 'GET', '/api/v1/namespaces/check/pods/checked');
    if (got.metadata.uid !== created.metadata.uid) throw new Error('GET returned another object than POST');
    const listed = await mustCall(pool, 'GET', '/api/v1/namespaces/check/pods');
    if (listed.items.length !== 1 || listed.items[0].metadata.uid !== created.metadata.uid)
      throw new Error('LIST does not hold the created pod');
    let text = '';
    for await (const chunk of watch.body) {
      text += String(chunk);
      if (text.includes('\n')) break;
    }
    const event = JSON.parse(text.slice(0, text.indexOf('\n')));
    if (event.type !== 'ADDED' || event.object.metadata.uid !== created.metadata.uid)
      throw new Error(`watch delivered ${text.slice(0, 200)}`);
    watch.body.destroy();
  } finally {
    await pool.destroy();
  }
}

interface RoundResult {
  requestsPerSecond: number;
  latencyMs: Percentiles;
  requests: number;
  errors: number;
  firstError?: string;
  cores: number;
  cpuUsPerRequest: number;
  /** The user-space part (JavaScript) of cpuUsPerRequest: less disturbed by other load than system time. */
  userCpuUsPerRequest: number;
  loadGeneratorCores: number;
}

/** One measured closed-loop run against `target`, with the target's CPU from /proc. */
async function round(
  target: Child,
  pool: Pool,
  next: (i: number) => RequestSpec,
  expect: number,
): Promise<RoundResult> {
  const mark = `round-${++rounds}`;
  sampler.mark(`${mark}-start`);
  const ownStart = cpuMicros(process.pid);
  const split = cpuSplit(target.pid);
  const result = await closedLoop(pool, config.clients, config.durationMs, next, expect);
  const splitEnd = cpuSplit(target.pid);
  sampler.mark(`${mark}-end`);
  const usage = sampler.usage([target.pid], `${mark}-start`, `${mark}-end`);
  return {
    requestsPerSecond: result.requestsPerSecond,
    latencyMs: result.latencyMs,
    requests: result.requests,
    errors: result.errors,
    ...(result.firstError ? { firstError: result.firstError } : {}),
    cores: usage.cores,
    cpuUsPerRequest: Math.round((usage.cpuSeconds * 1e6) / Math.max(1, result.requests)),
    userCpuUsPerRequest: Math.round((splitEnd.userUs - split.userUs) / Math.max(1, result.requests)),
    loadGeneratorCores:
      Math.round(((cpuMicros(process.pid) - ownStart) / 1000 / result.elapsedMs) * 100) / 100,
  };
}
let rounds = 0;

/** The medians of interleaved rounds (each figure on its own). */
function medianRound(results: RoundResult[]) {
  const m = (pick: (r: RoundResult) => number) => median(results.map(pick));
  return {
    rounds: results.length,
    requests: results.reduce((n, r) => n + r.requests, 0),
    errors: results.reduce((n, r) => n + r.errors, 0),
    ...(results.some((r) => r.firstError)
      ? { firstError: results.find((r) => r.firstError)!.firstError }
      : {}),
    requestsPerSecond: m((r) => r.requestsPerSecond),
    latencyMs: {
      count: results.reduce((n, r) => n + r.latencyMs.count, 0),
      p50: m((r) => r.latencyMs.p50),
      p99: m((r) => r.latencyMs.p99),
      p999: m((r) => r.latencyMs.p999),
      max: Math.max(...results.map((r) => r.latencyMs.max)),
    },
    serverCores: m((r) => r.cores),
    serverCpuUsPerRequest: m((r) => r.cpuUsPerRequest),
    serverUserCpuUsPerRequest: m((r) => r.userCpuUsPerRequest),
    loadGeneratorCores: m((r) => r.loadGeneratorCores),
  };
}

type Verb = 'create' | 'get' | 'list';
type RequestRow = { storage: string; verb: Verb; clients: number } & ReturnType<typeof medianRound>;

/**
 * Create, get and list, each in interleaved rounds against the apiserver and the bare node:http peer
 * (both see the same machine load), after a short warm-up of each.
 */
async function measureRequests(
  server: Child,
  floor: Child,
  storage: string,
): Promise<{ ours: RequestRow[]; peer: RequestRow[] }> {
  const options = { connections: config.clients, pipelining: 1, keepAliveTimeout: 60_000 };
  const pool = new Pool(server.url, options);
  const floorPool = new Pool(floor.url, options);
  const ns = `load-${storage}`;
  const listNs = `list-${storage}`;
  const ours: RequestRow[] = [];
  const peer: RequestRow[] = [];
  try {
    await mustCall(pool, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
    await mustCall(pool, 'POST', '/api/v1/namespaces', { metadata: { name: listNs } });
    for (let i = 0; i < config.listSize; i++)
      await mustCall(pool, 'POST', `/api/v1/namespaces/${listNs}/pods`, benchPod(`listed-${i}`));
    let created = 0;
    const podBody = JSON.stringify(benchPod('floor'));
    const verbs: Array<[Verb, (i: number) => RequestSpec, RequestSpec, number]> = [
      [
        'create',
        () => ({
          method: 'POST',
          path: `/api/v1/namespaces/${ns}/pods`,
          body: JSON.stringify(benchPod(`pod-${created++}`)),
        }),
        { method: 'POST', path: '/create', body: podBody },
        201,
      ],
      [
        'get',
        (i) => ({ method: 'GET', path: `/api/v1/namespaces/${ns}/pods/pod-${(i * 7919) % created}` }),
        { method: 'GET', path: '/get' },
        200,
      ],
      [
        'list',
        () => ({ method: 'GET', path: `/api/v1/namespaces/${listNs}/pods` }),
        { method: 'GET', path: '/list' },
        200,
      ],
    ];
    for (const [verb, next, floorSpec, expect] of verbs) {
      const warmMs = Math.min(500, config.durationMs);
      await closedLoop(pool, config.clients, warmMs, next, expect);
      await closedLoop(floorPool, config.clients, warmMs, () => floorSpec, expect);
      const mine: RoundResult[] = [];
      const theirs: RoundResult[] = [];
      for (let r = 0; r < config.rounds; r++) {
        mine.push(await round(server, pool, next, expect));
        theirs.push(await round(floor, floorPool, () => floorSpec, expect));
      }
      const row = { storage, verb, clients: config.clients, ...medianRound(mine) };
      ours.push(row);
      peer.push({ storage, verb, clients: config.clients, ...medianRound(theirs) });
      log(
        `  ${storage} ${verb}: ${row.requestsPerSecond} req/s (peer ${peer.at(-1)!.requestsPerSecond}), ` +
          `p99 ${row.latencyMs.p99} ms, ${row.serverCpuUsPerRequest} µs CPU/request`,
      );
    }
  } finally {
    await pool.destroy();
    await floorPool.destroy();
  }
  return { ours, peer };
}

async function measureFixedRate(server: Child, storage: string) {
  const pool = new Pool(server.url, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
  const ns = `rate-${storage}`;
  try {
    await mustCall(pool, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
    const next =
      (offset: number) =>
      (i: number): RequestSpec => ({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/pods`,
        body: JSON.stringify(benchPod(`r-${offset + i}`)),
      });
    await openLoop(pool, config.writeRatePerSecond, Math.min(500, config.durationMs), next(1e7), 201);
    sampler.mark(`${ns}-start`);
    const result = await openLoop(pool, config.writeRatePerSecond, config.durationMs, next(0), 201);
    sampler.mark(`${ns}-end`);
    const usage = sampler.usage([server.pid], `${ns}-start`, `${ns}-end`);
    log(
      `  ${storage} creates at ${config.writeRatePerSecond}/s: achieved ${result.requestsPerSecond}/s, p99 ${result.latencyMs.p99} ms`,
    );
    return {
      storage,
      verb: 'create',
      targetPerSecond: config.writeRatePerSecond,
      achievedPerSecond: result.requestsPerSecond,
      requests: result.requests,
      errors: result.errors,
      ...(result.firstError ? { firstError: result.firstError } : {}),
      latencyMs: result.latencyMs,
      apiserverCores: usage.cores,
    };
  } finally {
    await pool.destroy();
  }
}

interface Fleet {
  child: ChildProcess;
  seen: Map<number, number>;
  ready: Promise<{ opened: number; failed: number; error?: string }>;
  done: Promise<FleetStats>;
}

function startFleet(): Fleet {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', 'bench/lib/apiserver-watchers.ts'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const seen = new Map<number, number>();
  let ready!: (r: { opened: number; failed: number; error?: string }) => void;
  let done!: (s: FleetStats) => void;
  const fleet: Fleet = {
    child,
    seen,
    ready: new Promise((r) => {
      ready = r;
    }),
    done: new Promise((r) => {
      done = r;
    }),
  };
  child.on('message', (m: FleetMessage) => {
    if (m.type === 'seen') seen.set(m.k, m.atMs);
    else if (m.type === 'ready') ready(m);
    else if (m.type === 'done') done(m.stats);
  });
  return fleet;
}

/** What a fan-out run watches and writes: the apiserver (a fresh namespace) or the bare peer. */
interface FanoutTarget {
  name: string;
  server: Child;
  prepare(pool: Pool, run: number): Promise<{ watchPath: string; writePath: string }>;
}

const apiserverTarget = (server: Child): FanoutTarget => ({
  name: 'kubelite',
  server,
  async prepare(pool, run) {
    const ns = `fan-${run}`;
    await mustCall(pool, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
    const rv = (await mustCall(pool, 'GET', `/api/v1/namespaces/${ns}/pods`)).metadata.resourceVersion;
    return {
      watchPath: `/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${rv}`,
      writePath: `/api/v1/namespaces/${ns}/pods`,
    };
  },
});

const floorTarget = (server: Child): FanoutTarget => ({
  name: 'bare node:http fan-out',
  server,
  prepare: async () => ({ watchPath: '/watch', writePath: '/pods' }),
});

let fanoutRuns = 0;

async function measureFanout(target: FanoutTarget, watchers: number) {
  const server = target.server;
  const pool = new Pool(server.url, { connections: 16, pipelining: 1 });
  const prefix = 'fanpod-';
  const fleets: Fleet[] = [];
  try {
    const { watchPath, writePath } = await target.prepare(pool, ++fanoutRuns);
    await sleep(200);
    const rssBefore = rssBytes(server.pid);
    const perFleet = Math.ceil(watchers / config.watcherProcesses);
    for (let i = 0; i < config.watcherProcesses; i++) {
      const count = Math.min(perFleet, watchers - i * perFleet);
      if (count <= 0) break;
      const fleet = startFleet();
      fleets.push(fleet);
      const start: StartMessage = {
        type: 'start',
        url: server.url,
        path: watchPath,
        count,
        prefix,
        events: config.fanoutEvents,
      };
      fleet.child.send(start);
    }
    const readiness = await Promise.all(fleets.map((f) => f.ready));
    const failed = readiness.reduce((n, r) => n + r.failed, 0);
    if (failed > 0)
      throw new Error(`${failed} watch connections failed: ${readiness.find((r) => r.error)?.error}`);
    await sleep(500);
    const rssWithWatchers = rssBytes(server.pid);
    const fleetPids = fleets.map((f) => f.child.pid!);
    for (const pid of fleetPids) sampled.add(pid);
    const mark = `fan-${fanoutRuns}`;
    sampler.mark(`${mark}-start`);
    const split = cpuSplit(server.pid);

    // The writer: pod k at start + k/rate, acknowledgement time recorded per pod.
    const sendAt = new Map<number, number>();
    const ackAt = new Map<number, number>();
    let writeErrors = 0;
    const writes: Promise<void>[] = [];
    const start = nowMs();
    for (let k = 1; k <= config.fanoutEvents; k++) {
      const due = start + ((k - 1) * 1000) / config.ratePerSecond;
      const wait = due - nowMs();
      if (wait > 0) await sleep(wait);
      sendAt.set(k, nowMs());
      writes.push(
        call(pool, 'POST', writePath, benchPod(`${prefix}${k}`, { app: 'fan' })).then(
          (res) => {
            ackAt.set(k, nowMs());
            if (res.status !== 201) writeErrors++;
          },
          () => {
            writeErrors++;
          },
        ),
      );
    }
    await Promise.all(writes);
    await waitUntil(
      () => fleets.every((f) => f.seen.size >= config.fanoutEvents),
      30_000,
      () =>
        `every watcher to see ${config.fanoutEvents} events (${fleets.map((f) => f.seen.size).join(', ')})`,
    ).catch((e: unknown) => log(`  ${String(e)}`));
    sampler.mark(`${mark}-end`);
    const splitEnd = cpuSplit(server.pid);
    const apiserver = sampler.usage([server.pid], `${mark}-start`, `${mark}-end`);
    const fleetUsage = fleetPids.map((pid) => sampler.usage([pid], `${mark}-start`, `${mark}-end`));
    for (const f of fleets) f.child.send({ type: 'stop' });
    const stats = await Promise.all(fleets.map((f) => f.done));

    const delivery = new LatencyHistogram();
    const fromSend = new LatencyHistogram();
    const writeLatency = new LatencyHistogram();
    let beforeAck = 0;
    let undelivered = 0;
    for (let k = 1; k <= config.fanoutEvents; k++) {
      const arrivals = fleets.map((f) => f.seen.get(k));
      const ack = ackAt.get(k);
      if (arrivals.some((a) => a === undefined) || ack === undefined) {
        undelivered++;
        continue;
      }
      const last = Math.max(...(arrivals as number[]));
      if (last < ack) beforeAck++;
      delivery.recordMs(Math.max(0, last - ack));
      fromSend.recordMs(last - sendAt.get(k)!);
      writeLatency.recordMs(ack - sendAt.get(k)!);
    }
    const duplicates = stats.reduce((n, st) => n + st.unexpected, 0);
    if (undelivered > 0 || duplicates > 0 || writeErrors > 0) {
      // A watch that loses or repeats events makes every figure here meaningless.
      log(
        `  CORRECTNESS: ${undelivered} undelivered, ${duplicates} duplicated, ${writeErrors} failed writes`,
      );
      process.exitCode = 1;
    }
    const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
    const row = {
      watchers,
      target: target.name,
      storage: config.storages[0]!,
      ratePerSecond: config.ratePerSecond,
      events: config.fanoutEvents,
      writeErrors,
      undeliveredEvents: undelivered,
      /** Write acknowledged (201 received) → the event is at the last watcher; 0 when it got there first. */
      deliveryMs: delivery.percentilesMs(),
      /** Write sent → the event is at the last watcher. */
      deliveryFromSendMs: fromSend.percentilesMs(),
      /** The writer's create latency while the watchers are served. */
      writeLatencyMs: writeLatency.percentilesMs(),
      eventsAtLastWatcherBeforeAck: beforeAck,
      apiserver: {
        cores: apiserver.cores,
        cpuMsPerEvent: Math.round((apiserver.cpuSeconds * 1e5) / config.fanoutEvents) / 100,
        /** The user-space (JavaScript) part; the rest is the kernel's socket writes. */
        userCpuMsPerEvent: Math.round((splitEnd.userUs - split.userUs) / 10 / config.fanoutEvents) / 100,
        rssBeforeWatchersMiB: mib(rssBefore),
        rssWithWatchersMiB: mib(rssWithWatchers),
        peakRssMiB: apiserver.peakRssMiB,
        kibPerWatcher: Math.round((rssWithWatchers - rssBefore) / 1024 / watchers),
      },
      watcherProcesses: fleets.map((_, i) => ({
        connections: stats[i]!.connections,
        lost: stats[i]!.lost,
        eventsComplete: stats[i]!.eventsComplete,
        unexpectedEvents: stats[i]!.unexpected,
        cores: fleetUsage[i]!.cores,
        eventLoopDelayP99Ms: stats[i]!.eventLoopDelayP99Ms,
      })),
    };
    log(
      `  ${target.name}, ${watchers} watchers: delivery p50 ${row.deliveryMs.p50} ms, p99 ${row.deliveryMs.p99} ms; apiserver ${apiserver.cores} cores, ` +
        `watcher processes ${row.watcherProcesses.map((w) => w.cores).join('/')} cores`,
    );
    return row;
  } finally {
    for (const f of fleets) {
      sampled.delete(f.child.pid!);
      await stop(f.child, 2000);
    }
    await pool.destroy();
  }
}

/** The peer: bare node:http answering the bytes a GET of a bench pod answers with. */
async function startFloor(): Promise<Child> {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-bench-floor-'));
  tempDirs.push(dir);
  writeFileSync(join(dir, 'pod.json'), JSON.stringify(benchPod('floor')));
  const floor = await spawnListening([
    'bench/lib/http-floor.ts',
    join(dir, 'pod.json'),
    String(config.listSize),
  ]);
  sampled.add(floor.pid);
  return floor;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const requests: RequestRow[] = [];
  const peer: RequestRow[] = [];
  const fixedRate: Array<Awaited<ReturnType<typeof measureFixedRate>>> = [];
  const fanout: Array<Awaited<ReturnType<typeof measureFanout>>> = [];
  const fanoutPeer: Array<Awaited<ReturnType<typeof measureFanout>>> = [];
  log(`bench/apiserver: ${JSON.stringify(config)}`);
  const floor = await startFloor();
  try {
    for (const [i, storage] of config.storages.entries()) {
      log(`apiserver on ${storage}`);
      const server = await startApiServer(storage);
      sampled.add(server.pid);
      try {
        await checkCorrectness(server.url);
        if (i === 0 && config.phases.includes('fanout')) {
          const peer = await spawnListening(['bench/lib/fanout-floor.ts']);
          sampled.add(peer.pid);
          try {
            for (const watchers of config.watchers) {
              fanout.push(await measureFanout(apiserverTarget(server), watchers));
              fanoutPeer.push(await measureFanout(floorTarget(peer), watchers));
            }
          } finally {
            await peer.stop();
            sampled.delete(peer.pid);
          }
        }
        if (config.phases.includes('requests')) {
          const measured = await measureRequests(server, floor, storage);
          requests.push(...measured.ours);
          peer.push(...measured.peer);
        }
        if (config.phases.includes('rate')) fixedRate.push(await measureFixedRate(server, storage));
      } finally {
        await server.stop();
        sampled.delete(server.pid);
      }
    }
  } finally {
    await floor.stop();
    sampler.close();
    await etcd?.stop();
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  }
  const result = {
    benchmark: 'apiserver',
    machine: machineInfo(),
    config,
    requests,
    peer: { name: 'bare node:http (same bytes, no API work), interleaved with each storage', requests: peer },
    fixedRate,
    fanout,
    fanoutPeer,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  printTable(result);
}

function printTable(result: {
  requests: RequestRow[];
  peer: { requests: RequestRow[] };
  fixedRate: Array<{
    storage: string;
    targetPerSecond: number;
    achievedPerSecond: number;
    latencyMs: Percentiles;
    errors: number;
  }>;
  fanoutPeer: Array<{ watchers: number; deliveryMs: Percentiles; apiserver: { cores: number } }>;
  fanout: Array<{
    watchers: number;
    deliveryMs: Percentiles;
    apiserver: { cores: number; peakRssMiB: number; kibPerWatcher: number };
    watcherProcesses: Array<{ cores: number }>;
  }>;
}): void {
  const rows: string[][] = [['case', 'req/s', 'p50 ms', 'p99 ms', 'notes']];
  for (const r of result.requests)
    rows.push([
      `${r.verb} (${r.storage})`,
      String(r.requestsPerSecond),
      String(r.latencyMs.p50),
      String(r.latencyMs.p99),
      `${r.serverCpuUsPerRequest} µs CPU/req, ${r.errors} errors`,
    ]);
  for (const r of result.peer.requests)
    rows.push([
      `${r.verb} (bare node:http, beside ${r.storage})`,
      String(r.requestsPerSecond),
      String(r.latencyMs.p50),
      String(r.latencyMs.p99),
      `peer, ${r.serverCpuUsPerRequest} µs CPU/req`,
    ]);
  for (const r of result.fixedRate)
    rows.push([
      `create @${r.targetPerSecond}/s (${r.storage})`,
      String(r.achievedPerSecond),
      String(r.latencyMs.p50),
      String(r.latencyMs.p99),
      `${r.errors} errors`,
    ]);
  for (const r of result.fanout)
    rows.push([
      `fan-out ${r.watchers} watchers`,
      '',
      String(r.deliveryMs.p50),
      String(r.deliveryMs.p99),
      `apiserver ${r.apiserver.cores} cores, ${r.apiserver.peakRssMiB} MiB (${r.apiserver.kibPerWatcher} KiB/watcher); watchers ${r.watcherProcesses.map((w) => w.cores).join('/')} cores`,
    ]);
  for (const r of result.fanoutPeer)
    rows.push([
      `fan-out ${r.watchers} watchers (bare node:http)`,
      '',
      String(r.deliveryMs.p50),
      String(r.deliveryMs.p99),
      `peer ${r.apiserver.cores} cores`,
    ]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
}

main().catch((e: unknown) => {
  log(String(e instanceof Error ? (e.stack ?? e.message) : e));
  process.exitCode = 1;
});
