// NodeReady: only nodes whose Ready condition is True take new pods. A pod that tolerates the
// node.kubernetes.io/not-ready taint (as DaemonSet pods do) may go to a not-ready node anyway.
// (Written out rather than sharing a generic "node state" filter with NodeUnschedulable: it runs for
// hundreds of nodes per pod, and the indirect call of a shared version cost several times more.)
import type { Taint } from '../../api/types.js';
import type { FilterPlugin } from '../framework/interface.js';
import { type Status, success, unresolvable } from '../framework/status.js';
import { tolerates } from './tolerations.js';

export const nodeReadyName = 'NodeReady';
export const errNodeNotReady = 'node(s) were not ready';

const notReadyTaint: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };
const rejected = unresolvable(nodeReadyName, errNodeNotReady);

export function createNodeReady(): FilterPlugin {
  return {
    name: nodeReadyName,
    events: ['NodeAdd', 'NodeCondition'],
    filter(_state, pod, node): Status {
      if (node.ready || tolerates(pod.pod.spec.tolerations, notReadyTaint)) return success;
      return rejected;
    },
  };
}
