// The proxy's model of what to serve: one ServicePortConfig per (service, port), with the ready
// endpoints for that port. Built from v1 Service + Endpoints by a pure function, so the proxier and
// its tests never depend on where the objects came from (informers in phase 2, memory today).
import type { Endpoints, Protocol, Service } from '../api/types.js';

export type ProxyMode = 'tcp' | 'http' | 'kernel';
export type BalancingAlgorithm = 'round-robin' | 'least-connections';

export const proxyModeAnnotation = 'kubelite.io/proxy-mode';
export const balancingAnnotation = 'kubelite.io/proxy-balancing';
export const lastChangeTriggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';
/** Kubernetes' default ClientIP affinity timeout (3 hours). */
export const defaultAffinityTimeoutSeconds = 10_800;

export interface EndpointAddress {
  /** `ip:port`, the identity used to carry connection counts across endpoint swaps. */
  readonly key: string;
  readonly ip: string;
  readonly port: number;
  readonly nodeName?: string;
}

export interface ServicePortConfig {
  /** `namespace/name:portName` (portName may be empty): the unit of listeners, rules and metrics. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly portName: string;
  readonly protocol: Protocol;
  /** Absent for headless services (they get no listener). */
  readonly clusterIP?: string;
  readonly port: number;
  readonly nodePort?: number;
  /** From the `kubelite.io/proxy-mode` annotation; the proxier's default applies when absent. */
  readonly mode?: ProxyMode;
  readonly balancing?: BalancingAlgorithm;
  readonly sessionAffinity: 'None' | 'ClientIP';
  readonly affinityTimeoutMs: number;
  /** Ready endpoints, sorted by key, without duplicates. */
  readonly endpoints: readonly EndpointAddress[];
  /** When the endpoint change happened in the API (ms since epoch), for network programming latency. */
  readonly endpointsChangedAtMs?: number;
}

function parseMode(value: string | undefined): ProxyMode | undefined {
  return value === 'tcp' || value === 'http' || value === 'kernel' ? value : undefined;
}

function parseBalancing(value: string | undefined): BalancingAlgorithm | undefined {
  return value === 'round-robin' || value === 'least-connections' ? value : undefined;
}

function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** `namespace/name:portName`, the key of one service port. */
export function servicePortKey(namespace: string, name: string, portName: string): string {
  return `${namespace}/${name}:${portName}`;
}

/**
 * The service ports of `service` with their ready endpoints. Endpoint ports match service ports by
 * name, as in Kubernetes (an unnamed single port matches the unnamed endpoint port). ExternalName
 * and headless services yield no ports: the proxy has nothing to listen on for them.
 */
export function serviceConfigFromApi(
  service: Service,
  endpoints: Endpoints | undefined,
): ServicePortConfig[] {
  const spec = service.spec;
  const clusterIP = spec.clusterIP && spec.clusterIP !== 'None' ? spec.clusterIP : undefined;
  if (spec.type === 'ExternalName' || !clusterIP) return [];
  const namespace = service.metadata.namespace ?? 'default';
  const name = service.metadata.name ?? '';
  const annotations = service.metadata.annotations ?? {};
  const mode = parseMode(annotations[proxyModeAnnotation]);
  const balancing = parseBalancing(annotations[balancingAnnotation]);
  const sessionAffinity = spec.sessionAffinity === 'ClientIP' ? 'ClientIP' : 'None';
  const timeoutSeconds =
    spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? defaultAffinityTimeoutSeconds;
  const changedAt = parseTime(endpoints?.metadata.annotations?.[lastChangeTriggerTimeAnnotation]);

  const result: ServicePortConfig[] = [];
  for (const port of spec.ports ?? []) {
    const portName = port.name ?? '';
    const protocol = port.protocol ?? 'TCP';
    const byKey = new Map<string, EndpointAddress>();
    for (const subset of endpoints?.subsets ?? []) {
      const match = subset.ports?.find(
        (p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol,
      );
      if (!match) continue;
      for (const address of subset.addresses ?? []) {
        const key = `${address.ip}:${match.port}`;
        if (!byKey.has(key)) {
          byKey.set(key, { key, ip: address.ip, port: match.port, nodeName: address.nodeName });
        }
      }
    }
    const ready = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    result.push({
      key: servicePortKey(namespace, name, portName),
      namespace,
      name,
      portName,
      protocol,
      clusterIP,
      port: port.port,
      // Whatever node port the apiserver allocated: NodePort/LoadBalancer services, and every port
      // of a ClusterIP service under its nodePortsForAllServices (DESIGN.md "Networking").
      nodePort: port.nodePort || undefined,
      mode,
      balancing,
      sessionAffinity,
      affinityTimeoutMs: timeoutSeconds * 1000,
      endpoints: ready,
      endpointsChangedAtMs: changedAt,
    });
  }
  return result;
}

/** Where node ports are served: the node address, then further addresses (e.g. a bridge gateway), once each. */
export function nodePortAddresses(nodeAddress: string | undefined, extra: readonly string[] = []): string[] {
  const all = nodeAddress ? [nodeAddress, ...extra] : [...extra];
  return [...new Set(all.filter(Boolean))];
}

/** True when two configs of the same key need different listeners (address, port or mode changed). */
export function listenerChanged(a: ServicePortConfig, b: ServicePortConfig): boolean {
  return (
    a.clusterIP !== b.clusterIP ||
    a.port !== b.port ||
    a.nodePort !== b.nodePort ||
    a.mode !== b.mode ||
    a.protocol !== b.protocol
  );
}

/** True when the balancing behaviour (algorithm, affinity) changed. */
export function balancingChanged(a: ServicePortConfig, b: ServicePortConfig): boolean {
  return (
    a.balancing !== b.balancing ||
    a.sessionAffinity !== b.sessionAffinity ||
    a.affinityTimeoutMs !== b.affinityTimeoutMs
  );
}

/** True when the ready endpoint lists differ (both are sorted by key). */
export function endpointsChanged(a: ServicePortConfig, b: ServicePortConfig): boolean {
  if (a.endpoints.length !== b.endpoints.length) return true;
  for (let i = 0; i < a.endpoints.length; i++) if (a.endpoints[i]!.key !== b.endpoints[i]!.key) return true;
  return false;
}
