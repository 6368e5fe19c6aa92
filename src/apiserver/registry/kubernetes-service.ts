// What the `default/kubernetes` Service and Endpoints should be (Kubernetes' master service, which
// pods find the apiserver by), and the repair an existing object needs. Pure: the controller in
// kubernetes-service-controller.ts reads, compares and writes.
import type { Endpoints, KubeObject, Service, ServicePort } from '../../api/types.js';
import { semanticEqual } from '../../api/validation/equality.js';
import { proxyModeAnnotation } from '../../proxy/config.js';

export const kubernetesServiceNamespace = 'default';
export const kubernetesServiceName = 'kubernetes';
/** The service port, as in Kubernetes (the apiserver's own port is the target). */
export const kubernetesServicePort = 443;

const labels = { component: 'apiserver', provider: 'kubernetes' };
// TLS and hour-long watches pass through untouched at L4; an L7 (http mode) proxy would break both.
const annotations = { [proxyModeAnnotation]: 'tcp' };

/** One apiserver as the service's endpoint: where it is reached, and its port's name by scheme. */
export interface ApiServerEndpoint {
  readonly ip: string;
  readonly port: number;
  readonly portName: 'https' | 'http';
}

export function isKubernetesService(obj: KubeObject): boolean {
  return obj.metadata.namespace === kubernetesServiceNamespace && obj.metadata.name === kubernetesServiceName;
}

/** By address, then port: every apiserver orders the same members the same way. */
export function sortEndpoints(members: Iterable<ApiServerEndpoint>): ApiServerEndpoint[] {
  return [...members].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.port - b.port));
}

function servicePorts(primary: ApiServerEndpoint): ServicePort[] {
  return [{ name: primary.portName, port: kubernetesServicePort, protocol: 'TCP', targetPort: primary.port }];
}

/**
 * The service for `clusterIP`. Its target port is the first member's (in sortEndpoints order): one
 * apiserver's own port, and one choice all apiservers agree on when there are several.
 */
export function desiredService(clusterIP: string, primary: ApiServerEndpoint): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: kubernetesServiceName,
      namespace: kubernetesServiceNamespace,
      labels: { ...labels },
      annotations: { ...annotations },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      clusterIPs: [clusterIP],
      ports: servicePorts(primary),
      sessionAffinity: 'None',
    },
  };
}

const samePort = (a: ServicePort, b: ServicePort): boolean =>
  (a.name ?? '') === (b.name ?? '') &&
  a.port === b.port &&
  (a.protocol ?? 'TCP') === (b.protocol ?? 'TCP') &&
  String(a.targetPort ?? a.port) === String(b.targetPort ?? b.port);

const hasAll = (have: Record<string, string> | undefined, want: Record<string, string>): boolean =>
  Object.entries(want).every(([k, v]) => have?.[k] === v);

/**
 * The updated service when `current` differs from what the apiserver needs (Kubernetes'
 * getMasterServiceUpdateIfNeeded: ports and type; here also the labels, the proxy-mode annotation,
 * and no selector, which would hand the Endpoints to the endpoints controller). Node ports the
 * allocator gave are kept; the cluster IP is immutable and left alone. Undefined: nothing to do.
 */
export function serviceRepair(current: Service, primary: ApiServerEndpoint): Service | undefined {
  const wanted = servicePorts(primary);
  const ports = current.spec?.ports ?? [];
  const portsOk = ports.length === wanted.length && ports.every((p, i) => samePort(p, wanted[i]!));
  const typeOk = (current.spec?.type ?? 'ClusterIP') === 'ClusterIP';
  const selectorOk = Object.keys(current.spec?.selector ?? {}).length === 0;
  const metaOk = hasAll(current.metadata.labels, labels) && hasAll(current.metadata.annotations, annotations);
  if (portsOk && typeOk && selectorOk && metaOk) return undefined;
  const next = structuredClone(current);
  next.metadata.labels = { ...next.metadata.labels, ...labels };
  next.metadata.annotations = { ...next.metadata.annotations, ...annotations };
  next.spec = { ...next.spec, type: 'ClusterIP' };
  delete next.spec.selector;
  if (!portsOk) {
    next.spec.ports = wanted.map((p) => {
      const nodePort = ports.find((old) => (old.name ?? '') === p.name)?.nodePort;
      return nodePort ? { ...p, nodePort } : p;
    });
  }
  return next;
}

/** The endpoints: one subset per (port name, port), each with its apiservers' addresses. */
export function desiredSubsets(members: readonly ApiServerEndpoint[]): NonNullable<Endpoints['subsets']> {
  const groups = new Map<string, ApiServerEndpoint[]>();
  for (const m of sortEndpoints(members)) {
    const key = `${m.portName}/${m.port}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.values()]
    .sort((a, b) => a[0]!.port - b[0]!.port || a[0]!.portName.localeCompare(b[0]!.portName))
    .map((group) => ({
      addresses: [...new Set(group.map((m) => m.ip))].map((ip) => ({ ip })),
      ports: [{ name: group[0]!.portName, port: group[0]!.port, protocol: 'TCP' as const }],
    }));
}

export function desiredEndpoints(members: readonly ApiServerEndpoint[]): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: kubernetesServiceName, namespace: kubernetesServiceNamespace },
    subsets: desiredSubsets(members),
  };
}

/** The updated endpoints when their subsets are not exactly the members'; undefined: nothing to do. */
export function endpointsRepair(
  current: Endpoints,
  members: readonly ApiServerEndpoint[],
): Endpoints | undefined {
  const subsets = desiredSubsets(members);
  if (semanticEqual(current.subsets ?? [], subsets)) return undefined;
  return { ...structuredClone(current), subsets };
}
