// Node conditions as the node lifecycle controller reads and writes them. A status heartbeat is a
// change of the Ready condition's lastHeartbeatTime (the kubelet rewrites it when its status changes
// or every report period; its node Lease is the frequent heartbeat); the controller times heartbeats
// by its own clock when it sees them, as Kubernetes does, so clock skew between machines does not
// matter. When heartbeats stop, the conditions the kubelet owns become Unknown.
import type { Node, NodeCondition } from '../../api/types.js';

/** Conditions the kubelet posts and the controller marks Unknown when it stops (Kubernetes' list). */
export const kubeletConditionTypes = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export function nodeCondition(node: Node, type: string): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

/** What identifies one heartbeat: the Ready condition's lastHeartbeatTime ('' before the first one). */
export function heartbeatOf(node: Node): string {
  return nodeCondition(node, 'Ready')?.lastHeartbeatTime ?? '';
}

/** True when every kubelet condition already says Unknown. */
export function allUnknown(node: Node): boolean {
  return kubeletConditionTypes.every((type) => nodeCondition(node, type)?.status === 'Unknown');
}

/** The node's conditions with every kubelet condition set to Unknown (heartbeat times kept). */
export function unknownConditions(node: Node, nowIso: string): NodeCondition[] {
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  for (const type of kubeletConditionTypes) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        ...(node.metadata.creationTimestamp ? { lastHeartbeatTime: node.metadata.creationTimestamp } : {}),
        lastTransitionTime: nowIso,
      });
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = nowIso;
    }
  }
  return conditions;
}
