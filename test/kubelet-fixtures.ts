// A live apiserver plus a kubelet over a real runtime (docker or process), for the kubelet's
// black-box suites. Every pod gets the label kubelite.test=<run id>; the runtime passes pod labels to
// sandboxes and containers, so leftovers are found (and removed) by that label.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, Pod, PodSpec } from '../src/api/types.js';
import { createClient, isNotFound, type KubeClient } from '../src/client/index.js';
import { createKubelet, type Kubelet, type KubeletOptions } from '../src/kubelet/index.js';
import { createRuntime } from '../src/kubelet/runtime/index.js';
import type { Runtime, RuntimeKind } from '../src/kubelet/runtime/types.js';
import { type StartedApiServer, startApiServer } from './harness/apiserver.js';

export interface TestNode {
  readonly kind: RuntimeKind;
  readonly runId: string;
  readonly nodeName: string;
  readonly api: StartedApiServer;
  readonly client: KubeClient;
  runtime: Runtime;
  kubelet: Kubelet;
  /** Stops the kubelet (containers keep running) and starts a new one over a new runtime instance. */
  restartKubelet(): Promise<void>;
  stopKubelet(): Promise<void>;
  startKubelet(): Promise<void>;
  pod(name: string, spec: Partial<PodSpec>): Pod;
  /** Containers and sandboxes carrying this run's label. */
  leftovers(): Promise<number>;
  stop(): Promise<void>;
}

export const busybox = 'kubelite/busybox:latest';

export function shell(name: string, script: string, extra: Partial<Container> = {}): Container {
  return { name, image: busybox, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', script], ...extra };
}

export async function startTestNode(
  kind: RuntimeKind,
  options: Partial<KubeletOptions> = {},
): Promise<TestNode> {
  const runId = `${kind}-${randomUUID().slice(0, 8)}`;
  const nodeName = `kubelet-test-${runId}`;
  const api = await startApiServer({ nodePortsForAllServices: true });
  const client = createClient({ server: api.url });
  const stateDir = join(tmpdir(), `kubelite-kubelet-test-${runId}`);
  const newRuntime = () =>
    createRuntime({
      kind,
      nodeName,
      // Its own loopback range per run, so parallel suites never share pod IPs.
      podCidr: `127.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 250)}.0/24`,
      stateDir: join(stateDir, 'runtime'),
    });
  let runtime = await newRuntime();
  let abort = new AbortController();
  const make = () =>
    createKubelet({
      client,
      nodeName,
      runtime,
      port: 0,
      heartbeatPeriodMs: 500,
      rootDir: join(stateDir, 'kubelet'),
      restartBackoff: { initialMs: 1000, maxMs: 4000, resetAfterMs: 60_000 },
      ...options,
    });
  let kubelet = make();
  let running = kubelet.run(abort.signal);
  await kubelet.started();

  const node: TestNode = {
    kind,
    runId,
    nodeName,
    api,
    client,
    get runtime() {
      return runtime;
    },
    get kubelet() {
      return kubelet;
    },
    async stopKubelet() {
      abort.abort();
      await running;
      await runtime.close();
    },
    async startKubelet() {
      runtime = await newRuntime();
      abort = new AbortController();
      kubelet = make();
      running = kubelet.run(abort.signal);
      await kubelet.started();
    },
    async restartKubelet() {
      await node.stopKubelet();
      await node.startKubelet();
    },
    pod(name, spec) {
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default', labels: { 'kubelite.test': runId, app: name } },
        spec: { nodeName, terminationGracePeriodSeconds: 2, containers: [], ...spec },
      };
    },
    async leftovers() {
      const label = { 'kubelite.test': runId };
      const [s, c] = await Promise.all([
        runtime.listPodSandboxes({ labels: label }),
        runtime.listContainers({ labels: label }),
      ]);
      return s.length + c.length;
    },
    async stop() {
      abort.abort();
      await running.catch(() => {});
      // Whatever a failed test left: remove by label.
      const label = { 'kubelite.test': runId };
      for (const s of await runtime.listPodSandboxes({ labels: label })) await runtime.removePodSandbox(s.id);
      for (const c of await runtime.listContainers({ labels: label })) await runtime.removeContainer(c.id);
      await runtime.close();
      await client.close();
      await api.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return node;
}

/** Calls `check` every 50 ms until it returns something other than undefined/false; fails after `timeoutMs`. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  what: string | (() => string),
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`no ${typeof what === 'string' ? what : what()} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls the pod until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function waitForPod<T>(
  client: KubeClient,
  name: string,
  check: (pod: Pod) => T | undefined | false,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  let last: Pod | undefined;
  return pollUntil(
    async () => {
      last = await client.pods.get('default', name).catch((err) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      return last && check(last);
    },
    timeoutMs,
    () => `${what} of pod ${name}; last status: ${JSON.stringify(last?.status)}`,
  );
}

export function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function containerStatus(pod: Pod, name: string) {
  return pod.status?.containerStatuses?.find((c) => c.name === name);
}

export async function waitGone(client: KubeClient, name: string, timeoutMs = 30_000): Promise<void> {
  await pollUntil(
    () =>
      client.pods.get('default', name).then(
        () => false,
        (err) => {
          if (isNotFound(err)) return true;
          throw err;
        },
      ),
    timeoutMs,
    `deletion of pod ${name}`,
  );
}

export async function eventsOf(
  client: KubeClient,
  pod: string,
): Promise<Array<{ reason: string; message: string }>> {
  const list = await client.events.list({
    namespace: 'default',
    fieldSelector: `involvedObject.name=${pod}`,
  });
  return list.items.map((e) => ({ reason: e.reason ?? '', message: e.message ?? '' }));
}

export async function readLog(
  client: KubeClient,
  pod: string,
  options: Parameters<KubeClient['podLogs']>[2] = {},
) {
  return (await client.podLogs('default', pod, options)).text();
}
