// The shape shared by NodeReady and NodeUnschedulable: a node in some state takes no new pods,
// unless the pod tolerates the taint Kubernetes puts on nodes in that state.
import type { Taint } from '../../api/types.js';
import type { ClusterEventKind, FilterPlugin } from '../framework/interface.js';
import type { NodeInfo } from '../framework/node-info.js';
import { type Status, success, unresolvable } from '../framework/status.js';
import { tolerates } from './tolerations.js';

export interface NodeStateFilter {
  name: string;
  reason: string;
  /** The taint a pod must tolerate to be placed on a node in this state anyway. */
  taintKey: string;
  events: readonly ClusterEventKind[];
  blocks(node: NodeInfo): boolean;
}

export function createNodeStateFilter(spec: NodeStateFilter): FilterPlugin {
  const taint: Taint = { key: spec.taintKey, effect: 'NoSchedule' };
  const rejected = unresolvable(spec.name, spec.reason);
  return {
    name: spec.name,
    events: spec.events,
    filter(_state, pod, node): Status {
      if (!spec.blocks(node) || tolerates(pod.pod.spec.tolerations, taint)) return success;
      return rejected;
    },
  };
}
