// A node as the scheduler sees it: the Node object, its allocatable resources in numbers, and the
// sums of what the pods on it (bound and assumed) request. Kept up to date incrementally by the
// cache, so a filter reads a few numbers instead of walking pods. The numbers every filter and score
// reads for every node sit directly on this object (declared first, so they share its first cache
// lines): at 5,000 nodes a cycle touches hundreds of nodes, and chasing pointers to per-node
// sub-objects showed up as the largest cost of the whole loop.
import type { Node, Taint } from '../../api/types.js';
import type { ControllerIndex } from './controller-index.js';
import { HostPortSet } from './host-ports.js';
import type { PodInfo } from './pod-info.js';
import { nodeAllocatable } from './resources.js';

export class NodeInfo {
  allocatableMilliCpu = 0;
  allocatableMemory = 0;
  allocatablePods = 0;
  requestedMilliCpu = 0;
  requestedMemory = 0;
  /** Requests with per-container defaults (100m, 200Mi) for pods naming none: for scoring. */
  nonZeroMilliCpu = 0;
  nonZeroMemory = 0;
  /** Pods counted here, bound or assumed. */
  podCount = 0;
  ready = false;
  unschedulable = false;
  /** Taints that keep pods off (NoSchedule, NoExecute); PreferNoSchedule only affects scoring. */
  hardTaints: readonly Taint[] = [];
  labels: Readonly<Record<string, string>> = {};
  /** Resources other than cpu, memory and pods (extended resources, ephemeral-storage). */
  allocatableScalar: Map<string, number> | undefined = undefined;
  requestedScalar: Map<string, number> | undefined = undefined;
  /** Position in the cache's node list (−1 when not listed). */
  listIndex = -1;
  /** Undefined while pods are known for a node the cache has not seen (or no longer has). */
  node: Node | undefined = undefined;
  readonly pods = new Map<string, PodInfo>();
  readonly usedPorts = new HostPortSet();

  constructor(
    readonly name: string,
    /** Where pods with a controller are counted (the cache's index), if anywhere. */
    private readonly controllers?: ControllerIndex,
  ) {}

  setNode(node: Node): void {
    this.node = node;
    const a = nodeAllocatable(node.status?.allocatable ?? node.status?.capacity);
    this.allocatableMilliCpu = a.milliCpu;
    this.allocatableMemory = a.memory;
    this.allocatablePods = a.pods;
    this.allocatableScalar = a.scalar;
    this.ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    this.unschedulable = node.spec?.unschedulable === true;
    this.hardTaints = (node.spec?.taints ?? []).filter(
      (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute',
    );
    this.labels = node.metadata.labels ?? {};
  }

  addPod(p: PodInfo): void {
    const old = this.pods.get(p.key);
    if (old) this.removePod(old);
    this.pods.set(p.key, p);
    this.account(p, 1);
  }

  removePod(p: PodInfo): boolean {
    const old = this.pods.get(p.key);
    if (!old) return false;
    this.pods.delete(p.key);
    this.account(old, -1);
    return true;
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    this.podCount += sign;
    this.requestedMilliCpu += sign * p.requests.milliCpu;
    this.requestedMemory += sign * p.requests.memory;
    this.nonZeroMilliCpu += sign * p.nonZeroRequests.milliCpu;
    this.nonZeroMemory += sign * p.nonZeroRequests.memory;
    if (p.requests.scalar) this.requestedScalar = addScalars(this.requestedScalar, p.requests.scalar, sign);
    if (p.hostPorts.length) {
      if (sign > 0) this.usedPorts.add(p.hostPorts);
      else this.usedPorts.remove(p.hostPorts);
    }
    if (p.controllerUid) this.controllers?.add(p.controllerUid, this, sign);
  }
}

function addScalars(
  into: Map<string, number> | undefined,
  scalar: ReadonlyMap<string, number>,
  sign: 1 | -1,
): Map<string, number> {
  const out = into ?? new Map<string, number>();
  for (const [name, v] of scalar) {
    const n = (out.get(name) ?? 0) + sign * v;
    if (n !== 0) out.set(name, n);
    else out.delete(name);
  }
  return out;
}
