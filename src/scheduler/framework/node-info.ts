// A node as the scheduler sees it: the Node object, its allocatable resources in numbers, and the
// sums of what the pods on it (bound and assumed) request. Kept up to date incrementally by the
// cache, so a filter reads a few numbers instead of walking pods.
import type { Node, Taint } from '../../api/types.js';
import { HostPortSet } from './host-ports.js';
import type { PodInfo } from './pod-info.js';
import { type Allocatable, nodeAllocatable, type Resources } from './resources.js';

export class NodeInfo {
  /** Undefined while pods are known for a node the cache has not seen (or no longer has). */
  node: Node | undefined;
  allocatable: Allocatable = { milliCpu: 0, memory: 0, pods: 0 };
  readonly requested: Resources = { milliCpu: 0, memory: 0 };
  readonly nonZeroRequested: Resources = { milliCpu: 0, memory: 0 };
  readonly pods = new Map<string, PodInfo>();
  readonly usedPorts = new HostPortSet();
  /** Pods per controller uid, for spreading. */
  readonly controllerCounts = new Map<string, number>();
  ready = false;
  unschedulable = false;
  /** Taints that keep pods off (NoSchedule, NoExecute); PreferNoSchedule only affects scoring. */
  hardTaints: readonly Taint[] = [];
  labels: Readonly<Record<string, string>> = {};
  /** Position in the cache's node list (−1 when not listed). */
  listIndex = -1;

  constructor(readonly name: string) {}

  get podCount(): number {
    return this.pods.size;
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = nodeAllocatable(node.status?.allocatable ?? node.status?.capacity);
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
    addInto(this.requested, p.requests, sign);
    this.nonZeroRequested.milliCpu += sign * p.nonZeroRequests.milliCpu;
    this.nonZeroRequested.memory += sign * p.nonZeroRequests.memory;
    if (p.hostPorts.length) {
      if (sign > 0) this.usedPorts.add(p.hostPorts);
      else this.usedPorts.remove(p.hostPorts);
    }
    if (p.controllerUid) {
      const n = (this.controllerCounts.get(p.controllerUid) ?? 0) + sign;
      if (n > 0) this.controllerCounts.set(p.controllerUid, n);
      else this.controllerCounts.delete(p.controllerUid);
    }
  }
}

function addInto(into: Resources, r: Resources, sign: 1 | -1): void {
  into.milliCpu += sign * r.milliCpu;
  into.memory += sign * r.memory;
  if (!r.scalar) return;
  into.scalar ??= new Map();
  for (const [name, v] of r.scalar) {
    const n = (into.scalar.get(name) ?? 0) + sign * v;
    if (n !== 0) into.scalar.set(name, n);
    else into.scalar.delete(name);
  }
}
