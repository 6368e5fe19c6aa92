// Benchmark: kubelite's proxy data paths against HAProxy 2.6 (1 thread) and a direct connection, all
// in one run, interleaved, medians of N rounds. 3 nginx backends (94-byte body and a 64 KiB file),
// wrk with 1 thread. Prints one JSON object on stdout and a table on stderr.
//   node --import tsx bench/proxy.ts [--duration-s 5] [--rounds 3] [--quick] [--only a,b] [--engines]
// --only filters targets and scenarios by name; --engines adds the tcp engine comparison (native
// splice and the JavaScript pump). Kernel mode runs in a network namespace the benchmark creates.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Endpoints, Service } from '../src/api/types.js';
import { LatencyHistogram, median } from './lib/histogram.js';
import { httpGet, httpGetInNetns } from './lib/http-probe.js';
import { machineInfo } from './lib/machine.js';
import { startHaproxy, startNginx } from './lib/peers.js';
import { cpuMicros, spawnTracked, stderrTail, stop, stopAll } from './lib/processes.js';
import type { ChildReply, ChildRequest } from './lib/proxy-child.js';
import { runWrk, type WrkResult } from './lib/wrk.js';

const { values: flags } = parseArgs({
  options: {
    'duration-s': { type: 'string', default: process.env.KUBELITE_DURATION_S ?? '5' },
    rounds: { type: 'string', default: process.env.KUBELITE_ROUNDS ?? '3' },
    quick: { type: 'boolean', default: process.env.KUBELITE_QUICK === '1' },
    only: { type: 'string', default: process.env.KUBELITE_ONLY ?? '' },
    engines: { type: 'boolean', default: process.env.KUBELITE_ENGINES === '1' },
    'netprog-changes': { type: 'string', default: process.env.KUBELITE_NETPROG_CHANGES ?? '100' },
  },
});
const quick = flags.quick === true;
const durationS = quick ? 1 : Number(flags['duration-s']);
const rounds = quick ? 1 : Number(flags.rounds);
const only = (flags.only ?? '').split(',').filter(Boolean);
/** `--only` entries naming targets filter targets, those naming scenarios filter scenarios. */
function filterByOnly<T extends { name: string }>(items: T[]): T[] {
  const mine = only.filter((o) => items.some((item) => item.name.includes(o)));
  return mine.length === 0 ? items : items.filter((item) => mine.some((o) => item.name.includes(o)));
}
const netprogChanges = quick ? 20 : Number(flags['netprog-changes']);

interface Scenario {
  name: string;
  connections: number;
  path: string;
  headers: string[];
}
const scenarios: Scenario[] = [
  { name: 'keepalive-64', connections: 64, path: '/', headers: [] },
  { name: 'keepalive-256', connections: 256, path: '/', headers: [] },
  { name: 'body-64k', connections: 64, path: '/64k', headers: [] },
  { name: 'conn-per-request', connections: 64, path: '/', headers: ['Connection: close'] },
];

interface Target {
  name: string;
  host: string;
  port: number;
  /** The process whose CPU time is charged to the target (none for direct and kernel). */
  cpuOf?: () => number | undefined;
  netns?: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A 94-byte body that names its backend, so routing can be observed. */
function bodyFor(index: number): string {
  return `backend-${index} `.padEnd(94, 'x');
}

type ChildRequestBody = ChildRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

class ProxyChild {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: ChildReply) => void>();
  readonly ready: Promise<void>;

  constructor(readonly process: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      process.once('exit', (code) =>
        reject(new Error(`proxy child exited (${code}): ${stderrTail(process)}`)),
      );
      process.on('message', (reply: ChildReply) => {
        if (reply.id === 0) return resolve();
        this.waiting.get(reply.id)?.(reply);
        this.waiting.delete(reply.id);
      });
    });
  }

  static start(name: string, env: Record<string, string>): ProxyChild {
    const child = spawnTracked(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'lib', 'proxy-child.ts')],
      {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        env: { ...process.env, ...env, KUBELITE_BENCH_NAME: name },
      },
    );
    return new ProxyChild(child);
  }

  request(body: ChildRequestBody, wait = true): Promise<ChildReply> {
    const id = this.nextId++;
    const reply = new Promise<ChildReply>((resolve) => this.waiting.set(id, resolve));
    this.process.send({ ...body, id });
    if (!wait) return reply;
    return reply.then((r) => {
      if (!r.ok) throw new Error(`proxy child: ${r.error}`);
      return r;
    });
  }

  cpu(): number | undefined {
    return this.process.pid ? cpuMicros(this.process.pid) : undefined;
  }
}

function service(name: string, clusterIP: string, port: number, mode: string): Service {
  return {
    metadata: { name, namespace: 'bench', annotations: { 'kubelite.io/proxy-mode': mode } },
    spec: { clusterIP, ports: [{ name: 'http', port, protocol: 'TCP' }] },
  };
}

function endpoints(name: string, ports: number[], changedAtMs?: number): Endpoints {
  return {
    metadata: {
      name,
      namespace: 'bench',
      annotations: changedAtMs
        ? { 'endpoints.kubernetes.io/last-change-trigger-time': new Date(changedAtMs).toISOString() }
        : {},
    },
    subsets: ports.map((port) => ({ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'http', port }] })),
  };
}

interface Sample {
  wrk: WrkResult;
  cpuUs?: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-bench-proxy-'));
  const netns = `kubelite-bench-${process.pid}`;
  let netnsCreated = false;
  const skipped: Record<string, string> = {};
  const cleanup = () => {
    stopAll();
    if (netnsCreated) {
      netnsCreated = false;
      try {
        execFileSync('ip', ['netns', 'del', netns]);
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  const started: ChildProcess[] = [];
  const planned = [
    'direct',
    'haproxy-tcp',
    'haproxy-http',
    'kubelite-tcp',
    'kubelite-http',
    'direct-netns',
    'kubelite-kernel',
  ];
  if (flags.engines) planned.push('kubelite-tcp-splice', 'kubelite-tcp-js', 'kubelite-http-js');
  const wanted = new Set(filterByOnly(planned.map((name) => ({ name }))).map((t) => t.name));
  try {
    const backendPorts = [await freePort(), await freePort(), await freePort()];
    for (const [i, port] of backendPorts.entries()) {
      started.push((await startNginx({ name: `nginx-${i}`, port, dir, body: bodyFor(i) })).process);
    }
    const targets: Target[] = [{ name: 'direct', host: '127.0.0.1', port: backendPorts[0]! }];

    const haTcp = await startHaproxy({
      name: 'haproxy-tcp',
      mode: 'tcp',
      port: await freePort(),
      backends: backendPorts,
      dir,
    });
    const haHttp = await startHaproxy({
      name: 'haproxy-http',
      mode: 'http',
      port: await freePort(),
      backends: backendPorts,
      dir,
    });
    const pidCpu = (p: ChildProcess) => () => (p.pid ? cpuMicros(p.pid) : undefined);
    targets.push({ name: 'haproxy-tcp', host: '127.0.0.1', port: haTcp.port, cpuOf: pidCpu(haTcp.process) });
    targets.push({
      name: 'haproxy-http',
      host: '127.0.0.1',
      port: haHttp.port,
      cpuOf: pidCpu(haHttp.process),
    });

    // kubelite: one proxy process serving a tcp and an http service; more processes for the engine comparison.
    // [tcp target, tcp engine, http target (same process), http engine]
    const engines: Array<[string, string, string, string]> = [
      ['kubelite-tcp', 'native', 'kubelite-http', 'native'],
    ];
    if (flags.engines) {
      engines.push(
        ['kubelite-tcp-splice', 'native-splice', '', ''],
        ['kubelite-tcp-js', 'js', 'kubelite-http-js', 'js'],
      );
    }
    const children: ProxyChild[] = [];
    for (const [name, engine, httpName, httpEngine] of engines) {
      const child = ProxyChild.start(name, {
        KUBELITE_BENCH_TCP_ENGINE: engine,
        KUBELITE_BENCH_HTTP_ENGINE: httpEngine,
      });
      children.push(child);
      await child.ready;
      const tcpPort = await freePort();
      const services = [service('tcp', '127.0.0.1', tcpPort, 'tcp')];
      const eps = [endpoints('tcp', backendPorts)];
      const httpPort = httpName ? await freePort() : 0;
      if (httpName) {
        services.push(service('http', '127.0.0.1', httpPort, 'http'));
        eps.push(endpoints('http', backendPorts));
      }
      if (children.length === 1) {
        services.push(service('np', '127.0.0.1', await freePort(), 'tcp'));
        eps.push(endpoints('np', [backendPorts[1]!]));
      }
      await child.request({ op: 'apply', services, endpoints: eps });
      targets.push({ name, host: '127.0.0.1', port: tcpPort, cpuOf: () => child.cpu() });
      if (httpName)
        targets.push({ name: httpName, host: '127.0.0.1', port: httpPort, cpuOf: () => child.cpu() });
    }
    const mainChild = children[0]!;

    // Kernel mode: nftables in a network namespace of our own, with its own backends and wrk inside.
    if (process.getuid?.() !== 0) {
      skipped['kubelite-kernel'] = 'needs root (nftables and network namespaces)';
    } else if (wanted.has('kubelite-kernel') || wanted.has('direct-netns')) {
      execFileSync('ip', ['netns', 'add', netns]);
      netnsCreated = true;
      execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
      const wrap = ['ip', 'netns', 'exec', netns];
      for (const [i, port] of backendPorts.entries()) {
        const peer = await startNginx({
          name: `netns-nginx-${i}`,
          port,
          dir,
          body: bodyFor(i),
          wrap,
          probe: (p) =>
            httpGetInNetns(netns, '127.0.0.1', p, '/').then(
              (r) => r.status === 200,
              () => false,
            ),
        });
        started.push(peer.process);
      }
      const kernelChild = ProxyChild.start('kubelite-kernel', {
        KUBELITE_BENCH_NFT: JSON.stringify([...wrap, 'nft']),
      });
      children.push(kernelChild);
      await kernelChild.ready;
      await kernelChild.request({
        op: 'apply',
        services: [service('kernel', '127.10.0.10', 80, 'kernel')],
        endpoints: [endpoints('kernel', backendPorts)],
      });
      targets.push({ name: 'direct-netns', host: '127.0.0.1', port: backendPorts[0]!, netns });
      targets.push({ name: 'kubelite-kernel', host: '127.10.0.10', port: 80, netns });
    }

    const runTargets = filterByOnly(targets);
    const activeScenarios = filterByOnly(scenarios);

    // Correctness before load: every target answers both paths with the right sizes.
    for (const target of runTargets) {
      for (const [path, size] of [
        ['/', 94],
        ['/64k', 65536],
      ] as const) {
        const result = target.netns
          ? await httpGetInNetns(target.netns, target.host, target.port, path)
          : await httpGet(target.host, target.port, path);
        if (result.status !== 200 || result.body.length !== size) {
          throw new Error(`${target.name} ${path}: status ${result.status}, ${result.body.length} bytes`);
        }
      }
    }

    const samples = new Map<string, Sample[]>();
    for (let round = 0; round < rounds; round++) {
      for (const scenario of activeScenarios) {
        const order = runTargets.map((_, i) => runTargets[(i + round) % runTargets.length]!);
        for (const target of order) {
          const before = target.cpuOf?.();
          const wrk = await runWrk({
            url: `http://${target.host}:${target.port}${scenario.path}`,
            connections: scenario.connections,
            durationS,
            headers: scenario.headers,
            netns: target.netns,
            workDir: dir,
          });
          const after = target.cpuOf?.();
          const key = `${scenario.name}/${target.name}`;
          const list = samples.get(key) ?? [];
          list.push({ wrk, cpuUs: before !== undefined && after !== undefined ? after - before : undefined });
          samples.set(key, list);
          process.stderr.write(
            `round ${round + 1}/${rounds} ${key}: ${Math.round(wrk.requestsPerSecond)} req/s p99 ${wrk.latencyUs.p99} µs\n`,
          );
        }
      }
    }

    // Network programming: endpoint change sent → first new connection answered by the new endpoint.
    const netprog = new LatencyHistogram();
    if (only.length === 0 || only.includes('netprog')) {
      const npPort = (await mainChild.request({ op: 'apply', services: [], endpoints: [] })).addresses?.[
        'bench/np:http'
      ];
      if (!npPort) throw new Error('np service has no port');
      for (let i = 0; i < netprogChanges; i++) {
        const want = 1 + ((i + 1) % 2);
        const startedAt = performance.now();
        void mainChild.request(
          { op: 'endpoints', endpoints: endpoints('np', [backendPorts[want]!], Date.now()) },
          false,
        );
        // Probe back to back (each probe is a new connection) until the new endpoint answers.
        const deadline = startedAt + 5000;
        while (!(await httpGet('127.0.0.1', npPort, '/')).body.toString().startsWith(`backend-${want} `)) {
          if (performance.now() > deadline) throw new Error('endpoint change not routed within 5 s');
        }
        netprog.recordMs(performance.now() - startedAt);
      }
    }

    report(samples, activeScenarios, runTargets, netprog, skipped);
    for (const child of children) await child.request({ op: 'exit' }, false).catch(() => undefined);
    for (const p of [...started, haTcp.process, haHttp.process, ...children.map((c) => c.process)])
      await stop(p);
  } finally {
    cleanup();
  }
}

interface Figure {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; p999: number };
  cpuUsPerRequest?: number;
  errors: number;
  rounds: number;
}

function report(
  samples: Map<string, Sample[]>,
  scenarioList: Scenario[],
  targetList: Target[],
  netprog: LatencyHistogram,
  skipped: Record<string, string>,
): void {
  const results: Record<string, Record<string, Figure>> = {};
  for (const scenario of scenarioList) {
    results[scenario.name] = {};
    for (const target of targetList) {
      const list = samples.get(`${scenario.name}/${target.name}`);
      if (!list) continue;
      const cpu = list
        .filter((s) => s.cpuUs !== undefined)
        .map((s) => s.cpuUs! / Math.max(1, s.wrk.requests));
      const e = (s: Sample) =>
        s.wrk.errors.connect +
        s.wrk.errors.read +
        s.wrk.errors.write +
        s.wrk.errors.status +
        s.wrk.errors.timeout;
      results[scenario.name]![target.name] = {
        requestsPerSecond: Math.round(median(list.map((s) => s.wrk.requestsPerSecond))),
        latencyMs: {
          p50: median(list.map((s) => s.wrk.latencyUs.p50)) / 1000,
          p99: median(list.map((s) => s.wrk.latencyUs.p99)) / 1000,
          p999: median(list.map((s) => s.wrk.latencyUs.p999)) / 1000,
        },
        cpuUsPerRequest: cpu.length ? Math.round(median(cpu) * 10) / 10 : undefined,
        errors: list.reduce((sum, s) => sum + e(s), 0),
        rounds: list.length,
      };
    }
  }
  const ratio = (scenario: string, a: string, b: string, field: 'rps' | 'cpu' | 'p99' = 'rps') => {
    const x = results[scenario]?.[a];
    const y = results[scenario]?.[b];
    if (!x || !y) return undefined;
    const pick = (f: Figure) =>
      field === 'rps' ? f.requestsPerSecond : field === 'cpu' ? f.cpuUsPerRequest : f.latencyMs.p99;
    const [va, vb] = [pick(x), pick(y)];
    return va !== undefined && vb ? Math.round((va / vb) * 100) / 100 : undefined;
  };
  const ratios: Record<string, number | undefined> = {};
  for (const s of scenarioList) {
    ratios[`${s.name}: tcp/haproxy-tcp req/s`] = ratio(s.name, 'kubelite-tcp', 'haproxy-tcp');
    ratios[`${s.name}: tcp/haproxy-tcp cpu/req`] = ratio(s.name, 'kubelite-tcp', 'haproxy-tcp', 'cpu');
    ratios[`${s.name}: tcp/haproxy-tcp p99`] = ratio(s.name, 'kubelite-tcp', 'haproxy-tcp', 'p99');
    ratios[`${s.name}: http/haproxy-http req/s`] = ratio(s.name, 'kubelite-http', 'haproxy-http');
    ratios[`${s.name}: http/haproxy-tcp req/s`] = ratio(s.name, 'kubelite-http', 'haproxy-tcp');
    ratios[`${s.name}: tcp/direct req/s`] = ratio(s.name, 'kubelite-tcp', 'direct');
    ratios[`${s.name}: kernel/direct-netns req/s`] = ratio(s.name, 'kubelite-kernel', 'direct-netns');
  }
  for (const k of Object.keys(ratios)) if (ratios[k] === undefined) delete ratios[k];
  const np = netprog.percentilesMs();
  const output = {
    benchmark: 'proxy',
    machine: machineInfo(),
    config: { durationS, rounds, wrkThreads: 1, backends: 3, bodyBytes: 94 },
    results,
    ratios,
    networkProgrammingMs: np.count ? np : undefined,
    skipped,
  };
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);

  const rows: string[] = [];
  const pad = (s: string, n: number) => s.padStart(n);
  rows.push(
    `${'scenario'.padEnd(18)}${'target'.padEnd(22)}${pad('req/s', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('p999 ms', 9)}${pad('cpu µs/req', 12)}${pad('errors', 8)}`,
  );
  for (const [scenario, byTarget] of Object.entries(results)) {
    for (const [target, f] of Object.entries(byTarget)) {
      rows.push(
        `${scenario.padEnd(18)}${target.padEnd(22)}${pad(String(f.requestsPerSecond), 9)}${pad(f.latencyMs.p50.toFixed(2), 9)}${pad(f.latencyMs.p99.toFixed(2), 9)}${pad(f.latencyMs.p999.toFixed(2), 9)}${pad(f.cpuUsPerRequest?.toFixed(1) ?? '-', 12)}${pad(String(f.errors), 8)}`,
      );
    }
  }
  rows.push('', 'ratios (same run, medians):');
  for (const [k, v] of Object.entries(ratios)) rows.push(`  ${k.padEnd(48)} ${v}`);
  if (np.count)
    rows.push(
      `network programming over ${np.count} changes: p50 ${np.p50} ms, p99 ${np.p99} ms, max ${np.max} ms`,
    );
  for (const [k, v] of Object.entries(skipped)) rows.push(`skipped ${k}: ${v}`);
  process.stderr.write(`${rows.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/proxy: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
