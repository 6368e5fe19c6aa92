// Cluster scale simulation, as Kubernetes tests 5,000 nodes without 5,000 machines: a real
// apiserver (embedded store), scheduler and controller-manager as child processes of the kubelite
// CLI, and N hollow nodes — real kubelets (createKubelet) over the fake runtime, many per host
// process, each with its own pod watch and node Lease heartbeats — then replication controllers for
// --pods-per-node pods per node (the saturation phase), then --latency-pods single pods created at
// a steady rate (the latency phase, as Kubernetes' density test measures pod startup).
// Reports per cluster size: API call p99 per verb/resource from apiserver_request_duration_seconds
// against the SLOs (1 s mutating and get, 30 s list), pod startup p99 (create → Running through a
// watch; SLO 5 s), scheduler throughput, apiserver RSS and CPU, memory per hollow node, and
// findings: where it breaks first, with the evidence.
//   node --import tsx bench/cluster-scale.ts [--nodes 1000,5000] [--pods-per-node 30] [--quick]
//        [--nodes-per-host 1000] [--pods-per-rc 500] [--latency-pods 100] [--latency-rate 10]
//        [--heartbeat-period-ms 10000] [--host-connections 128] [--phase-timeout-s 1800] [--stall-s 300]
//        [--storage embedded|memory]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiError } from '../src/api/errors.js';
import type { Pod, ReplicationController } from '../src/api/types.js';
import { createClient, type KubeClient } from '../src/client/index.js';
import { type StartedComponent, startComponent } from '../test/harness/component.js';
import { apiCallLatencies, scrapeApiHistograms } from './lib/api-slo.js';
import { NodeTracker, PodTracker } from './lib/cluster-watch.js';
import { LatencyHistogram } from './lib/histogram.js';
import { HollowHosts } from './lib/hollow-hosts.js';
import { machineInfo } from './lib/machine.js';
import { listenQueue, openFds, ProcSampler } from './lib/proc-sampler.js';
import { cpuMicros } from './lib/processes.js';

const env = (name: string, fallback: string) => process.env[`KUBELITE_${name}`] ?? fallback;
const { values: flags } = parseArgs({
  options: {
    nodes: { type: 'string', default: env('NODES', '1000,5000') },
    'pods-per-node': { type: 'string', default: env('PODS_PER_NODE', '30') },
    'nodes-per-host': { type: 'string', default: env('NODES_PER_HOST', '1000') },
    'pods-per-rc': { type: 'string', default: env('PODS_PER_RC', '500') },
    'latency-pods': { type: 'string', default: env('LATENCY_PODS', '100') },
    'latency-rate': { type: 'string', default: env('LATENCY_RATE', '10') },
    'heartbeat-period-ms': { type: 'string', default: env('HEARTBEAT_PERIOD_MS', '10000') },
    'host-connections': { type: 'string', default: env('HOST_CONNECTIONS', '128') },
    'phase-timeout-s': { type: 'string', default: env('PHASE_TIMEOUT_S', '1800') },
    'stall-s': { type: 'string', default: env('STALL_S', '300') },
    storage: { type: 'string', default: env('STORAGE', 'embedded') },
    quick: { type: 'boolean', default: process.env.KUBELITE_QUICK === '1' },
  },
});
const quick = flags.quick === true;
const config = {
  nodes: quick ? [50] : flags.nodes!.split(',').map(Number),
  podsPerNode: quick ? 10 : Number(flags['pods-per-node']),
  nodesPerHost: quick ? 50 : Number(flags['nodes-per-host']),
  podsPerRc: quick ? 250 : Number(flags['pods-per-rc']),
  latencyPods: quick ? 10 : Number(flags['latency-pods']),
  latencyRate: Number(flags['latency-rate']),
  heartbeatPeriodMs: Number(flags['heartbeat-period-ms']),
  /** Keep-alive connections a host's kubelets share for requests (watches have their own). */
  hostConnections: Number(flags['host-connections']),
  phaseTimeoutS: quick ? 120 : Number(flags['phase-timeout-s']),
  /** A phase ends early when it gains less than 1% of its target in this long. */
  stallS: Number(flags['stall-s']),
  storage: flags.storage!,
  quick,
};
for (const [k, v] of Object.entries(config))
  if (typeof v === 'number' && !(v > 0)) throw new Error(`--${k}: expected a positive number, got ${v}`);
if (config.nodes.some((n) => !(n > 0)))
  throw new Error(`--nodes: expected positive counts, got ${flags.nodes}`);
if (!['embedded', 'memory'].includes(config.storage)) throw new Error(`--storage: embedded or memory`);

// Thousands of watches hold thousands of sockets (3 per hollow kubelet at the apiserver): the
// children inherit this process's descriptor limit, which must cover them.
const wrap: string[] = [];
const say = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (ms: number) => Math.round(ms / 100) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cpuPressure(): number | undefined {
  try {
    const m = /some avg10=[\d.]+ avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

type Outcome = 'done' | 'timeout' | 'stalled';

/** Polls `check` until it passes; gives up after `timeoutMs`, or when `progress` gained less than
 * `minGain` over a window of `stallMs` (a cluster that stopped moving, or crawls, is a finding, not
 * a reason to wait for the timeout). */
async function until(
  check: () => boolean,
  timeoutMs: number,
  tick: () => void,
  progress: () => number = () => 0,
  stallMs = Number.POSITIVE_INFINITY,
  minGain = 1,
): Promise<Outcome> {
  const deadline = Date.now() + timeoutMs;
  let lastTick = 0;
  let window = { at: Date.now(), progress: progress() };
  while (!check()) {
    const now = Date.now();
    if (now > deadline) return 'timeout';
    if (now - window.at >= stallMs) {
      const p = progress();
      if (p - window.progress < minGain) return 'stalled';
      window = { at: now, progress: p };
    }
    if (now - lastTick >= 5000) {
      lastTick = now;
      tick();
    }
    await sleep(100);
  }
  tick();
  return 'done';
}

function podSpec(): Pod['spec'] {
  return {
    containers: [
      {
        name: 'pause',
        image: 'kubelite/pause:latest',
        imagePullPolicy: 'IfNotPresent',
        resources: { requests: { cpu: '10m', memory: '16Mi' } },
      },
    ],
    terminationGracePeriodSeconds: 0,
  };
}

function replicationController(name: string, replicas: number): ReplicationController {
  const labels = { app: name, bench: 'cluster-scale' };
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: labels, template: { metadata: { labels }, spec: podSpec() } },
  };
}

async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

function percentiles(values: number[]) {
  const h = new LatencyHistogram();
  for (const v of values) h.recordMs(v);
  const p = h.percentilesMs();
  return { count: p.count, p50: p.p50, p90: h.atMs(90), p99: p.p99, p999: p.p999, max: p.max };
}

interface TimelinePoint {
  s: number;
  nodesReady: number;
  podsSeen: number;
  bound: number;
  running: number;
  apiserverCores: number;
}

/** Calls the apiserver turned away for load (429, 503, 504) are retried after their Retry-After;
 * `refused` counts them (an overloaded apiserver is a finding). */
async function persist<T>(
  call: () => Promise<T>,
  refused: { count: number },
  timeoutMs = 600_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const e = err as ApiError;
      if (!(e instanceof ApiError) || ![429, 503, 504].includes(e.httpCode) || Date.now() > deadline)
        throw err;
      refused.count++;
      const after = Number((e.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 1);
      await sleep(Math.max(100, after * 1000));
    }
  }
}

async function runSize(nodes: number, findings: string[]) {
  const pods = nodes * config.podsPerNode;
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-cluster-scale-'));
  const components: StartedComponent[] = [];
  let hosts: HollowHosts | undefined;
  let client: KubeClient | undefined;
  let nodeTracker: NodeTracker | undefined;
  let podTracker: PodTracker | undefined;
  let sampler: ProcSampler | undefined;
  const refused = { count: 0 };
  const quiet = ['--log-level', 'warn'];
  const killAll = () => {
    hosts?.kill();
    for (const c of components) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  };
  // Interrupted (Ctrl-C, the suite's timeout): no child may outlive the benchmark.
  const onSignal = () => {
    killAll();
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('exit', killAll);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    say(`— ${nodes} nodes, ${pods} pods`);
    const storage = config.storage === 'memory' ? 'memory://' : `embedded://${join(dir, 'data')}`;
    const apiserver = await startComponent(['apiserver', '--storage', storage, '--port', '0', ...quiet], {
      wrap,
    });
    components.push(apiserver);
    const server = apiserver.url;
    const before = await scrapeApiHistograms(server);
    // Started together; each recorded once serving, so a failure of one still stops the other.
    const masters = await Promise.allSettled(
      ['scheduler', 'controller-manager'].map((name) =>
        startComponent([name, '--server', server, '--metrics-port', '0', ...quiet], { wrap }).then((c) => {
          components.push(c);
          return c;
        }),
      ),
    );
    const [scheduler, controllerManager] = masters.map((m) => {
      if (m.status === 'rejected') throw m.reason;
      return m.value;
    }) as [StartedComponent, StartedComponent];
    // maxRetries 0: persist() is the one retry loop here, so it sees and counts every refusal.
    client = createClient({ server, connections: 8, maxRetries: 0 });
    nodeTracker = new NodeTracker(client);
    podTracker = new PodTracker(client);
    const pid = (c: StartedComponent) => c.child.pid!;
    const hollow = new HollowHosts({
      server,
      nodeNamePrefix: 'hollow-',
      nodes,
      nodesPerHost: config.nodesPerHost,
      heartbeatPeriodMs: config.heartbeatPeriodMs,
      connections: config.hostConnections,
      // About 50 kubelets registering at once in all, however many hosts.
      startBatch: Math.max(5, Math.ceil(50 / Math.ceil(nodes / config.nodesPerHost))),
      maxPods: 110,
      logDir: dir,
      wrap,
    });
    hosts = hollow;
    sampler = new ProcSampler(() => [...components.map(pid), ...hollow.pids], 1000);
    sampler.mark('start');
    const t0 = performance.now();
    const timeline: TimelinePoint[] = [];
    let lastCpu = { at: performance.now(), us: cpuMicros(pid(apiserver)) };
    const port = Number(new URL(server).port);
    const evidence = { peakAcceptQueue: 0, backlog: 0, peakApiserverFds: 0 };
    const nt = nodeTracker;
    const pt = podTracker;
    const tick = (phase: string) => () => {
      const now = performance.now();
      const us = cpuMicros(pid(apiserver));
      const cores = (us - lastCpu.us) / 1000 / Math.max(1, now - lastCpu.at);
      lastCpu = { at: now, us };
      const point = {
        s: seconds(now - t0),
        nodesReady: nt.readyCount,
        nodesReadyMost: mostReady,
        podsSeen: pt.pods.size,
        bound: pt.bound,
        running: pt.running,
        apiserverCores: Math.round(cores * 100) / 100,
      };
      timeline.push(point);
      const queue = listenQueue(port);
      if (queue) {
        evidence.peakAcceptQueue = Math.max(evidence.peakAcceptQueue, queue.waiting);
        evidence.backlog = queue.backlog;
      }
      evidence.peakApiserverFds = Math.max(evidence.peakApiserverFds, openFds(pid(apiserver)));
      const p = hollow.progress();
      say(
        `  ${phase} ${point.s}s: nodes ready ${point.nodesReady}/${nodes} (kubelets started ${p.started}, failed ${p.failed}), pods seen ${point.podsSeen} bound ${point.bound} running ${point.running}/${pods}, apiserver ${point.apiserverCores} cores`,
      );
    };
    const timeoutMs = config.phaseTimeoutS * 1000;

    // Registration: every hollow kubelet registers its Node and heartbeats.
    let mostReady = 0;
    const registered = await until(
      () => nt.readyCount >= nodes || hollow.progress().exited > 0,
      timeoutMs,
      tick('registration'),
      // Nodes may flap NotReady and back: progress is the most ever Ready at once.
      () => (mostReady = Math.max(mostReady, nt.readyCount)),
      config.stallS * 1000,
      Math.max(1, nodes / 100),
    );
    const registrationMs = performance.now() - t0;
    sampler.mark('registered');
    const listed = (await client.nodes.list()).items.length;
    if (registered !== 'done' || nt.readyCount < nodes)
      findings.push(
        `registration ${registered}: ${nt.readyCount}/${nodes} nodes Ready after ${seconds(registrationMs)} s (${hollow.progress().exited} host processes exited; last kubelet error: ${hollow.progress().lastError ?? 'none'})`,
      );
    if (listed !== nodes) findings.push(`registration: LIST nodes returned ${listed} of ${nodes}`);
    const memoryRegistered = await hollow.memory();

    // Saturation: replication controllers for every pod, as fast as the cluster takes them.
    const rcCount = Math.ceil(pods / config.podsPerRc);
    const rcs = Array.from({ length: rcCount }, (_, i) =>
      replicationController(`scale-${i}`, Math.min(config.podsPerRc, pods - i * config.podsPerRc)),
    );
    const c = client;
    const saturationStart = performance.now();
    await inParallel(rcs, 8, async (rc) => {
      await persist(() => c.replicationControllers.create('default', rc), refused);
    });
    const saturated = await until(
      () => pt.running >= pods,
      timeoutMs,
      tick('saturation'),
      () => pt.running,
      config.stallS * 1000,
      Math.max(1, pods / 100),
    );
    const saturationMs = performance.now() - saturationStart;
    sampler.mark('saturated');
    if (saturated !== 'done')
      findings.push(
        `saturation ${saturated}: ${pt.running}/${pods} pods Running after ${seconds(saturationMs)} s (seen ${pt.pods.size}, bound ${pt.bound})`,
      );
    const saturationTimes = [...pt.pods.values()];
    const boundAt = saturationTimes
      .flatMap((t) => (t.bound === undefined ? [] : [t.bound]))
      .sort((a, b) => a - b);
    const schedulerSpanS = boundAt.length > 1 ? (boundAt[boundAt.length - 1]! - boundAt[0]!) / 1000 : 0;

    // Latency: single pods at a steady rate into the full cluster; create request → Running.
    const created = new Map<string, number>();
    const latencyStart = performance.now();
    for (let i = 0; i < config.latencyPods; i++) {
      const due = latencyStart + (i * 1000) / config.latencyRate;
      if (due > performance.now()) await sleep(due - performance.now());
      const issued = performance.now();
      const pod: Pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `latency-${i}`, namespace: 'default', labels: { bench: 'cluster-scale-latency' } },
        spec: podSpec(),
      };
      const made = await persist(() => c.pods.create('default', pod), refused).catch((err: unknown) => {
        findings.push(`latency pod create failed: ${(err as Error).message}`);
        return undefined;
      });
      if (made?.metadata.uid) created.set(made.metadata.uid, issued);
    }
    const allRunning = () => [...created.keys()].every((uid) => pt.times(uid)?.running !== undefined);
    await until(allRunning, Math.min(timeoutMs, 120_000), () => {});
    sampler.mark('end');
    const startup = [...created].flatMap(([uid, issued]) => {
      const running = pt.times(uid)?.running;
      return running === undefined ? [] : [running - issued];
    });
    if (startup.length < created.size)
      findings.push(
        `latency: ${created.size - startup.length} of ${created.size} pods not Running within 120 s`,
      );

    const after = await scrapeApiHistograms(server);
    const api = apiCallLatencies(after, before);
    const memory = await hollow.memory();
    const usage = (c: StartedComponent) => ({
      registration: sampler!.usage([pid(c)], 'start', 'registered'),
      saturation: sampler!.usage([pid(c)], 'registered', 'saturated'),
    });
    const apiserverUsage = usage(apiserver);
    const podStartupMs = percentiles(startup);
    const saturationPodStartupMs = percentiles(
      saturationTimes.flatMap((t) => (t.running === undefined ? [] : [t.running - t.seen])),
    );
    for (const call of api.filter((a) => !a.withinSlo))
      findings.push(
        `${call.call}: p99 ${call.p99AboveLastBucket ? '> ' : ''}${call.p99Ms} ms over the ${call.sloMs} ms SLO (${call.count} calls)`,
      );
    if (podStartupMs.count > 0 && podStartupMs.p99 > 5000)
      findings.push(`pod startup p99 ${podStartupMs.p99} ms over the 5 s SLO`);
    if (apiserverUsage.saturation.cores >= 0.9)
      findings.push(
        `apiserver used ${apiserverUsage.saturation.cores} cores during saturation: its event loop is the limit`,
      );
    for (const [name, health] of [
      ['pods', pt.health],
      ['nodes', nt.health],
    ] as const)
      if (health.expired > 0 || health.errors > 0)
        findings.push(
          `benchmark ${name} watch: ${health.expired} expired (410), ${health.errors} errors (${health.lastError ?? ''})`,
        );
    const warnings = [...hollow.warningsByMessage].sort((a, b) => b[1] - a[1]);
    if (warnings.length > 0)
      findings.push(
        `hollow kubelets logged ${hollow.progress().warnings} warnings: ${warnings
          .slice(0, 4)
          .map(([m, n]) => `${n}× ${m}`)
          .join('; ')}`,
      );
    if (refused.count > 0)
      findings.push(
        `the benchmark's own creates were refused ${refused.count} times (429/503/504) and retried`,
      );
    if (evidence.backlog > 0 && evidence.peakAcceptQueue >= evidence.backlog)
      findings.push(
        `apiserver accept queue full: ${evidence.peakAcceptQueue} connections waiting on a listen backlog of ${evidence.backlog} (clients see connect timeouts); ${evidence.peakApiserverFds} descriptors open at most`,
      );

    return {
      nodes,
      pods,
      podsPerNode: config.podsPerNode,
      // Other work on the machine shares its 2 cores: figures at a high load are pessimistic.
      loadAverageAtEnd: machineInfo().loadAverage,
      /** Share of the last 60 s in which runnable tasks waited for a CPU (Linux PSI); high = contended. */
      cpuPressureSomeAvg60: cpuPressure(),
      hosts: hollow.count,
      nodesReady: nt.readyCount,
      nodesReadyMost: mostReady,
      podsBound: pt.bound,
      podsRunning: Math.min(pods, pt.running),
      registrationSeconds: seconds(registrationMs),
      saturation: {
        seconds: seconds(saturationMs),
        replicationControllers: rcCount,
        podsRunningPerSec: Math.round((Math.min(pods, pt.running) / Math.max(0.001, saturationMs)) * 1000),
      },
      schedulerPodsPerSec: schedulerSpanS > 0 ? Math.round(boundAt.length / schedulerSpanS) : 0,
      podStartupMs,
      saturationPodStartupMs,
      api,
      apiserver: {
        peakRssMiB: apiserverUsage.saturation.peakRssMiB,
        lastRssMiB: apiserverUsage.saturation.lastRssMiB,
        registrationCores: apiserverUsage.registration.cores,
        saturationCores: apiserverUsage.saturation.cores,
        cpuSeconds: apiserverUsage.registration.cpuSeconds + apiserverUsage.saturation.cpuSeconds,
      },
      scheduler: usage(scheduler).saturation,
      controllerManager: usage(controllerManager).saturation,
      connections: { ...evidence, warningsByMessage: Object.fromEntries(warnings.slice(0, 10)) },
      hollowNodes: {
        ...memory,
        rssKiBPerNodeAfterRegistration: memoryRegistered.rssKiBPerNode,
        saturationCores: sampler.usage(hollow.pids, 'registered', 'saturated').cores,
      },
      findings,
      timeline,
    };
  } finally {
    await podTracker?.stop();
    await nodeTracker?.stop();
    await client?.close();
    await hosts?.stop();
    for (const c of components.reverse()) await c.stop();
    sampler?.close();
    process.off('exit', killAll);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(dir, { recursive: true, force: true });
  }
}

type SizeResult = Awaited<ReturnType<typeof runSize>>;

function table(results: (SizeResult | Failed)[]): string {
  const rows = [
    'nodes  pods     ready  running  reg s  sat s  sched pods/s  startup p99 ms  api worst p99/SLO            apiserver RSS MiB / cores  KiB/node',
  ];
  for (const r of results) {
    if ('error' in r) {
      rows.push(`${String(r.nodes).padEnd(6)} ${String(r.pods).padEnd(8)} failed: ${r.error}`);
      for (const f of r.findings) rows.push(`    finding: ${f}`);
      continue;
    }
    const worst = r.api[0];
    rows.push(
      [
        String(r.nodes).padEnd(6),
        String(r.pods).padEnd(8),
        String(r.nodesReady).padEnd(6),
        String(r.podsRunning).padEnd(8),
        String(r.registrationSeconds).padEnd(6),
        String(r.saturation.seconds).padEnd(6),
        String(r.schedulerPodsPerSec).padEnd(13),
        String(r.podStartupMs.p99).padEnd(15),
        (worst ? `${worst.call} ${worst.p99Ms}/${worst.sloMs}` : '-').padEnd(29),
        `${r.apiserver.peakRssMiB} / ${r.apiserver.saturationCores}`.padEnd(26),
        String(r.hollowNodes.rssKiBPerNode),
      ].join(' '),
    );
    for (const f of r.findings) rows.push(`    finding: ${f}`);
  }
  return rows.join('\n');
}

type Failed = { nodes: number; pods: number; error: string; findings: string[] };
const results: (SizeResult | Failed)[] = [];
let failed = false;
for (const nodes of config.nodes) {
  const found: string[] = [];
  try {
    results.push(await runSize(nodes, found));
  } catch (err) {
    // What the run found before it failed is still the report.
    failed = true;
    const error = err instanceof Error ? err.message : String(err);
    results.push({
      nodes,
      pods: nodes * config.podsPerNode,
      error,
      findings: [...found, `run failed: ${error}`],
    });
  }
}
const findings = results.flatMap((r) => r.findings.map((f) => `${r.nodes} nodes: ${f}`));
process.stdout.write(
  `${JSON.stringify({
    benchmark: 'cluster-scale',
    machine: machineInfo(),
    config,
    definitions: {
      api: 'apiserver_request_duration_seconds between the start and the end of the run (histogram_quantile, linear in buckets); WATCH excluded',
      podStartupMs:
        'latency phase: create request sent → Running seen through a watch, pods created at --latency-rate into the full cluster',
      saturationPodStartupMs: 'saturation phase: pod first seen through the watch → Running seen',
      schedulerPodsPerSec: 'saturation pods bound ÷ time from the first to the last binding seen',
      hollowNodes: 'host processes RSS ÷ kubelets (real kubelet code, fake runtime)',
    },
    results,
    goal: { nodes: 5000, pods: 150_000 },
    brokeFirst: findings[0] ?? null,
    findings,
  })}\n`,
);
say(table(results));
if (failed) process.exitCode = 1;
