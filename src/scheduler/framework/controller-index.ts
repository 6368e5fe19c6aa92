// Where each controller's pods are: controller uid → the nodes holding its pods (bound or assumed)
// and how many. Spreading reads it once per pod and then looks nodes up in one small map, instead
// of opening a per-node map on every node it scores.
import type { NodeInfo } from './node-info.js';

export class ControllerIndex {
  private readonly byUid = new Map<string, Map<NodeInfo, number>>();

  add(uid: string, node: NodeInfo, delta: number): void {
    let nodes = this.byUid.get(uid);
    if (!nodes) this.byUid.set(uid, (nodes = new Map()));
    const n = (nodes.get(node) ?? 0) + delta;
    if (n > 0) nodes.set(node, n);
    else {
      nodes.delete(node);
      if (nodes.size === 0) this.byUid.delete(uid);
    }
  }

  /** The nodes with pods of this controller, and how many each; undefined when none. */
  nodesOf(uid: string): ReadonlyMap<NodeInfo, number> | undefined {
    return this.byUid.get(uid);
  }
}
