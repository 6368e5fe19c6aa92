// The scheduler's view of the cluster: every node with the pods that count against it. A pod counts
// from the moment the scheduler decides (assume), before its binding reaches the apiserver, so the
// next pod — scheduled while that bind is in flight — never over-commits the node. An assumption is
// confirmed when the informer shows the pod bound, and forgotten if the bind fails.
//
// Scheduling cycles run synchronously on one thread, so the cache itself is the snapshot a cycle
// reads: no event can change it between filtering and assuming.
import type { Node, Pod } from '../../api/types.js';
import { ControllerIndex } from './controller-index.js';
import type { ClusterEventKind } from './interface.js';
import { NodeInfo } from './node-info.js';
import { newPodInfo, type PodInfo, podKey, updatedPodInfo } from './pod-info.js';

interface PodState {
  info: PodInfo;
  nodeName: string;
  /** Decided by us, not yet seen bound through the informer. */
  assumed: boolean;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  /** Nodes that have a Node object, in a stable order for round-robin sampling. */
  private readonly listed: NodeInfo[] = [];
  private readonly pods = new Map<string, PodState>();
  /** Which nodes hold each controller's pods (for spreading). */
  readonly controllers = new ControllerIndex();

  /** Nodes that exist (have a Node object). Do not mutate. */
  nodeList(): readonly NodeInfo[] {
    return this.listed;
  }

  get nodeCount(): number {
    return this.listed.length;
  }

  getNode(name: string): NodeInfo | undefined {
    const n = this.nodes.get(name);
    return n?.node ? n : undefined;
  }

  /** Adds or updates a node; returns what changed that could make pending pods fit. */
  setNode(node: Node): { info: NodeInfo; changes: ClusterEventKind[] } {
    const name = node.metadata.name ?? '';
    let info = this.nodes.get(name);
    if (!info) this.nodes.set(name, (info = new NodeInfo(name, this.controllers)));
    if (!info.node) {
      info.setNode(node);
      info.listIndex = this.listed.length;
      this.listed.push(info);
      return { info, changes: ['NodeAdd'] };
    }
    const before = {
      cpu: info.allocatableMilliCpu,
      memory: info.allocatableMemory,
      pods: info.allocatablePods,
      scalar: info.allocatableScalar,
      ready: info.ready,
      unschedulable: info.unschedulable,
      taints: info.hardTaints,
      labels: info.labels,
    };
    info.setNode(node);
    const changes: ClusterEventKind[] = [];
    if (
      info.allocatableMilliCpu !== before.cpu ||
      info.allocatableMemory !== before.memory ||
      info.allocatablePods !== before.pods ||
      !sameMap(info.allocatableScalar, before.scalar)
    )
      changes.push('NodeAllocatable');
    if (info.ready !== before.ready) changes.push('NodeCondition');
    if (info.unschedulable !== before.unschedulable) changes.push('NodeSpecUnschedulable');
    if (JSON.stringify(info.hardTaints) !== JSON.stringify(before.taints)) changes.push('NodeTaint');
    if (!sameRecord(info.labels, before.labels)) changes.push('NodeLabel');
    return { info, changes };
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info?.node) return;
    info.node = undefined;
    this.unlist(info);
    // Pods still bound to it keep a placeholder until they are deleted too.
    if (info.podCount === 0) this.nodes.delete(name);
  }

  private unlist(info: NodeInfo): void {
    const i = info.listIndex;
    const last = this.listed.pop()!;
    if (last !== info) {
      this.listed[i] = last;
      last.listIndex = i;
    }
    info.listIndex = -1;
  }

  private nodeFor(name: string): NodeInfo {
    let info = this.nodes.get(name);
    if (!info) this.nodes.set(name, (info = new NodeInfo(name, this.controllers)));
    return info;
  }

  /** Counts the pod on `nodeName` now, before the bind lands. */
  assumePod(info: PodInfo, nodeName: string): void {
    this.dropPod(info.key);
    this.nodeFor(nodeName).addPod(info);
    this.pods.set(info.key, { info, nodeName, assumed: true });
  }

  /** Undoes an assumption after a failed bind; a no-op once the informer has confirmed the pod. */
  forgetPod(key: string): void {
    if (this.pods.get(key)?.assumed) this.dropPod(key);
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed === true;
  }

  /** Where a pod counts (assumed or bound), if anywhere. */
  nodeOf(key: string): string | undefined {
    return this.pods.get(key)?.nodeName;
  }

  /**
   * A pod the informer shows bound to a node (added or updated). Confirms an assumption. Returns
   * the node it left if it moved or stopped counting (terminal phase), which frees resources there.
   */
  setBoundPod(pod: Pod): NodeInfo | undefined {
    const key = podKey(pod);
    if (isTerminal(pod)) return this.removePod(key);
    const nodeName = pod.spec.nodeName!;
    const old = this.pods.get(key);
    if (old && !old.assumed && old.nodeName === nodeName && old.info.pod === pod) return undefined;
    const freed = old && old.nodeName !== nodeName ? this.dropPod(key) : undefined;
    const info = old ? updatedPodInfo(old.info, pod) : newPodInfo(pod);
    this.nodeFor(nodeName).addPod(info);
    this.pods.set(key, { info, nodeName, assumed: false });
    return freed;
  }

  /** The pod is gone; returns the node it counted against. */
  removePod(key: string): NodeInfo | undefined {
    return this.dropPod(key);
  }

  private dropPod(key: string): NodeInfo | undefined {
    const state = this.pods.get(key);
    if (!state) return undefined;
    this.pods.delete(key);
    const node = this.nodes.get(state.nodeName);
    if (!node) return undefined;
    node.removePod(state.info);
    if (!node.node && node.podCount === 0) this.nodes.delete(state.nodeName);
    return node.node ? node : undefined;
  }

  get podCount(): number {
    return this.pods.size;
  }
}

export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

function sameMap(a: Map<string, number> | undefined, b: Map<string, number> | undefined): boolean {
  if (!a || !b) return (a?.size ?? 0) === (b?.size ?? 0);
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
