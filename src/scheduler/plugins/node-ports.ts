// NodePorts: a pod asking for host ports only fits where no pod already holds the same protocol
// and port on an overlapping address. Pods without host ports skip the check entirely.
import type { FilterPlugin, PreFilterPlugin } from '../framework/interface.js';
import { type Status, skip, success, unschedulable } from '../framework/status.js';

export const nodePortsName = 'NodePorts';
export const errNodePorts = "node(s) didn't have free ports for the requested pod ports";

const rejected = unschedulable(nodePortsName, errNodePorts);

export function createNodePorts(): FilterPlugin & PreFilterPlugin {
  return {
    name: nodePortsName,
    events: ['NodeAdd', 'PodDelete'],
    preFilter(_state, pod): Status {
      return pod.hostPorts.length ? success : skip;
    },
    filter(_state, pod, node): Status {
      return node.usedPorts.conflicts(pod.hostPorts) ? rejected : success;
    },
  };
}
