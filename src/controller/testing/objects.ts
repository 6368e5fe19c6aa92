// Test-only builders for the objects controller tests create: replication controllers, pods in any
// state a kubelet would report, nodes with a heartbeat, and services.
import type {
  ConditionStatus,
  ContainerPort,
  Node,
  OwnerReference,
  Pod,
  PodPhase,
  ReplicationController,
  Service,
  ServicePort,
  Toleration,
} from '../../api/types.js';
import { rfc3339 } from '../../util/clock.js';

export interface RcOptions {
  namespace?: string;
  replicas?: number;
  /** Default: the template labels. */
  selector?: Record<string, string>;
  /** Template labels; default { app: name }. */
  labels?: Record<string, string>;
  minReadySeconds?: number;
  image?: string;
  ports?: ContainerPort[];
}

export function makeRc(name: string, o: RcOptions = {}): ReplicationController {
  const labels = o.labels ?? { app: name };
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name, namespace: o.namespace ?? 'default' },
    spec: {
      replicas: o.replicas ?? 1,
      selector: o.selector ?? labels,
      ...(o.minReadySeconds ? { minReadySeconds: o.minReadySeconds } : {}),
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: 'main', image: o.image ?? 'busybox', ...(o.ports ? { ports: o.ports } : {}) }],
        },
      },
    },
  };
}

export interface PodOptions {
  namespace?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  phase?: PodPhase;
  /** Sets the Ready condition (True/False); omitted = no Ready condition. */
  ready?: boolean;
  readySinceMs?: number;
  podIP?: string;
  owner?: ReplicationController;
  ownerReferences?: OwnerReference[];
  creationTimestampMs?: number;
  restarts?: number;
  ports?: ContainerPort[];
  tolerations?: Toleration[];
  hostname?: string;
  subdomain?: string;
  deletionTimestampMs?: number;
}

export function ownerRefTo(rc: ReplicationController): OwnerReference {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    name: rc.metadata.name!,
    uid: rc.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function makePod(name: string, o: PodOptions = {}): Pod {
  const refs = o.ownerReferences ?? (o.owner ? [ownerRefTo(o.owner)] : undefined);
  const conditions =
    o.ready === undefined
      ? []
      : [
          {
            type: 'Ready',
            status: (o.ready ? 'True' : 'False') as ConditionStatus,
            ...(o.readySinceMs !== undefined ? { lastTransitionTime: rfc3339(o.readySinceMs) } : {}),
          },
        ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      ...(o.labels ? { labels: o.labels } : {}),
      ...(refs ? { ownerReferences: refs } : {}),
      ...(o.creationTimestampMs !== undefined ? { creationTimestamp: rfc3339(o.creationTimestampMs) } : {}),
      ...(o.deletionTimestampMs !== undefined ? { deletionTimestamp: rfc3339(o.deletionTimestampMs) } : {}),
    },
    spec: {
      containers: [{ name: 'main', image: 'busybox', ...(o.ports ? { ports: o.ports } : {}) }],
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? (o.nodeName ? 'Running' : 'Pending'),
      conditions,
      ...(o.podIP ? { podIP: o.podIP, podIPs: [{ ip: o.podIP }] } : {}),
      ...(o.restarts !== undefined
        ? {
            containerStatuses: [
              { name: 'main', ready: !!o.ready, restartCount: o.restarts, image: 'busybox', imageID: '' },
            ],
          }
        : {}),
    },
  };
}

export interface NodeOptions {
  /** Ready condition status; default True. */
  ready?: ConditionStatus;
  heartbeatMs?: number;
  labels?: Record<string, string>;
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  const capacity = { cpu: '4', memory: '8Gi', pods: '110' };
  const heartbeat = rfc3339(o.heartbeatMs ?? Date.now());
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: {},
    status: {
      capacity,
      allocatable: capacity,
      conditions: [
        {
          type: 'Ready',
          status: o.ready ?? 'True',
          reason: (o.ready ?? 'True') === 'True' ? 'KubeletReady' : 'KubeletNotReady',
          lastHeartbeatTime: heartbeat,
          lastTransitionTime: heartbeat,
        },
      ],
    },
  };
}

export interface ServiceOptions {
  namespace?: string;
  /** Default { app: name }; null = no selector. */
  selector?: Record<string, string> | null;
  ports?: ServicePort[];
  labels?: Record<string, string>;
  publishNotReadyAddresses?: boolean;
  clusterIP?: string;
}

export function makeService(name: string, o: ServiceOptions = {}): Service {
  const selector = o.selector === undefined ? { app: name } : o.selector;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: o.namespace ?? 'default', ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      ...(selector ? { selector } : {}),
      ports: o.ports ?? [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      ...(o.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
      ...(o.clusterIP ? { clusterIP: o.clusterIP } : {}),
    },
  };
}
