// The kubelet's Prometheus metrics, Kubernetes' names where Kubernetes has them. Gauges of running
// pods and containers are computed when scraped from the last runtime state of each pod, so they
// cost nothing between scrapes.
import { Counter, Gauge, Histogram, latencyBucketsSeconds, type Registry } from '../metrics/registry.js';
import type { PodRuntimeState } from './pod/pod-state.js';

/** Kubernetes' pod start buckets (seconds). */
const podStartBuckets = [
  0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 600, 900, 1800, 3600,
];

function metric<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export interface KubeletMetrics {
  podStartDuration: Histogram<string>;
  podWorkerDuration: Histogram<'operation_type'>;
  containerRestarts: Counter<string>;
  restartedPods: Counter<string>;
  heartbeats: Counter<'result'>;
  heartbeatDuration: Histogram<string>;
  probes: Counter<'probe_type' | 'result'>;
  statusWrites: Counter<'result'>;
  nodeStatusWrites: Counter<'result'>;
}

export function createKubeletMetrics(
  registry: Registry,
  states: () => Iterable<PodRuntimeState>,
): KubeletMetrics {
  const on = registry;
  metric(
    on,
    'kubelet_running_pods',
    () =>
      new Gauge({
        name: 'kubelet_running_pods',
        help: 'Number of pods that have a running pod sandbox.',
        registers: [on],
        collect() {
          let n = 0;
          for (const s of states()) if (s.sandboxes[0]?.state === 'ready') n++;
          this.set(n);
        },
      }),
  );
  metric(
    on,
    'kubelet_running_containers',
    () =>
      new Gauge({
        name: 'kubelet_running_containers',
        help: 'Number of containers currently running, by state.',
        labelNames: ['container_state'],
        registers: [on],
        collect() {
          const counts: Record<string, number> = { running: 0, exited: 0, created: 0, unknown: 0 };
          for (const s of states())
            for (const c of s.containers) counts[c.state] = (counts[c.state] ?? 0) + 1;
          for (const [state, n] of Object.entries(counts)) this.set({ container_state: state }, n);
        },
      }),
  );
  return {
    podStartDuration: metric(
      on,
      'kubelet_pod_start_duration_seconds',
      () =>
        new Histogram({
          name: 'kubelet_pod_start_duration_seconds',
          help: 'Duration in seconds from the pod creation timestamp to all of its containers running.',
          buckets: podStartBuckets,
          registers: [on],
        }),
    ),
    podWorkerDuration: metric(
      on,
      'kubelet_pod_worker_duration_seconds',
      () =>
        new Histogram({
          name: 'kubelet_pod_worker_duration_seconds',
          help: 'Duration in seconds to sync a single pod, by operation type (create, update, sync, kill).',
          labelNames: ['operation_type'],
          buckets: latencyBucketsSeconds,
          registers: [on],
        }),
    ),
    containerRestarts: metric(
      on,
      'kubelet_container_restarts_total',
      () =>
        new Counter({
          name: 'kubelet_container_restarts_total',
          help: 'Containers started again after an earlier instance ended.',
          registers: [on],
        }),
    ),
    restartedPods: metric(
      on,
      'kubelet_restarted_pods_total',
      () =>
        new Counter({
          name: 'kubelet_restarted_pods_total',
          help: 'Pods whose sandbox had to be created again (every container restarted).',
          registers: [on],
        }),
    ),
    heartbeats: metric(
      on,
      'kubelet_node_heartbeats_total',
      () =>
        new Counter({
          name: 'kubelet_node_heartbeats_total',
          help: 'Node heartbeats (node Lease renewals), by result.',
          labelNames: ['result'],
          registers: [on],
        }),
    ),
    heartbeatDuration: metric(
      on,
      'kubelet_node_heartbeat_duration_seconds',
      () =>
        new Histogram({
          name: 'kubelet_node_heartbeat_duration_seconds',
          help: 'Duration in seconds of a node heartbeat (node Lease renewal).',
          buckets: latencyBucketsSeconds,
          registers: [on],
        }),
    ),
    probes: metric(
      on,
      'prober_probe_total',
      () =>
        new Counter({
          name: 'prober_probe_total',
          help: 'Cumulative number of liveness, readiness or startup probes, by result.',
          labelNames: ['probe_type', 'result'],
          registers: [on],
        }),
    ),
    statusWrites: metric(
      on,
      'kubelite_kubelet_pod_status_writes_total',
      () =>
        new Counter({
          name: 'kubelite_kubelet_pod_status_writes_total',
          help: 'Pod status writes to the apiserver, by result (ok, conflict, error).',
          labelNames: ['result'],
          registers: [on],
        }),
    ),
    nodeStatusWrites: metric(
      on,
      'kubelite_kubelet_node_status_writes_total',
      () =>
        new Counter({
          name: 'kubelite_kubelet_node_status_writes_total',
          help: 'Node status writes (when it changed or its report period passed), by result (ok, error).',
          labelNames: ['result'],
          registers: [on],
        }),
    ),
  };
}
