// Shared set-up for the controller suites: a live in-process apiserver, a client, controllers started
// on one shared informer factory, and the levers the tests need: pods marked running and ready the
// way a kubelet would, nodes kept alive by heartbeats, and a client whose pod watch lags.
import { expect } from 'vitest';
import type { ConditionStatus, Node, Pod } from '../src/api/types.js';
import { createInformerFactory } from '../src/client/informer-factory.js';
import type { KubeClient } from '../src/client/rest.js';
import { createClient } from '../src/client/rest.js';
import type { Controller, ControllerClient, InformerSource } from '../src/controller/controller.js';
import { makeNode } from '../src/controller/testing/objects.js';
import { createRegistry, type Registry } from '../src/metrics/registry.js';
import { rfc3339 } from '../src/util/clock.js';
import { type StartedApiServer, startApiServer } from './harness/apiserver.js';

export const eventually = <T>(read: () => T | Promise<T>, timeout = 20_000) =>
  expect.poll(read, { timeout, interval: 10 });

export interface ControllerDeps {
  client: ControllerClient;
  informers: InformerSource;
  registry: Registry;
}

export interface Cluster {
  api: StartedApiServer;
  client: KubeClient;
  /**
   * Starts controllers on a fresh shared informer factory over `client` (default: the cluster's; a
   * wrapper of it such as withSlowPodWatch is not closed separately).
   */
  run(build: (deps: ControllerDeps) => Controller[], client?: KubeClient): Promise<void>;
  /** Marks a pod Running with an IP and the given readiness, as its kubelet would. */
  setPodStatus(pod: Pod, ready: boolean, ip?: string): Promise<Pod>;
  /** Creates a Ready node and keeps its heartbeat going every `periodMs` until stopHeartbeat(). */
  addNode(name: string, periodMs?: number): Promise<Node>;
  stopHeartbeat(name: string): void;
  heartbeat(name: string, ready?: ConditionStatus): Promise<void>;
  stop(): Promise<void>;
}

export async function startCluster(): Promise<Cluster> {
  const api = await startApiServer();
  const client = createClient({ server: api.url });
  const running: Array<{ stop: AbortController; done: Promise<unknown> }> = [];
  const heartbeats = new Map<string, NodeJS.Timeout>();

  async function heartbeat(name: string, ready: ConditionStatus = 'True'): Promise<void> {
    const now = rfc3339(Date.now());
    await client.nodes.patch(
      name,
      'strategic',
      {
        status: {
          conditions: [
            {
              type: 'Ready',
              status: ready,
              reason: 'KubeletReady',
              lastHeartbeatTime: now,
              lastTransitionTime: now,
            },
          ],
        },
      },
      { subresource: 'status' },
    );
  }

  return {
    api,
    client,
    async run(build, runClient = client) {
      const registry = createRegistry({ component: 'controller-manager-test' });
      const factory = createInformerFactory(runClient);
      const controllers = build({ client: runClient, informers: factory, registry });
      const stop = new AbortController();
      factory.start(stop.signal);
      const done = Promise.all([...controllers.map((c) => c.run(stop.signal)), factory.stopped()]);
      running.push({ stop, done });
      await eventually(() => controllers.every((c) => c.hasSynced())).toBe(true);
    },
    setPodStatus: (pod, ready, ip = '10.1.0.1') => setPodStatus(client, pod, ready, ip),
    async addNode(name, periodMs = 200) {
      const node = await client.nodes.create(makeNode(name));
      heartbeats.set(
        name,
        setInterval(() => void heartbeat(name).catch(() => {}), periodMs),
      );
      return node;
    },
    stopHeartbeat(name) {
      clearInterval(heartbeats.get(name));
      heartbeats.delete(name);
    },
    heartbeat,
    async stop() {
      for (const t of heartbeats.values()) clearInterval(t);
      for (const r of running) r.stop.abort();
      await Promise.allSettled(running.map((r) => r.done));
      await client.close();
      await api.stop();
    },
  };
}

/** Marks a pod Running with `ip` and the given readiness through the status subresource, as its kubelet would. */
export function setPodStatus(client: KubeClient, pod: Pod, ready: boolean, ip: string): Promise<Pod> {
  const now = rfc3339(Date.now());
  return client.pods.patch(
    pod.metadata.namespace!,
    pod.metadata.name!,
    'strategic',
    {
      status: {
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }],
      },
    },
    { subresource: 'status' },
  );
}

/** A client whose pod watch events arrive `delayMs` late (a slow watch), all else unchanged. */
export function withSlowPodWatch(client: KubeClient, delayMs: number): KubeClient {
  const resource = ((name: string) => {
    const inner = client.resource(name);
    if (inner.info.name !== 'pods') return inner;
    return {
      ...inner,
      watch: (options: Parameters<typeof inner.watch>[0], handler: Parameters<typeof inner.watch>[1]) =>
        inner.watch(options, (event) => setTimeout(() => handler(event), delayMs)),
    };
  }) as KubeClient['resource'];
  return { ...client, resource };
}

/** Pods of the namespace owned by the controller with this uid. */
export async function podsOwnedBy(client: KubeClient, uid: string, namespace = 'default'): Promise<Pod[]> {
  const list = await client.pods.list({ namespace });
  return list.items.filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === uid));
}

/** Pods that count toward replicas: not terminating, not finished. */
export function active(pods: Pod[]): Pod[] {
  return pods.filter(
    (p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded',
  );
}
