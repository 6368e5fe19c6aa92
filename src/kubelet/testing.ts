// Test support: the kubelet's pod machinery (workers, syncer, prober, back-off) over the fake
// runtime and a FakeClock, with the API side replaced by recorders. Only for unit tests.
import { randomUUID } from 'node:crypto';
import type { Container, Pod, PodSpec, PodStatus, Probe } from '../api/types.js';
import type { EventRecorder } from '../client/events.js';
import { createRegistry } from '../metrics/registry.js';
import { FakeClock, rfc3339 } from '../util/clock.js';
import { silentLogger } from '../util/log.js';
import { KubeletEvents } from './events.js';
import { createKubeletMetrics } from './metrics.js';
import type { MachineInfo } from './node/machine.js';
import { type BackoffPolicy, BackoffTracker } from './pod/crash-backoff.js';
import { PodWorkers } from './pod/pod-workers.js';
import { PodSyncer } from './pod/sync-pod.js';
import type { ProbeOutcome, ProbeTarget } from './prober/probe.js';
import { ProberManager } from './prober/prober-manager.js';
import { createFakeRuntime, type FakeRuntime, type FakeRuntimeOptions } from './runtime/fake/index.js';

/** A fixed machine for node-status tests (2 cores, 4 GiB). */
export const testMachine: MachineInfo = {
  cpuCores: 2,
  memoryBytes: 4 * 1024 ** 3,
  diskBytes: 10 * 1024 ** 3,
  machineID: 'm',
  systemUUID: 's',
  bootID: 'b',
  kernelVersion: '6.1',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  operatingSystem: 'linux',
  architecture: 'amd64',
};

export interface RecordedEvent {
  type: string;
  reason: string;
  message: string;
  name?: string;
  fieldPath?: string;
  at: number;
}

export interface FakeNodeOptions {
  restartBackoff?: BackoffPolicy;
  runtime?: Partial<FakeRuntimeOptions>;
  /** Answers probes (default: success). */
  probe?: (probe: Probe, target: ProbeTarget) => ProbeOutcome | Promise<ProbeOutcome>;
}

export function fakeNode(options: FakeNodeOptions = {}) {
  const clock = new FakeClock();
  const runtime: FakeRuntime = createFakeRuntime({ nodeName: 'node-1', clock, ...options.runtime });
  const events: RecordedEvent[] = [];
  const recorder: EventRecorder = {
    record(involved, type, reason, message) {
      const ref = involved as { name?: string; fieldPath?: string };
      events.push({ type, reason, message, name: ref.name, fieldPath: ref.fieldPath, at: clock.now() });
    },
    flush: async () => {},
  };
  const statuses = new Map<string, PodStatus>();
  const statusWrites: Array<{ uid: string; status: PodStatus }> = [];
  const deleted: Pod[] = [];
  let workers: PodWorkers | undefined;
  const registry = createRegistry({ component: 'kubelet-test' });
  const metrics = createKubeletMetrics(registry, () => []);
  const kubeletEvents = new KubeletEvents(recorder);
  const probes: Array<{ probe: Probe; target: ProbeTarget; at: number }> = [];
  const prober = new ProberManager({
    clock,
    logger: silentLogger,
    run: async (probe, target) => {
      probes.push({ probe, target, at: clock.now() });
      return options.probe ? options.probe(probe, target) : { ok: true, output: '' };
    },
    onChange: (uid) => workers?.trigger(uid),
    onFailure: (pod, container, type, output) =>
      kubeletEvents.container(pod, container, 'Warning', 'Unhealthy', `${type} probe failed: ${output}`),
  });
  const policy = options.restartBackoff ?? { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };
  const syncer = new PodSyncer({
    runtime,
    clock,
    logger: silentLogger,
    events: kubeletEvents,
    metrics,
    prober,
    status: {
      set(pod, status) {
        const uid = pod.metadata.uid ?? '';
        if (JSON.stringify(statuses.get(uid)) !== JSON.stringify(status)) statusWrites.push({ uid, status });
        statuses.set(uid, status);
      },
      status: (uid) => statuses.get(uid),
      forget: (uid) => void statuses.delete(uid),
    },
    api: { deletePod: async (pod) => void deleted.push(pod) },
    restartBackoff: new BackoffTracker(policy),
    failureBackoff: new BackoffTracker(policy),
    serviceEnv: () => [],
    hostIP: '127.0.0.1',
    nodeAllocatable: () => ({ cpu: '2', memory: '4Gi' }),
    volumesDir: `/tmp/kubelite-kubelet-test-${process.pid}`,
  });
  workers = new PodWorkers({
    clock,
    logger: silentLogger,
    maxConcurrent: 4,
    sync: (w) => syncer.sync(w),
    // Pods made by tests are new to the runtime.
    isFresh: () => true,
  });
  const w = workers;
  runtime.subscribe((e) => {
    if (e.type === 'died' || e.type === 'oom') w.trigger(e.podUid);
  });

  /** Lets queued runtime events, timers and syncs run until nothing moves. */
  async function settle(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setImmediate(r));
      await w.idle();
    }
  }

  /** Advances the clock in steps, settling after each (so timers set by syncs run too). */
  async function advance(ms: number, stepMs = 500): Promise<void> {
    for (let done = 0; done < ms; done += stepMs) {
      clock.advance(Math.min(stepMs, ms - done));
      await settle();
    }
  }

  return {
    clock,
    runtime,
    events,
    statuses,
    statusWrites,
    deleted,
    workers: w,
    syncer,
    prober,
    probes,
    registry,
    settle,
    advance,
    status: (pod: Pod) => statuses.get(pod.metadata.uid ?? ''),
    reasons: (fieldPath?: string) =>
      events.filter((e) => fieldPath === undefined || e.fieldPath === fieldPath).map((e) => e.reason),
  };
}

export type FakeNode = ReturnType<typeof fakeNode>;

export function testContainer(name: string, extra: Partial<Container> = {}): Container {
  return { name, image: 'kubelite/busybox:latest', imagePullPolicy: 'IfNotPresent', ...extra };
}

export function testPod(name: string, spec: Partial<PodSpec> = {}, clock?: FakeClock): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: randomUUID(),
      resourceVersion: '1',
      creationTimestamp: rfc3339(clock?.now() ?? Date.now()),
    },
    spec: { nodeName: 'node-1', containers: [testContainer('main')], ...spec },
    status: { phase: 'Pending' },
  };
}
