// A pod with what scheduling needs precomputed once: its requests in numbers, its host ports, its
// controller. Built when the pod enters the queue or the cache, reused by every node evaluated.
import type { Pod } from '../../api/types.js';
import { type HostPort, podHostPorts } from './host-ports.js';
import { podNonZeroRequests, podRequests, type Resources } from './resources.js';

export interface PodInfo {
  /** namespace/name */
  readonly key: string;
  readonly pod: Pod;
  readonly requests: Resources;
  /** Requests with per-container defaults for cpu and memory, used for scoring only. */
  readonly nonZeroRequests: Resources;
  readonly hostPorts: readonly HostPort[];
  /** uid of the owner reference marked controller (an RC's pods share it), if any. */
  readonly controllerUid: string | undefined;
  readonly priority: number;
}

export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`;
}

export function newPodInfo(pod: Pod): PodInfo {
  return {
    key: podKey(pod),
    pod,
    requests: podRequests(pod),
    nonZeroRequests: podNonZeroRequests(pod),
    hostPorts: podHostPorts(pod),
    controllerUid: controllerUidOf(pod),
    priority: pod.spec.priority ?? 0,
  };
}

function controllerUidOf(pod: Pod): string | undefined {
  return pod.metadata.ownerReferences?.find((o) => o.controller)?.uid;
}

/**
 * A newer version of the same pod (same uid): the container resources and ports cannot have changed
 * (the API forbids it), so only the object and what metadata decides are taken anew.
 */
export function updatedPodInfo(old: PodInfo, pod: Pod): PodInfo {
  if (old.pod.metadata.uid !== pod.metadata.uid) return newPodInfo(pod);
  return { ...old, pod, controllerUid: controllerUidOf(pod) };
}
