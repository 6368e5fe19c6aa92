// NodeUnschedulable: a cordoned node (spec.unschedulable) takes no new pods, unless the pod
// tolerates the node.kubernetes.io/unschedulable taint.
import type { FilterPlugin } from '../framework/interface.js';
import { createNodeStateFilter } from './node-state.js';

export const nodeUnschedulableName = 'NodeUnschedulable';
export const errNodeUnschedulable = 'node(s) were unschedulable';

export function createNodeUnschedulable(): FilterPlugin {
  return createNodeStateFilter({
    name: nodeUnschedulableName,
    reason: errNodeUnschedulable,
    taintKey: 'node.kubernetes.io/unschedulable',
    events: ['NodeAdd', 'NodeSpecUnschedulable'],
    blocks: (node) => node.unschedulable,
  });
}
