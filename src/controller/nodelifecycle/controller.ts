// The node lifecycle controller (Kubernetes' node lifecycle controller, its taint-based eviction and the
// node part of PodGC), event-driven and timer-driven, never scanning:
//
// - A heartbeat is a renewal of the node's Lease in kube-node-lease (a newer spec.renewTime) or a new
//   Ready.lastHeartbeatTime in its status, whichever comes later (Kubernetes since KEP-589); the
//   controller times each by its own clock when it sees it.
// - Every node has one timer on the injected clock, set to its next deadline: the end of its heartbeat
//   grace period, a pod's eviction time, or a terminating pod's force-deletion time. A status heartbeat
//   re-arms it through a sync; a Lease renewal of a healthy node only moves its last heartbeat, and the
//   sync its timer brings re-arms it for the new deadline (no sync per renewal); when it fires, the
//   node's key is queued.
// - sync(node) compares the clock with the last heartbeat seen: past nodeMonitorGracePeriodMs (or
//   nodeStartupGracePeriodMs before the first Ready condition) the kubelet conditions become Unknown
//   ("Kubelet stopped posting node status.") and the node gets the unreachable taints; a node reporting
//   Ready=False gets the not-ready taints; a healthy node loses both. The pods of an unhealthy node are
//   marked not ready (endpoints drop them at once) and, once their toleration of the NoExecute taint
//   runs out (podEvictionTimeoutMs without one), deleted so that their controllers replace them. The
//   kubelet of a lost node cannot finish a graceful deletion, so when the grace period has passed the
//   pod is deleted again with gracePeriodSeconds 0.
// - Pods bound to a node that does not exist are force-deleted after a quarantine (Kubernetes' PodGC).
// - If no node at all is healthy, evictions are held (Kubernetes' "full disruption"): the likely cause
//   is on the control plane's side, and there is nowhere to move the pods to anyway.
import { nodeLeaseNamespace } from '../../api/resources.js';
import type { Lease, Node, Pod, Taint } from '../../api/types.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { createEventRecorder, type EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { counterOn } from '../../client/metrics.js';
import { rfc3339, type TimerHandle } from '../../util/clock.js';
import {
  type ControllerOptions,
  controllerParts,
  type QueueController,
  queueController,
} from '../controller.js';
import { nodeNameIndex, nodeNameIndexer } from '../indexers.js';
import { isPodReady, isPodTerminal, parseTime } from '../pods.js';
import { allUnknown, heartbeatOf, nodeCondition, unknownConditions } from './conditions.js';
import {
  desiredTaints,
  evictionDelayMs,
  type NodeHealthState,
  notReadyTaintKey,
  reconcileTaints,
  unreachableTaintKey,
} from './taints.js';

/**
 * kubelite's defaults, shorter than Kubernetes' (grace 50 s since 1.32, 40 s before; eviction after
 * 300 s): see src/controller/README.md for the reasoning.
 */
export const nodeLifecycleDefaults = {
  nodeMonitorGracePeriodMs: 40_000,
  nodeStartupGracePeriodMs: 60_000,
  podEvictionTimeoutMs: 60_000,
  orphanedPodQuarantineMs: 40_000,
} as const;

/** workers: concurrent syncs, default 4. */
export interface NodeLifecycleOptions extends ControllerOptions {
  /** Default: a recorder with source component "node-controller". */
  recorder?: EventRecorder;
  /** A node without a heartbeat for this long is unreachable. Default 40 000. */
  nodeMonitorGracePeriodMs?: number;
  /** The same for a node that never posted a Ready condition. Default 60 000. */
  nodeStartupGracePeriodMs?: number;
  /** Pods without a toleration for the NoExecute taint are evicted this long after it. Default 60 000. */
  podEvictionTimeoutMs?: number;
  /** Pods bound to a missing node are force-deleted after this long. Default 40 000 (Kubernetes' PodGC). */
  orphanedPodQuarantineMs?: number;
}

interface Health {
  /** Clock time of the last heartbeat seen (or of first sight). */
  probeMs: number;
  /** The Ready condition's lastHeartbeatTime last seen. */
  heartbeat: string;
  /** The node Lease's renewTime last seen ('' without a Lease). */
  leaseRenew: string;
  state?: NodeHealthState;
  /** The managed NoExecute taint and when it was added. */
  noExecute?: { key: string; sinceMs: number };
}

const managedTaint = (t: Taint): boolean =>
  t.effect === 'NoExecute' && (t.key === unreachableTaintKey || t.key === notReadyTaintKey);

export function createNodeLifecycleController(options: NodeLifecycleOptions): QueueController {
  const { client } = options;
  const parts = controllerParts('nodelifecycle', 'node_lifecycle_controller', options);
  const { clock, logger, registry, queue } = parts;
  const recorder =
    options.recorder ?? createEventRecorder(client, { component: 'node-controller', clock, logger });
  const monitorGraceMs = options.nodeMonitorGracePeriodMs ?? nodeLifecycleDefaults.nodeMonitorGracePeriodMs;
  const startupGraceMs = options.nodeStartupGracePeriodMs ?? nodeLifecycleDefaults.nodeStartupGracePeriodMs;
  const evictionTimeoutMs = options.podEvictionTimeoutMs ?? nodeLifecycleDefaults.podEvictionTimeoutMs;
  const quarantineMs = options.orphanedPodQuarantineMs ?? nodeLifecycleDefaults.orphanedPodQuarantineMs;
  const evictions = counterOn(
    registry,
    'node_collector_evictions_total',
    'Pods evicted from unhealthy nodes.',
    ['zone'],
  );
  const forceDeletes = counterOn(
    registry,
    'pod_gc_collector_force_delete_pods_total',
    'Pods force-deleted: on a lost node after their grace period, or bound to a missing node.',
    ['reason'],
  );

  const nodes: Informer<Node> = options.informers.informer('nodes');
  const pods: Informer<Pod> = options.informers.informer('pods', {
    indexers: { [nodeNameIndex]: nodeNameIndexer },
  });

  // All namespaces, shared with the garbage collector (which removes the Lease of a deleted Node);
  // only kube-node-lease counts.
  const leases: Informer<Lease> = options.informers.informer<Lease>('leases');

  const health = new Map<string, Health>();
  const timers = new Map<string, TimerHandle>();
  /** Nodes gone from the cache with pods still bound to them: since when. */
  const missingSince = new Map<string, number>();
  /** Unhealthy nodes whose evictions wait for some node to be healthy. */
  const held = new Set<string>();

  const leaseRenewOf = (name: string): string =>
    leases.store.get(`${nodeLeaseNamespace}/${name}`)?.spec?.renewTime ?? '';

  /** A renewal: a later renewTime than the one last seen (a recreated Lease starts over). */
  const renewed = (h: Health, renew: string): boolean =>
    renew !== '' && (h.leaseRenew === '' || (parseTime(renew) ?? 0) > (parseTime(h.leaseRenew) ?? 0));

  function observe(node: Node): Health {
    const name = node.metadata.name!;
    const heartbeat = heartbeatOf(node);
    const leaseRenew = leaseRenewOf(name);
    let h = health.get(name);
    if (!h) health.set(name, (h = { probeMs: clock.now(), heartbeat, leaseRenew }));
    else if (h.heartbeat !== heartbeat || renewed(h, leaseRenew)) {
      h.probeMs = clock.now();
      h.heartbeat = heartbeat;
      h.leaseRenew = leaseRenew;
    }
    return h;
  }

  /** A Lease change: a renewal moves the node's last heartbeat; an unhealthy node is synced at once. */
  function observeLease(lease: Lease): void {
    if (lease.metadata.namespace !== nodeLeaseNamespace) return;
    const name = lease.metadata.name!;
    const h = health.get(name);
    const renew = lease.spec?.renewTime ?? '';
    if (!h || !renewed(h, renew)) return;
    h.probeMs = clock.now();
    h.leaseRenew = renew;
    if (h.state !== 'ready') queue.add(name);
  }

  function arm(name: string, atMs: number | undefined): void {
    timers.get(name)?.cancel();
    timers.delete(name);
    if (atMs === undefined) return;
    const timer = clock.setTimeout(
      () => {
        timers.delete(name);
        queue.add(name);
      },
      Math.max(0, atMs - clock.now()),
    );
    timers.set(name, timer);
  }

  nodes.addEventHandler({
    onAdd: (node) => {
      observe(node);
      queue.add(node.metadata.name!);
    },
    onUpdate: (_old, node) => {
      observe(node);
      queue.add(node.metadata.name!);
    },
    onDelete: (node) => queue.add(node.metadata.name!),
  });
  leases.addEventHandler({ onAdd: observeLease, onUpdate: (_old, lease) => observeLease(lease) });
  const podTouched = (pod: Pod): void => {
    const nodeName = pod.spec.nodeName;
    if (!nodeName) return;
    if (!nodes.store.get(nodeName) || health.get(nodeName)?.state !== 'ready') queue.add(nodeName);
  };
  pods.addEventHandler({ onAdd: podTouched, onUpdate: (_old, pod) => podTouched(pod) });

  // ---------------------------------------------------------------- pod actions

  const podsOn = (name: string): Pod[] => pods.store.byIndex(nodeNameIndex, name);
  const podName = (pod: Pod): string => `${pod.metadata.namespace}/${pod.metadata.name}`;

  /** Runs `act` on each pod; NotFound and uid Conflicts (the pod is gone or replaced) are fine. */
  async function eachPod(list: Pod[], act: (pod: Pod) => Promise<unknown>): Promise<void> {
    let failure: unknown;
    await Promise.all(
      list.map((pod) =>
        act(pod).catch((e: unknown) => {
          if (!isNotFound(e) && !isConflict(e)) failure ??= e;
        }),
      ),
    );
    if (failure !== undefined) throw failure;
  }

  async function forceDelete(pod: Pod, reason: 'lost-node' | 'orphaned'): Promise<void> {
    await client.pods.delete(pod.metadata.namespace!, pod.metadata.name!, {
      gracePeriodSeconds: 0,
      preconditions: { uid: pod.metadata.uid },
    });
    forceDeletes.labels(reason).inc();
    logger.info({ pod: podName(pod), node: pod.spec.nodeName, reason }, 'force-deleted pod');
  }

  function markPodsNotReady(list: Pod[], nowIso: string): Promise<void> {
    return eachPod(
      list.filter((p) => !isPodTerminal(p) && isPodReady(p)),
      async (pod) => {
        await client.pods.patch(
          pod.metadata.namespace!,
          pod.metadata.name!,
          'strategic',
          { status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: nowIso }] } },
          { subresource: 'status' },
        );
        recorder.record(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      },
    );
  }

  /** Evicts the pods whose time is up and returns the times of the others. */
  async function evictPods(node: Node, taint: Taint, sinceMs: number, nowMs: number): Promise<number[]> {
    const deadlines: number[] = [];
    const due: Array<{ pod: Pod; force: boolean }> = [];
    for (const pod of podsOn(node.metadata.name!)) {
      if (isPodTerminal(pod)) continue;
      if (pod.metadata.deletionTimestamp) {
        const at = parseTime(pod.metadata.deletionTimestamp) ?? nowMs;
        if (nowMs >= at) due.push({ pod, force: true });
        else deadlines.push(at);
        continue;
      }
      const delay = evictionDelayMs(pod, taint, evictionTimeoutMs);
      if (delay === undefined) continue;
      if (nowMs >= sinceMs + delay) due.push({ pod, force: false });
      else deadlines.push(sinceMs + delay);
    }
    const zone = node.metadata.labels?.['topology.kubernetes.io/zone'] ?? '';
    await eachPod(
      due.map((d) => d.pod),
      async (pod) => {
        if (pod.metadata.deletionTimestamp) return forceDelete(pod, 'lost-node');
        recorder.record(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${podName(pod)}`);
        await client.pods.delete(pod.metadata.namespace!, pod.metadata.name!, {
          preconditions: { uid: pod.metadata.uid },
        });
        evictions.labels(zone).inc();
        logger.info({ pod: podName(pod), node: node.metadata.name }, 'evicted pod from unhealthy node');
      },
    );
    return deadlines;
  }

  // ---------------------------------------------------------------- sync

  function anyHealthyNode(nowMs: number): boolean {
    for (const node of nodes.store.values()) {
      const h = health.get(node.metadata.name!);
      if (h && nodeCondition(node, 'Ready')?.status === 'True' && nowMs < h.probeMs + monitorGraceMs)
        return true;
    }
    return false;
  }

  function noteTransition(h: Health, node: Node, state: NodeHealthState): void {
    const previous = h.state;
    h.state = state;
    if (previous === state) return;
    const unhealthy = (s: NodeHealthState | undefined) => s === 'unreachable' || s === 'notReady';
    const name = node.metadata.name!;
    if (unhealthy(state) && !unhealthy(previous)) {
      recorder.record(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      logger.warn({ node: name, state }, 'node is not ready');
    } else if (state === 'ready' && unhealthy(previous)) {
      recorder.record(node, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`);
      logger.info({ node: name }, 'node is ready again');
    }
  }

  async function syncMissing(name: string, nowMs: number): Promise<void> {
    health.delete(name);
    held.delete(name);
    const orphans = podsOn(name);
    if (orphans.length === 0) {
      missingSince.delete(name);
      arm(name, undefined);
      return;
    }
    const since = missingSince.get(name) ?? nowMs;
    missingSince.set(name, since);
    if (nowMs < since + quarantineMs) {
      arm(name, since + quarantineMs);
      return;
    }
    try {
      await client.nodes.get(name);
      return; // it exists after all: the cache is behind
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    await eachPod(orphans, (pod) => forceDelete(pod, 'orphaned'));
    missingSince.delete(name);
    arm(name, undefined);
  }

  async function sync(name: string): Promise<void> {
    const nowMs = clock.now();
    const cached = nodes.store.get(name);
    if (!cached) return syncMissing(name, nowMs);
    missingSince.delete(name);
    const h = observe(cached);
    const nowIso = rfc3339(nowMs);
    const deadlines: number[] = [];
    let node = cached;

    const ready = nodeCondition(node, 'Ready');
    const staleAt = h.probeMs + (ready ? monitorGraceMs : startupGraceMs);
    let state: NodeHealthState;
    if (nowMs >= staleAt) {
      state = 'unreachable';
      if (!allUnknown(node)) {
        // resourceVersion-checked: a heartbeat landing meanwhile makes this fail and the retry see it.
        node = await client.nodes.updateStatus({
          ...node,
          status: { ...node.status, conditions: unknownConditions(node, nowIso) },
        });
      }
    } else {
      deadlines.push(staleAt);
      state = !ready ? 'starting' : ready.status === 'True' ? 'ready' : 'notReady';
    }

    const before = node.spec?.taints ?? [];
    const taints = reconcileTaints(before, desiredTaints(state), nowIso);
    if (taints) {
      node = await client.nodes.patch(name, 'merge', {
        metadata: { resourceVersion: node.metadata.resourceVersion },
        spec: { taints: taints.length > 0 ? taints : null },
      });
    }
    noteTransition(h, node, state);

    const noExecute = (node.spec?.taints ?? []).find(managedTaint);
    if (!noExecute) h.noExecute = undefined;
    else if (h.noExecute?.key !== noExecute.key) {
      const addedNow = !before.some((t) => t.key === noExecute.key && t.effect === noExecute.effect);
      h.noExecute = {
        key: noExecute.key,
        sinceMs: addedNow ? nowMs : (parseTime(noExecute.timeAdded) ?? nowMs),
      };
    }

    if (state === 'unreachable' || state === 'notReady') {
      await markPodsNotReady(podsOn(name), nowIso);
      if (noExecute && h.noExecute && anyHealthyNode(nowMs)) {
        held.delete(name);
        deadlines.push(...(await evictPods(node, noExecute, h.noExecute.sinceMs, nowMs)));
      } else if (noExecute) {
        if (!held.has(name)) logger.warn({ node: name }, 'no node is healthy: holding evictions');
        held.add(name);
      }
    } else {
      held.delete(name);
      if (state === 'ready') for (const waiting of held) queue.add(waiting);
    }
    arm(name, deadlines.length > 0 ? Math.min(...deadlines) : undefined);
  }

  const controller = queueController({
    name: 'nodelifecycle',
    parts,
    informers: [nodes, pods, leases],
    workers: options.workers ?? 4,
    sync,
    metricPrefix: 'node_lifecycle_controller',
  });
  return {
    ...controller,
    async run(signal) {
      try {
        await controller.run(signal);
      } finally {
        for (const t of timers.values()) t.cancel();
        timers.clear();
      }
    },
  };
}
