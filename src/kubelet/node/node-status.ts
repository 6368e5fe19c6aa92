// The Node object a kubelet registers and the status it keeps reporting: addresses, capacity and
// allocatable, nodeInfo, the kubelet endpoint the apiserver proxies logs to, and the four
// conditions with Kubernetes' reasons and messages. Heartbeats renew lastHeartbeatTime only.

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

/** The strategic merge patch of a heartbeat: every condition with a fresh lastHeartbeatTime. */
export function heartbeatPatch(previous: NodeCondition[] | undefined, now: number): { status: NodeStatus } {
  return { status: { conditions: nodeConditions(previous, now) } };
}
