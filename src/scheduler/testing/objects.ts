// Small builders for the Node and Pod objects scheduler tests need (the shape of Kubernetes'
// scheduler testing wrappers), used by unit tests, integration tests and the benchmark.
import type { ContainerPort, Node, Pod, Taint, Toleration } from '../../api/types.js';

export interface NodeSpecOptions {
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  ready?: boolean;
  unschedulable?: boolean;
  taints?: Taint[];
}

export function makeNode(name: string, o: NodeSpecOptions = {}): Node {
  const capacity = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: String(o.pods ?? 110) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: {
      ...(o.unschedulable ? { unschedulable: true } : {}),
      ...(o.taints ? { taints: o.taints } : {}),
    },
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', reason: 'KubeletReady' }],
    },
  };
}

export interface PodSpecOptions {
  namespace?: string;
  cpu?: string;
  memory?: string;
  nodeSelector?: Record<string, string>;
  hostPorts?: number[];
  ports?: ContainerPort[];
  nodeName?: string;
  schedulerName?: string;
  labels?: Record<string, string>;
  controllerUid?: string;
  priority?: number;
  tolerations?: Toleration[];
  affinity?: Record<string, unknown>;
}

export function makePod(name: string, o: PodSpecOptions = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const ports = o.ports ?? (o.hostPorts ?? []).map((p) => ({ containerPort: p, hostPort: p }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.controllerUid
        ? {
            ownerReferences: [
              {
                apiVersion: 'v1',
                kind: 'ReplicationController',
                name: 'rc',
                uid: o.controllerUid,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'busybox',
          ...(Object.keys(requests).length ? { resources: { requests } } : {}),
          ...(ports.length ? { ports } : {}),
        },
      ],
      schedulerName: o.schedulerName ?? 'default-scheduler',
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
    },
    status: { phase: 'Pending' },
  };
}
