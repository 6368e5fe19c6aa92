// NodeResourcesFit: the pod's requests must fit in the node's allocatable resources minus what the
// pods already there (bound or assumed) request, and the node must have room for one more pod.
// Reasons are Kubernetes' ("Too many pods", "Insufficient cpu", "Insufficient memory", …) and a
// node short of several resources reports all of them.
import type { FilterPlugin } from '../framework/interface.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { Status, success } from '../framework/status.js';

export const nodeResourcesFitName = 'NodeResourcesFit';
export const errTooManyPods = 'Too many pods';

const pods = 1;
const cpu = 2;
const memory = 4;

// The common rejections, one shared Status per combination, so a full cluster allocates nothing.
const byMask: Status[] = [];
for (let mask = 1; mask < 8; mask++)
  byMask[mask] = new Status('Unschedulable', reasonsOf(mask), nodeResourcesFitName);

function reasonsOf(mask: number): string[] {
  const r: string[] = [];
  if (mask & pods) r.push(errTooManyPods);
  if (mask & cpu) r.push('Insufficient cpu');
  if (mask & memory) r.push('Insufficient memory');
  return r;
}

export function createNodeResourcesFit(): FilterPlugin {
  return {
    name: nodeResourcesFitName,
    events: ['NodeAdd', 'NodeAllocatable', 'PodDelete'],
    filter(_state, pod, node): Status {
      return fits(pod, node);
    },
  };
}

export function fits(pod: PodInfo, node: NodeInfo): Status {
  const req = pod.requests;
  let mask = 0;
  if (node.podCount + 1 > node.allocatablePods) mask |= pods;
  if (req.milliCpu > 0 && req.milliCpu > node.allocatableMilliCpu - node.requestedMilliCpu) mask |= cpu;
  if (req.memory > 0 && req.memory > node.allocatableMemory - node.requestedMemory) mask |= memory;
  const scalarShort = req.scalar ? insufficientScalars(pod, node) : undefined;
  if (scalarShort) {
    const base = mask ? [...byMask[mask]!.reasons] : [];
    return new Status('Unschedulable', [...base, ...scalarShort], nodeResourcesFitName);
  }
  return mask ? byMask[mask]! : success;
}

function insufficientScalars(pod: PodInfo, node: NodeInfo): string[] | undefined {
  let out: string[] | undefined;
  for (const [name, amount] of pod.requests.scalar!) {
    if (amount <= 0) continue;
    const free = (node.allocatableScalar?.get(name) ?? 0) - (node.requestedScalar?.get(name) ?? 0);
    if (amount > free) (out ??= []).push(`Insufficient ${name}`);
  }
  return out;
}
