// Shared set-up for the scheduler suites: a live in-process apiserver, a client, and schedulers
// started through createScheduler; everything stopped after each test.
import type { Event, Pod } from '../src/api/types.js';
import { createClient, type KubeClient } from '../src/client/rest.js';
import { createScheduler, type Scheduler, type SchedulerOptions } from '../src/scheduler/create-scheduler.js';
import {
  makeNode,
  makePod,
  type NodeSpecOptions,
  type PodSpecOptions,
} from '../src/scheduler/testing/objects.js';
import { type StartedApiServer, startApiServer } from './harness/apiserver.js';

export interface Cluster {
  client: KubeClient;
  api: StartedApiServer;
  startScheduler(options?: Partial<SchedulerOptions>): Promise<Scheduler>;
  addNode(name: string, options?: NodeSpecOptions): Promise<void>;
  addPod(name: string, options?: PodSpecOptions): Promise<Pod>;
  stop(): Promise<void>;
}

export async function startCluster(): Promise<Cluster> {
  const api = await startApiServer();
  const client = createClient({ server: api.url });
  const running: Array<{ stop: AbortController; done: Promise<void> }> = [];
  return {
    client,
    api,
    async startScheduler(options = {}) {
      const scheduler = createScheduler({ client, ...options });
      const stop = new AbortController();
      running.push({ stop, done: scheduler.run(stop.signal) });
      await waitFor(() => scheduler.hasSynced(), 'scheduler informers synced');
      return scheduler;
    },
    async addNode(name, options) {
      await client.nodes.create(makeNode(name, options));
    },
    addPod: (name, options) => client.pods.create(options?.namespace ?? 'default', makePod(name, options)),
    async stop() {
      for (const r of running) r.stop.abort();
      await Promise.allSettled(running.map((r) => r.done));
      await client.close();
      await api.stop();
    },
  };
}

/** Polls until `check` returns a truthy value (or throws the last failure after `timeoutMs`). */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function nodeOf(
  client: KubeClient,
  name: string,
  namespace = 'default',
): Promise<string | undefined> {
  return (await client.pods.get(namespace, name)).spec.nodeName || undefined;
}

export function waitBound(client: KubeClient, name: string, namespace = 'default'): Promise<string> {
  return waitFor(() => nodeOf(client, name, namespace), `pod ${name} bound`);
}

export async function eventsFor(client: KubeClient, pod: string, reason: string): Promise<Event[]> {
  const list = await client.events.list({ namespace: 'default' });
  return list.items.filter((e) => e.involvedObject.name === pod && e.reason === reason);
}

/** Waits for the pod's FailedScheduling event and returns its message. */
export async function failedMessage(client: KubeClient, pod: string): Promise<string> {
  const [event] = await waitFor(async () => {
    const evs = await eventsFor(client, pod, 'FailedScheduling');
    return evs.length ? evs : undefined;
  }, `FailedScheduling for ${pod}`);
  return event!.message ?? '';
}
