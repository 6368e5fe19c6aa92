// Which pods go first when a replication controller scales down: Kubernetes' ActivePodsWithRanks
// order, cheapest loss first. A pod sorts earlier when it is
//   1. not yet scheduled, 2. Pending < Unknown < Running, 3. not ready,
//   4. of lower controller.kubernetes.io/pod-deletion-cost,
//   5. on a node with more pods of the same controller (spreading survives),
//   6. ready for a shorter time, 7. restarted more often, 8. newer.
// Ties fall back to the name so that the choice is deterministic.
import type { Pod } from '../../api/types.js';
import { isPodReady, maxRestarts, parseTime, podCondition } from '../pods.js';

export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

const phaseOrder: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: Pod): number {
  const text = pod.metadata.annotations?.[podDeletionCostAnnotation];
  const n = text === undefined ? 0 : Number(text);
  return Number.isInteger(n) ? n : 0;
}

/** -1 when a is "after or zero" relative to b (Kubernetes' afterOrZero: a missing time sorts first). */
function laterFirst(a: number | undefined, b: number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a > b ? -1 : 1;
}

interface Ranked {
  pod: Pod;
  rank: number;
}

function compare(x: Ranked, y: Ranked): number {
  const a = x.pod;
  const b = y.pod;
  const nodeA = a.spec.nodeName ?? '';
  const nodeB = b.spec.nodeName ?? '';
  if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return nodeA === '' ? -1 : 1;
  const phaseA = phaseOrder[a.status?.phase ?? 'Pending'] ?? 0;
  const phaseB = phaseOrder[b.status?.phase ?? 'Pending'] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return readyA ? 1 : -1;
  const costA = deletionCost(a);
  const costB = deletionCost(b);
  if (costA !== costB) return costA - costB;
  if (x.rank !== y.rank) return y.rank - x.rank;
  if (readyA && readyB) {
    const since = laterFirst(
      parseTime(podCondition(a, 'Ready')?.lastTransitionTime),
      parseTime(podCondition(b, 'Ready')?.lastTransitionTime),
    );
    if (since !== 0) return since;
  }
  const restarts = maxRestarts(b) - maxRestarts(a);
  if (restarts !== 0) return restarts;
  const created = laterFirst(
    parseTime(a.metadata.creationTimestamp),
    parseTime(b.metadata.creationTimestamp),
  );
  if (created !== 0) return created;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/**
 * The `count` pods to delete from `pods` (a controller's active pods). `related` are all active pods of
 * the controller, used to rank pods by how many of their siblings share their node.
 */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], count: number): Pod[] {
  if (count <= 0) return [];
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec.nodeName;
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({
    pod,
    rank: pod.spec.nodeName ? (perNode.get(pod.spec.nodeName) ?? 0) : 0,
  }));
  ranked.sort(compare);
  return ranked.slice(0, count).map((r) => r.pod);
}
