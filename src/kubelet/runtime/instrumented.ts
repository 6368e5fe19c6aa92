// Runtime operation metrics as the kubelet reports them: a wrapper that counts and times every call
// (kubelet_runtime_operations_total, _duration_seconds, _errors_total by operation_type).
import { Counter, Histogram, latencyBucketsSeconds, type Registry } from '../../metrics/registry.js';
import type { Runtime } from './types.js';

type Operation = Exclude<keyof Runtime, 'kind' | 'nodeName' | 'subscribe' | 'events' | 'close'>;

/** Kubernetes' operation_type values where it has one, snake_case otherwise. */
const operationTypes: Record<Operation, string> = {
  version: 'version',
  podNetwork: 'pod_network',
  imageStatus: 'image_status',
  runPodSandbox: 'run_podsandbox',
  stopPodSandbox: 'stop_podsandbox',
  removePodSandbox: 'remove_podsandbox',
  podSandboxStatus: 'podsandbox_status',
  listPodSandboxes: 'list_podsandbox',
  createContainer: 'create_container',
  startContainer: 'start_container',
  stopContainer: 'stop_container',
  removeContainer: 'remove_container',
  listContainers: 'list_containers',
  containerStatus: 'container_status',
  containerLogs: 'container_logs',
  execSync: 'exec_sync',
};

function metric<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function instrumentRuntime(runtime: Runtime, registry: Registry): Runtime {
  const labelNames = ['operation_type'] as const;
  const total = metric(
    registry,
    'kubelet_runtime_operations_total',
    () =>
      new Counter({
        name: 'kubelet_runtime_operations_total',
        help: 'Cumulative number of runtime operations by operation type.',
        labelNames,
        registers: [registry],
      }),
  );
  const errors = metric(
    registry,
    'kubelet_runtime_operations_errors_total',
    () =>
      new Counter({
        name: 'kubelet_runtime_operations_errors_total',
        help: 'Cumulative number of runtime operation errors by operation type.',
        labelNames,
        registers: [registry],
      }),
  );
  const duration = metric(
    registry,
    'kubelet_runtime_operations_duration_seconds',
    () =>
      new Histogram({
        name: 'kubelet_runtime_operations_duration_seconds',
        help: 'Duration in seconds of runtime operations by operation type.',
        labelNames,
        buckets: latencyBucketsSeconds,
        registers: [registry],
      }),
  );

  const wrapped: Record<string, unknown> = {
    get kind() {
      return runtime.kind;
    },
    get nodeName() {
      return runtime.nodeName;
    },
    subscribe: runtime.subscribe.bind(runtime),
    events: runtime.events.bind(runtime),
    close: runtime.close.bind(runtime),
  };
  for (const [op, type] of Object.entries(operationTypes)) {
    const call = (runtime[op as Operation] as (...args: unknown[]) => Promise<unknown>).bind(runtime);
    wrapped[op] = async (...args: unknown[]) => {
      const labels = { operation_type: type };
      total.inc(labels);
      const end = duration.startTimer(labels);
      try {
        return await call(...args);
      } catch (err) {
        errors.inc(labels);
        throw err;
      } finally {
        end();
      }
    };
  }
  return wrapped as unknown as Runtime;
}
