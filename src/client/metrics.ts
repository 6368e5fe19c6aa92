// Metric lookup that tolerates several clients (or work queues) registering on one component registry:
// the first creates the metric, later ones reuse it instead of tripping prom-client's duplicate check.
import { Counter, Gauge, Histogram, type Registry } from '../metrics/registry.js';

export function counterOn(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
): Counter<string> {
  return (
    (registry.getSingleMetric(name) as Counter<string> | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

export function gaugeOn(registry: Registry, name: string, help: string, labelNames: string[]): Gauge<string> {
  return (
    (registry.getSingleMetric(name) as Gauge<string> | undefined) ??
    new Gauge({ name, help, labelNames, registers: [registry] })
  );
}

export function histogramOn(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  buckets: number[],
): Histogram<string> {
  return (
    (registry.getSingleMetric(name) as Histogram<string> | undefined) ??
    new Histogram({ name, help, labelNames, buckets, registers: [registry] })
  );
}
