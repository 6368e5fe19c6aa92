// What each resource does differently on writes (Kubernetes' pkg/registry/core/*/strategy.go).
import { type ResourceInfo, resourceByName } from '../../api/resources.js';
import type { KubeObject, Namespace, Pod, Service } from '../../api/types.js';
import type { Strategy } from './strategy.js';

function strategy(name: string, overrides: Partial<Omit<Strategy, 'resource'>> = {}): Strategy {
  const resource = resourceByName(name) as ResourceInfo;
  return {
    resource,
    allowCreateOnUpdate: false,
    prepareForCreate: () => {},
    prepareForUpdate: () => {},
    ...overrides,
  };
}

export const podStrategy = strategy('pods', {
  // A new pod's status is the server's: Pending; defaulting then adds the QoS class, computed from the
  // defaulted resources (requests default to limits); the kubelet reports the rest.
  prepareForCreate(obj) {
    (obj as unknown as Pod).status = { phase: 'Pending' };
  },
});

export const serviceStrategy = strategy('services', {
  allowCreateOnUpdate: true,
  prepareForCreate(obj) {
    obj.status = { loadBalancer: {} };
  },
  // Kubernetes' patchAllocatedValues: an update that omits the allocated cluster IP or node ports
  // (kubectl replace/apply of the original manifest) keeps them.
  prepareForUpdate(obj, old) {
    const spec = (obj as unknown as Service).spec;
    const before = (old as unknown as Service).spec;
    if (!spec || !before) return;
    if (spec.type !== 'ExternalName' && !spec.clusterIP && before.clusterIP) {
      spec.clusterIP = before.clusterIP;
      if (!spec.clusterIPs && before.clusterIPs) spec.clusterIPs = [...before.clusterIPs];
      if (!spec.ipFamilies && before.ipFamilies) spec.ipFamilies = [...before.ipFamilies];
      if (!spec.ipFamilyPolicy && before.ipFamilyPolicy) spec.ipFamilyPolicy = before.ipFamilyPolicy;
    }
    const keepPorts =
      spec.type !== 'ExternalName' &&
      (spec.type === 'NodePort' ||
        spec.type === 'LoadBalancer' ||
        (spec.type ?? 'ClusterIP') === (before.type ?? 'ClusterIP'));
    if (!keepPorts) return;
    for (const port of spec.ports ?? []) {
      if (port.nodePort) continue;
      const match = (before.ports ?? []).find(
        (p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP') && p.nodePort,
      );
      if (match) port.nodePort = match.nodePort;
    }
  },
});

export const replicationControllerStrategy = strategy('replicationcontrollers', {
  prepareForCreate(obj) {
    obj.status = { replicas: 0 };
  },
});

export const endpointsStrategy = strategy('endpoints', { allowCreateOnUpdate: true });

export const eventStrategy = strategy('events', { allowCreateOnUpdate: true });

/** Nodes keep the status they are created with: the kubelet registers with its capacity and addresses. */
export const nodeStrategy = strategy('nodes');

export const namespaceStrategy = strategy('namespaces', {
  prepareForCreate(obj) {
    const ns = obj as unknown as Namespace;
    ns.status = { phase: 'Active' };
    ns.spec = { finalizers: ['kubernetes'] };
  },
  // spec.finalizers change only through /finalize (the namespace purger), never through updates. A
  // stored namespace without finalizers gets an explicit empty list: defaulting would add `kubernetes`.
  prepareForUpdate(obj, old) {
    const ns = obj as unknown as Namespace;
    const prev = (old as unknown as Namespace).spec;
    ns.spec = { ...prev, finalizers: [...(prev?.finalizers ?? [])] };
  },
});

/** Leases have no status and no server-filled fields; PUT of a missing lease creates it (as Kubernetes). */
export const leaseStrategy = strategy('leases', { allowCreateOnUpdate: true });

export const strategies: ReadonlyMap<string, Strategy> = new Map(
  [
    podStrategy,
    serviceStrategy,
    replicationControllerStrategy,
    endpointsStrategy,
    eventStrategy,
    nodeStrategy,
    namespaceStrategy,
    leaseStrategy,
  ].map((s) => [s.resource.name, s]),
);

export function isKubeObject(value: unknown): value is KubeObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
