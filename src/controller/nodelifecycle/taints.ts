// The taints the node lifecycle controller manages and how pods tolerate them.
//
// An unreachable node (no heartbeat) gets node.kubernetes.io/unreachable, a node that says it is not
// ready gets node.kubernetes.io/not-ready; each with NoSchedule (the scheduler stays away) and NoExecute
// (its pods are evicted). A pod goes after the smallest tolerationSeconds of its tolerations for the
// NoExecute taint, never if one tolerates it without a limit, and, with no toleration at all, after
// podEvictionTimeoutMs: that is what Kubernetes' DefaultTolerationSeconds admission plugin (300 s
// tolerations added to every pod) and its taint manager amount to together.
import type { Pod, Taint, Toleration } from '../../api/types.js';

export const unreachableTaintKey = 'node.kubernetes.io/unreachable';
export const notReadyTaintKey = 'node.kubernetes.io/not-ready';
const managedKeys = new Set([unreachableTaintKey, notReadyTaintKey]);

export type NodeHealthState = 'ready' | 'notReady' | 'unreachable' | 'starting';

/** The managed taints a node in this state should carry (without timeAdded). */
export function desiredTaints(state: NodeHealthState): Taint[] {
  const key =
    state === 'unreachable' ? unreachableTaintKey : state === 'notReady' ? notReadyTaintKey : undefined;
  if (!key) return [];
  return [
    { key, effect: 'NoSchedule' },
    { key, effect: 'NoExecute' },
  ];
}

const sameTaint = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;

/**
 * The node's taints with the managed ones replaced by `desired` (kept ones keep their timeAdded; new
 * NoExecute taints get `nowIso`), or undefined when nothing changes.
 */
export function reconcileTaints(
  current: readonly Taint[],
  desired: readonly Taint[],
  nowIso: string,
): Taint[] | undefined {
  const kept = current.filter((t) => !managedKeys.has(t.key) || desired.some((d) => sameTaint(d, t)));
  const added = desired
    .filter((d) => !current.some((t) => sameTaint(d, t)))
    .map((d) => (d.effect === 'NoExecute' ? { ...d, timeAdded: nowIso } : { ...d }));
  if (added.length === 0 && kept.length === current.length) return undefined;
  return [...kept, ...added];
}

/** Kubernetes' Toleration.ToleratesTaint. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (toleration.operator === 'Exists') return true;
  // Equal (the default): an empty key without Exists matches nothing.
  return !!toleration.key && (toleration.value ?? '') === (taint.value ?? '');
}

/** How long after the taint was added the pod is evicted; undefined = it tolerates the taint forever. */
export function evictionDelayMs(pod: Pod, taint: Taint, defaultMs: number): number | undefined {
  const matching = (pod.spec.tolerations ?? []).filter((t) => toleratesTaint(t, taint));
  if (matching.length === 0) return defaultMs;
  let min: number | undefined;
  for (const t of matching) {
    if (t.tolerationSeconds === undefined) continue;
    if (t.tolerationSeconds <= 0) return 0;
    if (min === undefined || t.tolerationSeconds < min) min = t.tolerationSeconds;
  }
  return min === undefined ? undefined : min * 1000;
}
