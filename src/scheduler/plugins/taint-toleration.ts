// TaintToleration: a node's NoSchedule and NoExecute taints keep off every pod that does not
// tolerate them. The reason names the first untolerated taint, as Kubernetes does.
import type { FilterPlugin } from '../framework/interface.js';
import { type Status, success, unresolvable } from '../framework/status.js';
import { firstUntolerated } from './tolerations.js';

export const taintTolerationName = 'TaintToleration';

export function createTaintToleration(): FilterPlugin {
  return {
    name: taintTolerationName,
    events: ['NodeAdd', 'NodeTaint'],
    filter(_state, pod, node): Status {
      if (node.hardTaints.length === 0) return success;
      const taint = firstUntolerated(pod.pod.spec.tolerations, node.hardTaints);
      if (!taint) return success;
      return unresolvable(
        taintTolerationName,
        `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`,
      );
    },
  };
}
