// The Node object a kubelet registers and the status it keeps reporting: addresses, capacity and
// allocatable, nodeInfo, the kubelet endpoint the apiserver proxies logs to, and the four
// conditions with Kubernetes' reasons and messages. The status is written when it changes
// (nodeStatusChanged) or every report period; the node Lease is the heartbeat in between.

import { quantityFromJSON } from '../../api/quantity.js';
import type { Node, NodeCondition, NodeStatus, ResourceList } from '../../api/types.js';
import { kubeliteVersion } from '../../api/version.js';
import { rfc3339 } from '../../util/clock.js';
import type { MachineInfo } from './machine.js';

export interface NodeFacts {
  nodeName: string;
  address: string;
  port: number;
  machine: MachineInfo;
  maxPods: number;
  /** `docker://20.10.24`, `process://0.1.0`, … */
  containerRuntimeVersion: string;
  podCidr?: string;
  labels?: Record<string, string>;
}

export function nodeCapacity(facts: NodeFacts): ResourceList {
  const m = facts.machine;
  return {
    cpu: String(m.cpuCores),
    memory: `${Math.floor(m.memoryBytes / 1024)}Ki`,
    pods: String(facts.maxPods),
    'ephemeral-storage': `${Math.floor(m.diskBytes / 1024)}Ki`,
  };
}

const conditionText: Array<[type: string, status: 'True' | 'False', reason: string, message: string]> = [
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
];

/** The conditions now; transition times kept from `previous` where the status did not change. */
export function nodeConditions(previous: NodeCondition[] | undefined, now: number): NodeCondition[] {
  const stamp = rfc3339(now);
  return conditionText.map(([type, status, reason, message]) => {
    const before = previous?.find((c) => c.type === type);
    return {
      type,
      status,
      lastHeartbeatTime: stamp,
      lastTransitionTime:
        before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : stamp,
      reason,
      message,
    };
  });
}

export function nodeStatus(facts: NodeFacts, previous: NodeStatus | undefined, now: number): NodeStatus {
  const capacity = nodeCapacity(facts);
  const m = facts.machine;
  return {
    capacity,
    allocatable: { ...capacity },
    conditions: nodeConditions(previous?.conditions, now),
    addresses: [
      { type: 'InternalIP', address: facts.address },
      { type: 'Hostname', address: facts.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: facts.port } },
    nodeInfo: {
      machineID: m.machineID,
      systemUUID: m.systemUUID,
      bootID: m.bootID,
      kernelVersion: m.kernelVersion,
      osImage: m.osImage,
      containerRuntimeVersion: facts.containerRuntimeVersion,
      kubeletVersion: kubeliteVersion.gitVersion,
      kubeProxyVersion: '',
      operatingSystem: m.operatingSystem,
      architecture: m.architecture,
    },
  };
}

export function nodeLabels(facts: NodeFacts): Record<string, string> {
  const os = facts.machine.operatingSystem;
  const arch = facts.machine.architecture;
  return {
    'kubernetes.io/hostname': facts.nodeName,
    'kubernetes.io/os': os,
    'kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': os,
    'beta.kubernetes.io/arch': arch,
    ...facts.labels,
  };
}

export function nodeObject(facts: NodeFacts, now: number): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: facts.nodeName, labels: nodeLabels(facts) },
    spec: facts.podCidr ? { podCIDR: facts.podCidr, podCIDRs: [facts.podCidr] } : {},
    status: nodeStatus(facts, undefined, now),
  };
}

/** JSON with object keys sorted: equal values give equal text whatever order the API wrote them in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function sameQuantities(a: ResourceList | undefined, b: ResourceList | undefined): boolean {
  const left = Object.keys(a ?? {});
  if (left.length !== Object.keys(b ?? {}).length) return false;
  return left.every((name) => {
    const other = b?.[name];
    if (other === undefined) return false;
    try {
      return quantityFromJSON(a![name]).cmp(quantityFromJSON(other)) === 0;
    } catch {
      return a![name] === other;
    }
  });
}

/**
 * Whether writing `desired` would change what `current` (the Node's status in the API) says, heartbeat
 * and transition times aside (Kubernetes' nodeStatusHasChanged): a condition's status, reason or
 * message, capacity, allocatable, addresses, the kubelet endpoint or nodeInfo.
 */
export function nodeStatusChanged(current: NodeStatus | undefined, desired: NodeStatus): boolean {
  if (!current) return true;
  const conditionsDiffer = (desired.conditions ?? []).some((want) => {
    const have = current.conditions?.find((c) => c.type === want.type);
    return (
      !have ||
      have.status !== want.status ||
      (have.reason ?? '') !== (want.reason ?? '') ||
      (have.message ?? '') !== (want.message ?? '')
    );
  });
  return (
    conditionsDiffer ||
    !sameQuantities(current.capacity, desired.capacity) ||
    !sameQuantities(current.allocatable, desired.allocatable) ||
    canonicalJson(current.addresses ?? []) !== canonicalJson(desired.addresses ?? []) ||
    canonicalJson(current.daemonEndpoints ?? {}) !== canonicalJson(desired.daemonEndpoints ?? {}) ||
    canonicalJson(current.nodeInfo ?? {}) !== canonicalJson(desired.nodeInfo ?? {})
  );
}
