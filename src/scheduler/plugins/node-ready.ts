// NodeReady: only nodes whose Ready condition is True take new pods. A pod that tolerates the
// node.kubernetes.io/not-ready taint (as DaemonSet pods do) may go to a not-ready node anyway.
import type { FilterPlugin } from '../framework/interface.js';
import { createNodeStateFilter } from './node-state.js';

export const nodeReadyName = 'NodeReady';
export const errNodeNotReady = 'node(s) were not ready';

export function createNodeReady(): FilterPlugin {
  return createNodeStateFilter({
    name: nodeReadyName,
    reason: errNodeNotReady,
    taintKey: 'node.kubernetes.io/not-ready',
    events: ['NodeAdd', 'NodeCondition'],
    blocks: (node) => !node.ready,
  });
}
