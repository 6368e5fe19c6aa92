// The FailedScheduling message, phrased as Kubernetes' FitError: "0/N nodes are available:" then
// either the PreFilter rejection or a histogram of per-node reasons ("count reason"), sorted as
// strings the way Go's sort.Strings sorts them, joined by ", " and ended with a period.
// kubelite has no preemption, so the " preemption: …" suffix Kubernetes appends is left out.
import type { Status } from './framework/status.js';

export const errNoNodesAvailable = 'no nodes available to schedule pods';

export interface Diagnosis {
  /** Nodes in the cluster when the pod was tried. */
  numAllNodes: number;
  /** Set when a PreFilter rejected the pod for every node. */
  preFilterMessage?: string;
  /** How many nodes each rejection (by identity) was returned for. */
  statusCounts: ReadonlyMap<Status, number>;
  /** Plugins that rejected the pod on some node: the queue retries it on their events. */
  unschedulablePlugins: ReadonlySet<string>;
}

export function reasonHistogram(statusCounts: ReadonlyMap<Status, number>): Map<string, number> {
  const reasons = new Map<string, number>();
  for (const [status, n] of statusCounts) {
    for (const r of status.reasons) reasons.set(r, (reasons.get(r) ?? 0) + n);
  }
  return reasons;
}

/** Byte-wise string order, as Go's sort.Strings (not locale order). */
function goStringLess(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function fitErrorMessage(d: Diagnosis): string {
  if (d.numAllNodes === 0 && !d.preFilterMessage) return errNoNodesAvailable;
  const head = `0/${d.numAllNodes} nodes are available:`;
  if (d.preFilterMessage) return `${head} ${d.preFilterMessage}.`;
  const parts = [...reasonHistogram(d.statusCounts)].map(([reason, n]) => `${n} ${reason}`);
  parts.sort(goStringLess);
  return `${head} ${parts.join(', ')}.`;
}
