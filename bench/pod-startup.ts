// Benchmark: pod start-up through the whole path — create in the apiserver, bind (the real scheduler,
// or pods created with spec.nodeName), the kubelet on the docker runtime, Running-and-Ready seen on a
// watch — beside the floor on this machine measured in the same run: a bare `docker run -d` of the
// same image and command, Docker's API create+start of one container, and of the two containers a
// kubelite pod needs (infra + app). Three phases:
//   single  N pods one after another, interleaved with the peers (p50/p99 create → Ready);
//   burst   B pods created at once (p50/p99 create → Ready, and the time until the last is Ready);
//   idle    with the burst's pods running, the kubelet process's CPU over --idle-s seconds.
// Components run as child processes (`kubelite apiserver|scheduler|kubelet`); everything is removed at
// the end (pods deleted through the API, then any container labelled with the run id).
// One JSON object on stdout, a table on stderr.
//   node --import tsx bench/pod-startup.ts [--pods 20] [--burst 100] [--idle-s 30] [--quick]
//        [--binder scheduler|direct] [--image kubelite/busybox:latest] [--timeout-s 600]
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs, promisify } from 'node:util';
import Dockerode from 'dockerode';
import type { Pod } from '../src/api/types.js';
import { createClient, type KubeClient } from '../src/client/index.js';
import { LatencyHistogram, type Percentiles } from './lib/histogram.js';
import { machineInfo } from './lib/machine.js';
import { cpuMicros, spawnTracked, stderrTail, stop, waitUntil } from './lib/processes.js';

const { values: flags } = parseArgs({
  options: {
    pods: { type: 'string', default: process.env.KUBELITE_PODS ?? '20' },
    burst: { type: 'string', default: process.env.KUBELITE_BURST ?? '100' },
    'idle-s': { type: 'string', default: process.env.KUBELITE_IDLE_S ?? '30' },
    quick: { type: 'boolean', default: process.env.KUBELITE_QUICK === '1' },
    binder: { type: 'string', default: process.env.KUBELITE_BINDER ?? 'scheduler' },
    image: { type: 'string', default: process.env.KUBELITE_IMAGE ?? 'kubelite/busybox:latest' },
    'timeout-s': { type: 'string', default: process.env.KUBELITE_TIMEOUT_S ?? '600' },
  },
});

const quick = flags.quick;
const singles = quick ? 3 : Number(flags.pods);
const burst = quick ? 10 : Number(flags.burst);
const idleSeconds = quick ? 5 : Number(flags['idle-s']);
const image = flags.image;
const binder = flags.binder === 'direct' ? 'direct' : 'scheduler';
const runId = `bench-${randomUUID().slice(0, 8)}`;
const nodeName = `bench-node-${runId.slice(6)}`;
const command = ['sleep', '3600'];
const root = join(import.meta.dirname, '..');
const kubelite = join(root, 'src', 'cmd', 'kubelite.ts');
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const exec = promisify(execFile);

const deadline = setTimeout(() => {
  process.stderr.write(`pod-startup: gave up after ${flags['timeout-s']} s\n`);
  void cleanup().finally(() => process.exit(2));
}, Number(flags['timeout-s']) * 1000);

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Runs `kubelite <args>` as a child and resolves with its URL once it prints "listening on URL". */
async function component(name: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', kubelite, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderrTail(child)}`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}: ${stderrTail(child)}`)));
  });
  return { child, url };
}

const children: ChildProcess[] = [];
let client: KubeClient | undefined;

async function cleanup(): Promise<void> {
  if (client) {
    const pods = await client.pods
      .list({ namespace: 'default', labelSelector: `kubelite.test=${runId}` })
      .catch(() => undefined);
    await Promise.all(
      (pods?.items ?? []).map((p) => client!.pods.delete('default', p.metadata.name!).catch(() => {})),
    );
  }
  for (const child of children.reverse()) await stop(child, 5000);
  // Removals the stopped kubelet had in flight may still be settling: sweep until nothing is left.
  for (let round = 0; round < 10; round++) {
    const left = await docker.listContainers({ all: true, filters: { label: [`kubelite.test=${runId}`] } });
    if (left.length === 0) break;
    await Promise.all(
      left.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => {}),
      ),
    );
    await new Promise((r) => setTimeout(r, 500));
  }
  await client?.close();
}

function podObject(name: string, direct = binder === 'direct'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { 'kubelite.test': runId, 'kubelite.bench': runId } },
    spec: {
      ...(direct ? { nodeName } : {}),
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image, command, imagePullPolicy: 'IfNotPresent' }],
    },
  };
}

/** Ready times (performance.now()) of pods as the watch sees them. */
function watchReady(c: KubeClient, resourceVersion: string) {
  const readyAt = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const abort = new AbortController();
  c.watch(
    'pods',
    { namespace: 'default', labelSelector: `kubelite.bench=${runId}`, resourceVersion, signal: abort.signal },
    (event) => {
      if (event.type !== 'ADDED' && event.type !== 'MODIFIED') return;
      const pod = event.object;
      const name = pod.metadata.name ?? '';
      if (readyAt.has(name)) return;
      const ready =
        pod.status?.phase === 'Running' &&
        pod.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
      if (!ready) return;
      readyAt.set(name, performance.now());
      waiters.get(name)?.();
    },
  );
  return {
    readyAt,
    wait(name: string, timeoutMs = 120_000): Promise<number> {
      const seen = readyAt.get(name);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`pod ${name} not Ready within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.set(name, () => {
          clearTimeout(timer);
          resolve(readyAt.get(name)!);
        });
      });
    },
    stop: () => abort.abort(),
  };
}

/** dockerd (its pid file) and containerd (by /proc comm): where a burst's work really happens. */
function dockerDaemonPids(): number[] {
  const pids: number[] = [];
  try {
    pids.push(Number(readFileSync('/var/run/docker.pid', 'utf8').trim()));
  } catch {
    // no pid file: dockerd's CPU is not reported
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'containerd') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids.filter((pid) => pid > 0);
}

/** `docker run -d` of the same image and command: the floor as a user sees it. */
async function dockerRunCli(): Promise<number> {
  const began = performance.now();
  await exec('docker', ['run', '-d', '--label', `kubelite.test=${runId}`, image, ...command]);
  return performance.now() - began;
}

/** Docker's API: create + start of one container (default network). */
async function engineRun(): Promise<number> {
  const began = performance.now();
  const c = await docker.createContainer({ Image: image, Cmd: command, Labels: { 'kubelite.test': runId } });
  await c.start();
  return performance.now() - began;
}

/** Docker's API: the two containers of a kubelite pod (infra on kubelite0, app joined to it). */
async function enginePod(): Promise<number> {
  const began = performance.now();
  const infra = await docker.createContainer({
    Image: 'kubelite/pause:latest',
    Labels: { 'kubelite.test': runId },
    HostConfig: { NetworkMode: 'kubelite0', CapAdd: ['NET_ADMIN'], IpcMode: 'shareable' },
  });
  await infra.start();
  const app = await docker.createContainer({
    Image: image,
    Cmd: command,
    Labels: { 'kubelite.test': runId },
    HostConfig: { NetworkMode: `container:${infra.id}`, IpcMode: `container:${infra.id}` },
  });
  await app.start();
  return performance.now() - began;
}

async function removePeers(): Promise<void> {
  const peers = await docker.listContainers({
    all: true,
    filters: { label: [`kubelite.test=${runId}`, `io.kubelite.node!=${nodeName}`] },
  });
  for (const c of peers) {
    if (c.Labels['io.kubelite.node']) continue;
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  }
}

async function deleteBenchPods(c: KubeClient): Promise<void> {
  const list = await c.pods.list({ namespace: 'default', labelSelector: `kubelite.bench=${runId}` });
  await Promise.all(list.items.map((p) => c.pods.delete('default', p.metadata.name!)));
  await waitUntil(
    async () =>
      (await c.pods.list({ namespace: 'default', labelSelector: `kubelite.bench=${runId}` })).items.length ===
      0,
    300_000,
    'bench pods to be deleted',
  );
}

function table(rows: Array<[string, Percentiles | undefined]>): string {
  const head = `${'measurement'.padEnd(40)} ${'n'.padStart(5)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'max ms'.padStart(9)}`;
  return [
    head,
    ...rows.map(([name, p]) =>
      p
        ? `${name.padEnd(40)} ${String(p.count).padStart(5)} ${p.p50.toFixed(0).padStart(9)} ${p.p99.toFixed(0).padStart(9)} ${p.max.toFixed(0).padStart(9)}`
        : name,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  await docker.ping().catch((err) => {
    throw new Error(`pod-startup needs a Docker daemon: ${(err as Error).message}`);
  });
  if (
    !(await docker
      .getImage(image)
      .inspect()
      .catch(() => undefined))
  ) {
    throw new Error(`image ${image} is missing: run scripts/build-images.sh`);
  }
  const apiserver = await component('apiserver', [
    'apiserver',
    '--port',
    '0',
    '--storage',
    'memory://',
    '--log-level',
    'warn',
  ]);
  children.push(apiserver.child);
  client = createClient({ server: apiserver.url });
  const c = client;
  if (binder === 'scheduler') {
    const scheduler = spawnTracked(
      process.execPath,
      [
        '--import',
        'tsx',
        kubelite,
        'scheduler',
        '--server',
        apiserver.url,
        '--metrics-port',
        '0',
        '--log-level',
        'warn',
      ],
      { cwd: root },
    );
    children.push(scheduler);
  }
  const kubelet = await component('kubelet', [
    'kubelet',
    '--server',
    apiserver.url,
    '--node-name',
    nodeName,
    '--runtime',
    'docker',
    '--port',
    '0',
    '--max-pods',
    String(Math.max(110, burst + 10)),
    '--log-level',
    'warn',
  ]);
  children.push(kubelet.child);
  await waitUntil(
    async () =>
      (await c.nodes.get(nodeName)).status?.conditions?.some(
        (x) => x.type === 'Ready' && x.status === 'True',
      ) ?? false,
    30_000,
    'node Ready',
  );
  const list = await c.pods.list({ namespace: 'default' });
  const watch = watchReady(c, list.metadata.resourceVersion ?? '');

  // Correctness first: one pod must come up before anything is timed.
  await c.pods.create('default', podObject('warmup'));
  await watch.wait('warmup');
  await engineRun();
  await enginePod();
  await removePeers();
  await deleteBenchPods(c);

  // Single pods, interleaved with the peers: created with spec.nodeName (the kubelet's own path) and,
  // with the scheduler, created unbound (the whole path).
  const single = new LatencyHistogram();
  const scheduled = new LatencyHistogram();
  const cli = new LatencyHistogram();
  const engine = new LatencyHistogram();
  const enginePair = new LatencyHistogram();
  const startPod = async (name: string, direct: boolean): Promise<number> => {
    const began = performance.now();
    await c.pods.create('default', podObject(name, direct));
    return (await watch.wait(name)) - began;
  };
  for (let i = 0; i < singles; i++) {
    cli.recordMs(await dockerRunCli());
    engine.recordMs(await engineRun());
    enginePair.recordMs(await enginePod());
    single.recordMs(await startPod(`single-${i}`, true));
    if (binder === 'scheduler') scheduled.recordMs(await startPod(`scheduled-${i}`, false));
    await removePeers();
  }
  await deleteBenchPods(c);
  log(`single pods done (${singles})`);

  // A burst created at once.
  const burstHist = new LatencyHistogram();
  const daemons = dockerDaemonPids();
  const cpuBefore = [kubelet.child.pid!, ...daemons].map(cpuMicros);
  const burstBegan = performance.now();
  const names = Array.from({ length: burst }, (_, i) => `burst-${i}`);
  const createdAt = new Map<string, number>();
  await Promise.all(
    names.map(async (name) => {
      createdAt.set(name, performance.now());
      await c.pods.create('default', podObject(name));
    }),
  );
  const readyTimes = await Promise.all(names.map((n) => watch.wait(n, 300_000)));
  for (const [i, n] of names.entries()) burstHist.recordMs(readyTimes[i]! - createdAt.get(n)!);
  const burstAllReadyMs = Math.max(...readyTimes) - burstBegan;
  const cpuAfter = [kubelet.child.pid!, ...daemons].map(cpuMicros);
  const burstCpuSeconds = cpuAfter.map((v, i) => (v - cpuBefore[i]!) / 1e6);
  const daemonCpuSeconds = burstCpuSeconds.slice(1).reduce((a, b) => a + b, 0);
  log(`burst done (${burst}): last Ready after ${burstAllReadyMs.toFixed(0)} ms`);

  // The floor of the burst: the same number of infra + app container pairs through Docker's API at once.
  const peerBurst = new LatencyHistogram();
  const peerBegan = performance.now();
  const pairTimes = await Promise.all(names.map(() => enginePod()));
  for (const ms of pairTimes) peerBurst.recordMs(ms);
  const peerBurstAllMs = performance.now() - peerBegan;
  await removePeers();
  log(`peer burst done (${burst} infra+app pairs): last after ${peerBurstAllMs.toFixed(0)} ms`);

  // Idle: the burst's pods keep running; nothing happens.
  await new Promise((r) => setTimeout(r, 3000));
  const pid = kubelet.child.pid!;
  const apiPid = apiserver.child.pid!;
  const cpu0 = cpuMicros(pid);
  const api0 = cpuMicros(apiPid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const elapsedUs = (performance.now() - t0) * 1000;
  const kubeletIdlePct = ((cpuMicros(pid) - cpu0) / elapsedUs) * 100;
  const apiserverIdlePct = ((cpuMicros(apiPid) - api0) / elapsedUs) * 100;
  log(`idle: kubelet ${kubeletIdlePct.toFixed(2)} % of a core over ${idleSeconds} s with ${burst} pods`);

  // Tear down through the API: every container must go.
  const teardownBegan = performance.now();
  await deleteBenchPods(c);
  const teardownMs = performance.now() - teardownBegan;
  await waitUntil(
    async () =>
      (await docker.listContainers({ all: true, filters: { label: [`io.kubelite.node=${nodeName}`] } }))
        .length === 0,
    60_000,
    'the kubelet to remove every container',
  );
  watch.stop();

  const singleP = single.percentilesMs();
  const scheduledP = binder === 'scheduler' ? scheduled.percentilesMs() : undefined;
  const cliP = cli.percentilesMs();
  const engineP = engine.percentilesMs();
  const pairP = enginePair.percentilesMs();
  const burstP = burstHist.percentilesMs();
  const peerBurstP = peerBurst.percentilesMs();
  const result = {
    benchmark: 'pod-startup',
    runtime: 'docker',
    binder,
    image,
    machine: machineInfo(),
    single: {
      pods: singles,
      createToReadyMs: singleP,
      ...(scheduledP ? { scheduledCreateToReadyMs: scheduledP } : {}),
      peers: { dockerRunCliMs: cliP, engineCreateStartMs: engineP, engineInfraPlusAppMs: pairP },
      overDockerRunP99Ms: Math.round((singleP.p99 - cliP.p99) * 10) / 10,
      p50OverDockerRunP50: Math.round((singleP.p50 / cliP.p50) * 100) / 100,
      p50OverEngineInfraPlusAppP50: Math.round((singleP.p50 / pairP.p50) * 100) / 100,
      goalSingleP99: `≤ docker run p99 + 100 ms (${(cliP.p99 + 100).toFixed(0)} ms)`,
      metGoal: singleP.p99 <= cliP.p99 + 100,
    },
    burst: {
      pods: burst,
      createToReadyMs: burstP,
      lastReadyMs: Math.round(burstAllReadyMs),
      cpuSeconds: {
        kubelet: Math.round(burstCpuSeconds[0]! * 100) / 100,
        dockerdAndContainerd: Math.round(daemonCpuSeconds * 100) / 100,
      },
      peers: { engineInfraPlusAppAtOnceMs: peerBurstP, engineLastMs: Math.round(peerBurstAllMs) },
      p99OverEngineP99: Math.round((burstP.p99 / peerBurstP.p99) * 100) / 100,
      goal: 'p99 ≤ 3000 ms',
      metGoal: burstP.p99 <= 3000,
    },
    idle: {
      pods: burst,
      seconds: idleSeconds,
      kubeletCpuPercentOfCore: Math.round(kubeletIdlePct * 1000) / 1000,
      apiserverCpuPercentOfCore: Math.round(apiserverIdlePct * 1000) / 1000,
      goal: '< 1 % of a core',
      metGoal: kubeletIdlePct < 1,
    },
    teardownMs: Math.round(teardownMs),
  };
  log(
    table([
      ['single pod create → Ready (spec.nodeName)', singleP],
      ...(scheduledP
        ? ([['single pod create → Ready (scheduler)', scheduledP]] as Array<[string, Percentiles]>)
        : []),
      ['  peer: docker run -d (CLI)', cliP],
      ['  peer: engine create+start, 1 container', engineP],
      ['  peer: engine infra + app containers', pairP],
      [`burst of ${burst}: create → Ready`, burstP],
      [`burst: last Ready after ${burstAllReadyMs.toFixed(0)} ms`, undefined],
      [`  peer: engine ${burst} infra+app pairs at once`, peerBurstP],
      [
        `burst CPU: kubelet ${burstCpuSeconds[0]!.toFixed(1)} s, dockerd+containerd ${daemonCpuSeconds.toFixed(1)} s`,
        undefined,
      ],
      [
        `idle kubelet CPU: ${kubeletIdlePct.toFixed(3)} % of a core (${burst} pods, ${idleSeconds} s)`,
        undefined,
      ],
    ]),
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`pod-startup failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup().catch(() => {});
    clearTimeout(deadline);
  });
