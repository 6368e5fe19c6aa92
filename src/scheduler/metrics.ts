// The scheduler's Prometheus metrics, Kubernetes' names and labels, on an injected registry.
// Label children are looked up once and kept: observing is on the per-pod hot path.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { QueueName } from './queue/scheduling-queue.js';

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

function exponential(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}

export interface SchedulerMetrics {
  attempt(result: AttemptResult, seconds: number): void;
  /** A pod bound: time since it first entered the queue, and how many attempts it took. */
  podScheduled(seconds: number, attempts: number): void;
  extensionPoint(point: string, seconds: number, status: string): void;
  /** A pod entered a queue, and why (PodAdd, BackoffComplete, NodeAdd, AssignedPodDelete, …). */
  incomingPod(queue: QueueName, event: string): void;
}

export function createSchedulerMetrics(
  registry: Registry,
  profile: string,
  pendingPods: () => Record<QueueName, number>,
  bindsInFlight: () => number = () => 0,
): SchedulerMetrics {
  const attempts = new Counter({
    name: 'scheduler_schedule_attempts_total',
    help: 'Number of attempts to schedule pods, by the result.',
    labelNames: ['result', 'profile'],
    registers: [registry],
  });
  const attemptDuration = new Histogram({
    name: 'scheduler_scheduling_attempt_duration_seconds',
    help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding).',
    labelNames: ['result', 'profile'],
    buckets: exponential(0.001, 2, 15),
    registers: [registry],
  });
  const sli = new Histogram({
    name: 'scheduler_pod_scheduling_sli_duration_seconds',
    help: 'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue.',
    labelNames: ['attempts'],
    buckets: exponential(0.01, 2, 20),
    registers: [registry],
  });
  const extension = new Histogram({
    name: 'scheduler_framework_extension_point_duration_seconds',
    help: 'Latency for running all plugins of a specific extension point.',
    labelNames: ['extension_point', 'status', 'profile'],
    buckets: exponential(0.0001, 2, 12),
    registers: [registry],
  });
  new Gauge({
    name: 'scheduler_pending_pods',
    help: 'Number of pending pods, by the queue type.',
    labelNames: ['queue'],
    registers: [registry],
    collect() {
      const l = pendingPods();
      this.set({ queue: 'active' }, l.active);
      this.set({ queue: 'backoff' }, l.backoff);
      this.set({ queue: 'unschedulable' }, l.unschedulable);
    },
  });

  new Gauge({
    name: 'kubelite_scheduler_binds_in_flight',
    help: 'Bindings sent to the apiserver and not yet answered (pods assumed on their node).',
    registers: [registry],
    collect() {
      this.set(bindsInFlight());
    },
  });

  const incoming = new Counter({
    name: 'scheduler_queue_incoming_pods_total',
    help: 'Number of pods added to scheduling queues by event and queue type.',
    labelNames: ['queue', 'event'],
    registers: [registry],
  });

  const attemptChildren = new Map<string, { count: Counter.Internal; time: Histogram.Internal<string> }>();
  const extensionChildren = new Map<string, Histogram.Internal<string>>();
  const incomingChildren = new Map<string, Counter.Internal>();
  return {
    attempt(result, seconds) {
      let c = attemptChildren.get(result);
      if (!c) {
        c = { count: attempts.labels(result, profile), time: attemptDuration.labels(result, profile) };
        attemptChildren.set(result, c);
      }
      c.count.inc();
      c.time.observe(seconds);
    },
    podScheduled(seconds, n) {
      sli.labels(n >= 15 ? '15+' : String(n)).observe(seconds);
    },
    extensionPoint(point, seconds, status) {
      const key = `${point}\u0000${status}`;
      let h = extensionChildren.get(key);
      if (!h) extensionChildren.set(key, (h = extension.labels(point, status, profile)));
      h.observe(seconds);
    },
    incomingPod(queue, event) {
      const key = `${queue}\u0000${event}`;
      let c = incomingChildren.get(key);
      if (!c) incomingChildren.set(key, (c = incoming.labels(queue, event)));
      c.inc();
    },
  };
}
