// NodeUnschedulable: a cordoned node (spec.unschedulable) takes no new pods, unless the pod
// tolerates the node.kubernetes.io/unschedulable taint.
import type { Taint } from '../../api/types.js';
import type { FilterPlugin } from '../framework/interface.js';
import { type Status, success, unresolvable } from '../framework/status.js';
import { tolerates } from './tolerations.js';

export const nodeUnschedulableName = 'NodeUnschedulable';
export const errNodeUnschedulable = 'node(s) were unschedulable';

const unschedulableTaint: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
const rejected = unresolvable(nodeUnschedulableName, errNodeUnschedulable);

export function createNodeUnschedulable(): FilterPlugin {
  return {
    name: nodeUnschedulableName,
    events: ['NodeAdd', 'NodeSpecUnschedulable'],
    filter(_state, pod, node): Status {
      if (!node.unschedulable || tolerates(pod.pod.spec.tolerations, unschedulableTaint)) return success;
      return rejected;
    },
  };
}
