// NodeResourcesLeastAllocated: prefers nodes with the larger share of cpu and memory still free
// after placing the pod, cpu and memory weighted equally. Uses the non-zero requests (containers
// that request nothing count as 100m / 200Mi) so empty pods still spread. Integer arithmetic as
// Kubernetes' leastRequestedScore.
import { maxNodeScore, type ScorePlugin } from '../framework/interface.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';

export const leastAllocatedName = 'NodeResourcesLeastAllocated';

export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity <= 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * maxNodeScore) / capacity);
}

function score(pod: PodInfo, node: NodeInfo): number {
  const cpu = leastRequestedScore(
    node.nonZeroMilliCpu + pod.nonZeroRequests.milliCpu,
    node.allocatableMilliCpu,
  );
  const mem = leastRequestedScore(node.nonZeroMemory + pod.nonZeroRequests.memory, node.allocatableMemory);
  return Math.floor((cpu + mem) / 2);
}

export function createLeastAllocated(): ScorePlugin {
  return {
    name: leastAllocatedName,
    score: (_state, pod, node) => score(pod, node),
    scoreAll(_state, pod, nodes, count, out) {
      for (let i = 0; i < count; i++) out[i] = score(pod, nodes[i]!);
    },
  };
}
