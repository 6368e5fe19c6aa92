// The kubelet: `createKubelet(options)` then `run(signal)`. It serves its HTTP API, registers the
// Node and heartbeats, watches the pods bound to it (all namespaces) and the services (for the
// service environment), adopts what the runtime already runs with one list at start-up (removing
// containers of pods that are gone), and from then on is driven only by the pod watch, the
// runtime's event stream (a container died → sync its pod), probe results and back-off timers.
import { join } from 'node:path';
import type { Node, Pod, Service } from '../api/types.js';
import { createBackoff, sleep } from '../client/backoff.js';
import { isConflict, isNotFound } from '../client/errors.js';
import { createEventRecorder } from '../client/events.js';
import { createInformer, type Informer } from '../client/informer.js';
import { namespaceIndex, namespaceIndexer } from '../client/store.js';
import type { Registry } from '../metrics/registry.js';
import { KubeletEvents } from './events.js';
import { createKubeletMetrics } from './metrics.js';
import { readMachineInfo } from './node/machine.js';
import { NodeAgent } from './node/node-agent.js';
import { type NodeFacts, nodeCapacity } from './node/node-status.js';
import { type KubeletOptions, resolveOptions } from './options.js';
import { BackoffTracker } from './pod/crash-backoff.js';
import { groupByPod } from './pod/pod-state.js';
import { PodWorkers } from './pod/pod-workers.js';
import {
  clusterIpAddress,
  gatewayAddress,
  type ServiceAddress,
  serviceEnv,
  servicesForPod,
} from './pod/service-env.js';
import { type PodApi, PodSyncer } from './pod/sync-pod.js';
import { runProbe } from './prober/probe.js';
import { ProberManager } from './prober/prober-manager.js';
import { instrumentRuntime } from './runtime/instrumented.js';
import type { PodSandboxStatus, Runtime, RuntimeEvent } from './runtime/types.js';
import { type KubeletServer, startKubeletServer } from './server/kubelet-server.js';
import { type StatusApi, StatusManager } from './status/status-manager.js';

export interface Kubelet {
  readonly nodeName: string;
  readonly registry: Registry;
  readonly runtime: Runtime;
  /** The kubelet API's port (known once run() has started serving). */
  readonly port: number;
  /** Serves, registers, adopts and syncs until the signal aborts; resolves after shutting down. */
  run(signal: AbortSignal): Promise<void>;
  /** Resolves once the node is registered and every known pod has had its first sync queued. */
  started(): Promise<void>;
  /** Resolves when no pod sync is running or queued and every status write is done (tests). */
  idle(): Promise<void>;
  /** Aborts run() and waits for it. Leaves containers running (a restarted kubelet adopts them). */
  close(): Promise<void>;
}

/** Pods whose change needs a sync: anything but status and bookkeeping. */
function specChanged(a: Pod, b: Pod): boolean {
  return (
    a.metadata.deletionTimestamp !== b.metadata.deletionTimestamp ||
    a.metadata.deletionGracePeriodSeconds !== b.metadata.deletionGracePeriodSeconds ||
    JSON.stringify(a.spec) !== JSON.stringify(b.spec) ||
    JSON.stringify(a.metadata.labels) !== JSON.stringify(b.metadata.labels) ||
    JSON.stringify(a.metadata.annotations) !== JSON.stringify(b.metadata.annotations)
  );
}

/** A stand-in Pod for containers the API no longer knows, from their sandbox labels. */
function orphanPod(uid: string, sandbox: PodSandboxStatus | undefined, name: string, namespace: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { uid, name: sandbox?.name ?? name, namespace: sandbox?.namespace ?? namespace },
    spec: { containers: [] },
  };
}

export function createKubelet(options: KubeletOptions): Kubelet {
  const o = resolveOptions(options);
  const { client, clock, logger, registry, nodeName } = o;
  const runtime = o.instrumentRuntime ? instrumentRuntime(o.runtime, registry) : o.runtime;
  const log = logger.child({ node: nodeName });
  const recorder =
    o.recorder ??
    createEventRecorder(client, {
      component: 'kubelet',
      host: nodeName,
      clock,
      logger: log,
      queueSize: 10_000,
      cacheSize: 16_384,
      concurrency: 8,
    });
  const events = new KubeletEvents(recorder);

  const pods = createInformer(client, 'pods', {
    fieldSelector: `spec.nodeName=${nodeName}`,
    clock,
    logger: log,
  });
  const services: Informer<Service> = createInformer(client, 'services', {
    clock,
    logger: log,
    indexers: { [namespaceIndex]: namespaceIndexer },
  });

  let workers: PodWorkers | undefined;
  const metrics = createKubeletMetrics(registry, function* () {
    for (const w of workers?.works() ?? []) if (w.state) yield w.state;
  });

  const statusApi: StatusApi = {
    patchStatus: (pod, status, resourceVersion) =>
      client.pods.patch(
        pod.metadata.namespace ?? 'default',
        pod.metadata.name ?? '',
        'merge',
        { metadata: { resourceVersion }, status },
        { subresource: 'status' },
      ),
    getPod: (namespace, name) =>
      client.pods.get(namespace, name).catch((err) => {
        if (isNotFound(err)) return undefined;
        throw err;
      }),
  };
  const statuses = new StatusManager({
    api: statusApi,
    clock,
    logger: log,
    onWrite: (result) => metrics.statusWrites.inc({ result }),
  });

  const podApi: PodApi = {
    async deletePod(pod) {
      try {
        await client.pods.delete(pod.metadata.namespace ?? 'default', pod.metadata.name ?? '', {
          gracePeriodSeconds: 0,
          preconditions: { uid: pod.metadata.uid },
        });
      } catch (err) {
        if (isNotFound(err) || isConflict(err)) return;
        throw err;
      }
    },
  };

  const prober = new ProberManager({
    clock,
    logger: log,
    run: (probe, target) => runProbe(probe, target, runtime),
    onChange: (uid) => workers?.trigger(uid),
    onFailure: (pod, container, type, output) => {
      const kind = type === 'liveness' ? 'Liveness' : type === 'readiness' ? 'Readiness' : 'Startup';
      events.container(pod, container, 'Warning', 'Unhealthy', `${kind} probe failed: ${output}`);
    },
    onProbe: (type, result) => metrics.probes.inc({ probe_type: type, result }),
  });

  let facts: NodeFacts | undefined;
  let serviceAddress: ServiceAddress = clusterIpAddress;
  const syncer = new PodSyncer({
    runtime,
    clock,
    logger: log,
    events,
    metrics,
    prober,
    status: statuses,
    api: podApi,
    restartBackoff: new BackoffTracker(o.restartBackoff),
    failureBackoff: new BackoffTracker(o.failureBackoff),
    serviceEnv: (pod) =>
      serviceEnv(
        servicesForPod(
          pod.metadata.namespace ?? 'default',
          (ns) => services.store.byIndex(namespaceIndex, ns),
          pod.spec.enableServiceLinks ?? true,
        ),
        serviceAddress,
      ),
    hostIP: o.nodeAddress,
    nodeAllocatable: () => (facts ? nodeCapacity(facts) : {}),
    volumesDir: join(o.rootDir, 'pods'),
  });
  /** Pod uids the start-up listing found in the runtime; any other pod's first sync reads nothing. */
  let listedUids: Set<string> | undefined;
  const podWorkers = new PodWorkers({
    clock,
    logger: log,
    maxConcurrent: o.maxConcurrentSyncs,
    isFresh: (uid) => listedUids !== undefined && !listedUids.has(uid),
    sync: (work) => syncer.sync(work),
    observe: (operation, seconds) =>
      metrics.podWorkerDuration.observe({ operation_type: operation }, seconds),
  });
  workers = podWorkers;

  let server: KubeletServer | undefined;
  let running: Promise<void> | undefined;
  const stop = new AbortController();
  let startedResolve!: () => void;
  let startedReject!: (err: unknown) => void;
  const startedPromise = new Promise<void>((resolve, reject) => {
    startedResolve = resolve;
    startedReject = reject;
  });
  startedPromise.catch(() => {});

  function onRuntimeEvent(event: RuntimeEvent): void {
    // created/started/removed are the kubelet's own doing; a death (or OOM) is news.
    if (event.type !== 'died' && event.type !== 'oom') return;
    podWorkers.trigger(event.podUid);
  }

  /** One node-wide list: containers of pods the API does not know go; the rest is adopted by syncs. */
  async function adopt(): Promise<void> {
    const [sandboxes, containers] = await Promise.all([runtime.listPodSandboxes(), runtime.listContainers()]);
    const known = new Set<string>();
    for (const pod of pods.store.values()) known.add(pod.metadata.uid ?? '');
    let orphans = 0;
    const byPod = groupByPod(sandboxes, containers);
    listedUids = new Set(byPod.keys());
    for (const [uid, state] of byPod) {
      if (known.has(uid)) continue;
      const anyContainer = state.containers[0];
      const pod = orphanPod(
        uid,
        state.sandboxes[0],
        anyContainer?.labels['io.kubernetes.pod.name'] ?? '',
        anyContainer?.labels['io.kubernetes.pod.namespace'] ?? '',
      );
      podWorkers.adoptOrphan(pod, o.orphanGracePeriodMs);
      orphans++;
    }
    log.info(
      { sandboxes: sandboxes.length, containers: containers.length, orphans, pods: known.size },
      'runtime state listed',
    );
  }

  /** The apiserver may not answer yet (started together): retry with back-off until it does. */
  async function registerUntilDone(agent: NodeAgent, ctl: AbortSignal): Promise<Node | undefined> {
    const backoff = createBackoff({ initialMs: 500, maxMs: 15_000 });
    while (!ctl.aborted) {
      try {
        return await agent.register();
      } catch (err) {
        const delay = backoff.next();
        log.warn({ err, retryInMs: Math.round(delay) }, 'node registration failed');
        await sleep(clock, delay, ctl);
      }
    }
    return undefined;
  }

  async function run(signal: AbortSignal): Promise<void> {
    const abort = () => stop.abort();
    signal.addEventListener('abort', abort, { once: true });
    const ctl = stop.signal;
    const unsubscribe = runtime.subscribe(onRuntimeEvent);
    const loops: Promise<unknown>[] = [];
    let agent: NodeAgent | undefined;
    try {
      server = await startKubeletServer({
        host: o.nodeAddress,
        port: o.port,
        registry,
        logger: log,
        healthy: () => !ctl.aborted,
        tls: o.tls,
        authorize: o.authorizeApi,
        pods: () =>
          [...podWorkers.works()]
            .filter((w) => !w.goneFromApi)
            .map((w) => ({ ...w.pod, status: statuses.status(w.uid) ?? w.pod.status ?? {} })),
        logs: {
          pod: (namespace, name) => pods.store.get(`${namespace}/${name}`),
          status: (pod) => statuses.status(pod.metadata.uid ?? '') ?? pod.status,
          runtime,
          now: () => clock.now(),
        },
      });
      const version = await runtime.version();
      if (runtime.kind === 'docker') serviceAddress = gatewayAddress((await runtime.podNetwork()).gatewayIp);
      facts = {
        nodeName,
        address: o.nodeAddress,
        port: server.port,
        machine: readMachineInfo(o.rootDir.startsWith('/') ? '/' : o.rootDir),
        maxPods: o.maxPods,
        containerRuntimeVersion: `${version.runtimeName}://${version.runtimeVersion}`,
        podCidr: o.podCidr,
        labels: o.nodeLabels,
      };
      agent = new NodeAgent({
        client,
        facts,
        clock,
        logger: log,
        events,
        metrics,
        heartbeatPeriodMs: o.heartbeatPeriodMs,
        statusReportPeriodMs: o.nodeStatusReportMs,
      });
      const node = await registerUntilDone(agent, ctl);
      if (!node) return;
      events.node(node, 'Normal', 'Starting', 'Starting kubelet.');
      loops.push(agent.start(ctl));
      loops.push(pods.run(ctl), services.run(ctl));
      const synced = (await pods.waitForSync(ctl)) && (await services.waitForSync(ctl));
      if (!synced) return;
      await adopt();
      pods.addEventHandler({
        onAdd: (pod) => {
          statuses.observe(pod);
          podWorkers.update(pod);
        },
        onUpdate: (old, pod) => {
          statuses.observe(pod);
          const work = podWorkers.get(pod.metadata.uid ?? '');
          if (work && !specChanged(old, pod)) work.pod = pod;
          else podWorkers.update(pod);
        },
        onDelete: (pod) => {
          podWorkers.delete(pod);
          if (!podWorkers.has(pod.metadata.uid ?? '')) statuses.forget(pod.metadata.uid ?? '');
        },
      });
      startedResolve();
      log.info({ port: server.port, address: o.nodeAddress, runtime: runtime.kind }, 'kubelet started');
      await new Promise<void>((resolve) => {
        if (ctl.aborted) resolve();
        else ctl.addEventListener('abort', () => resolve(), { once: true });
      });
    } catch (err) {
      startedReject(err);
      throw err;
    } finally {
      stop.abort();
      signal.removeEventListener('abort', abort);
      unsubscribe();
      agent?.close();
      podWorkers.close();
      prober.close();
      await Promise.allSettled(loops);
      await server?.close();
      await recorder.flush();
      log.info('kubelet stopped');
    }
  }

  return {
    nodeName,
    registry,
    runtime,
    get port() {
      return server?.port ?? 0;
    },
    run(signal) {
      if (running) throw new Error('kubelet already running');
      running = run(signal);
      return running;
    },
    started: () => startedPromise,
    async idle() {
      await podWorkers.idle();
      await statuses.flush();
      await podWorkers.idle();
    },
    async close() {
      stop.abort();
      await running?.catch(() => {});
    },
  };
}
