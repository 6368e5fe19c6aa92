// One prom-client Registry per component (never the global one), so several components in one
// process (`kubelite up`, tests) each expose their own /metrics without name clashes.
import { collectDefaultMetrics, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';

export interface ComponentRegistryOptions {
  component: string;
  /** Process metrics (cpu, memory, event loop lag); off when several components share a process. */
  processMetrics?: boolean;
}

export function createRegistry(options: ComponentRegistryOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ component: options.component });
  if (options.processMetrics) {
    collectDefaultMetrics({ register: registry });
    // prom-client's gauges named *_total break Prometheus' naming rules (`promtool check metrics`
    // rejects them); each is the sum over `type` of nodejs_active_{handles,requests,resources}.
    for (const name of lintFailingDefaults) registry.removeSingleMetric(name);
  }
  return registry;
}

const lintFailingDefaults = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Latency buckets in seconds from 100 µs to 60 s, Kubernetes-style (apiserver request duration). */
export const latencyBucketsSeconds = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];
