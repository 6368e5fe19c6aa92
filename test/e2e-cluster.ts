// The cluster of the end-to-end story: `kubelite up --nodes 2 --runtime docker` through the up
// harness (temp data dir, free ports, a unique node prefix, kubectl with its own HOME), with the
// short node-failure periods the story needs, and the reads the story makes of it through kubectl
// and Docker.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Endpoints, Node, Pod, Service } from '../src/api/types.js';
import type { NodeLayout } from '../src/up/layout.js';
import { readClusterState } from '../src/up/state.js';
import { type KubectlStream, startKubectlStream } from './e2e-kubectl-stream.js';
import { createUpCluster, type UpCluster, type UpRun } from './up-harness.js';

/** Flags that make a node failure play out in seconds instead of minutes (src/controller/README.md). */
export const fastFailureArgs = [
  // Kubelets report every 2 s; a node silent for 10 s (five heartbeats) is Unknown, and its pods are
  // evicted 4 s later. Restart back-off starts at 5 s instead of 10 s (still long enough that a
  // kubelet slowed by a busy machine syncs a dead container within it, which the BackOff check needs).
  '--kubelet-arg',
  'heartbeat-period=2s',
  '--kubelet-arg',
  'restart-backoff-initial=5s',
  '--controller-manager-arg',
  'node-monitor-grace-period=10s',
  '--controller-manager-arg',
  'pod-eviction-timeout=4s',
];

export function exampleFile(name: string): string {
  return fileURLToPath(new URL(`../examples/${name}`, import.meta.url));
}

export interface PodView {
  name: string;
  uid: string;
  node: string;
  ip: string;
  phase: string;
  ready: boolean;
  terminating: boolean;
  restarts: number;
}

export function podView(pod: Pod): PodView {
  const statuses = pod.status?.containerStatuses ?? [];
  return {
    name: pod.metadata.name ?? '',
    uid: pod.metadata.uid ?? '',
    node: pod.spec.nodeName ?? '',
    ip: pod.status?.podIP ?? '',
    phase: pod.status?.phase ?? '',
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    terminating: Boolean(pod.metadata.deletionTimestamp),
    restarts: statuses.reduce((sum, s) => sum + s.restartCount, 0),
  };
}

export interface StoryCluster {
  readonly up: UpCluster;
  readonly nodes: NodeLayout[];
  /** kubectl's environment for background commands: KUBECONFIG = the cluster's, HOME in a temp dir. */
  readonly kubectlEnv: NodeJS.ProcessEnv;
  kubectl(args: string[], stdin?: string): Promise<string>;
  json<T>(args: string[]): Promise<T>;
  pods(selector?: string): Promise<PodView[]>;
  pod(name: string): Promise<Pod>;
  service(name: string): Promise<Service>;
  endpointIps(name: string): Promise<string[]>;
  /** The node's Ready condition status ('True', 'False', 'Unknown') and its taints as `key:effect`. */
  nodeState(name: string): Promise<{ ready: string; taints: string[] }>;
  /** Background kubectl (watch, logs -f), stopped by stop() or at cleanup. */
  stream(args: string[]): KubectlStream;
  /** Pid of a component from cluster.json (`kubelet-<node>`). */
  componentPid(name: string): number;
  /** Running Docker containers of one pod (by its uid label): `docker ps` ids. */
  containersOfPod(uid: string, containerName?: string): Promise<string[]>;
  /** Every container (any state) of the cluster's nodes, found by their node label. */
  clusterContainers(): Promise<string[]>;
  /** `kubelite up` until every node is Ready; fills `nodes` from cluster.json. */
  start(): Promise<void>;
  /** The terminal output of `kubelite up`. */
  upOutput(): string;
  /** SIGINT to up: components stop in order; resolves with up's exit code. */
  stop(): Promise<number | null>;
  /** Whatever state the story ended in: streams, up, components, containers, temp dirs. */
  cleanup(): Promise<void>;
}

export function docker(args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile('docker', args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`docker ${args.join(' ')}: ${stderr || error.message}`));
      else done(stdout);
    });
  });
}

const lines = (text: string) => text.split('\n').filter(Boolean);

/** The handle exists before anything starts, so cleanup() works whatever point a failure reached. */
export function createStoryCluster(nodes: number, extraArgs: string[]): StoryCluster {
  const up = createUpCluster();
  const home = mkdtempSync(join(tmpdir(), 'kubelite-e2e-kubectl-'));
  const kubectlEnv: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    KUBECACHEDIR: join(home, 'cache'),
    KUBECONFIG: up.kubeconfig,
  };
  const streams: KubectlStream[] = [];
  let run: UpRun | undefined;
  const nodeNames = Array.from({ length: nodes }, (_, i) => `${up.nodePrefix}-${i + 1}`);

  const cluster: StoryCluster = {
    up,
    nodes: [],
    kubectlEnv,
    kubectl: (args, stdin) => up.kubectlOk(args, stdin === undefined ? undefined : { stdin }),
    async json<T>(args: string[]) {
      return JSON.parse(await cluster.kubectl([...args, '-o', 'json'])) as T;
    },
    async pods(selector) {
      const list = await cluster.json<{ items: Pod[] }>([
        'get',
        'pods',
        ...(selector ? ['-l', selector] : []),
      ]);
      return list.items.map(podView);
    },
    pod: (name) => cluster.json<Pod>(['get', 'pod', name]),
    service: (name) => cluster.json<Service>(['get', 'service', name]),
    async endpointIps(name) {
      const ep = await cluster.json<Endpoints>(['get', 'endpoints', name]);
      return (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
    },
    async nodeState(name) {
      const node = await cluster.json<Node>(['get', 'node', name]);
      return {
        ready: node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'missing',
        taints: (node.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`),
      };
    },
    stream(args) {
      const s = startKubectlStream(args, kubectlEnv);
      streams.push(s);
      return s;
    },
    componentPid(name) {
      const pid = up.componentPids()[name];
      if (!pid) throw new Error(`no ${name} in cluster.json`);
      return pid;
    },
    async containersOfPod(uid, containerName) {
      const filters = ['--filter', `label=io.kubernetes.pod.uid=${uid}`];
      if (containerName) filters.push('--filter', `label=io.kubernetes.container.name=${containerName}`);
      return lines(await docker(['ps', '-q', ...filters]));
    },
    async clusterContainers() {
      const ids: string[] = [];
      for (const name of nodeNames) {
        ids.push(...lines(await docker(['ps', '-aq', '--filter', `label=io.kubelite.node=${name}`])));
      }
      return ids;
    },
    async start() {
      run = up.up(['--nodes', String(nodes), '--runtime', 'docker', ...extraArgs]);
      await run.waitFor(/Ctrl-C stops the cluster/, 180_000);
      const state = readClusterState(up.dataDir);
      if (!state) throw new Error(`no cluster.json in ${up.dataDir}`);
      cluster.nodes.push(...state.layout.nodes);
    },
    upOutput: () => run?.output() ?? '',
    async stop() {
      if (!run) return null;
      run.child.kill('SIGINT');
      return run.exited;
    },
    async cleanup() {
      await Promise.all(streams.map((s) => s.stop()));
      await up.cleanup();
      rmSync(home, { recursive: true, force: true });
    },
  };

  return cluster;
}
