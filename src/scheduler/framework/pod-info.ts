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
    controllerUid: pod.metadata.ownerReferences?.find((o) => o.controller)?.uid,
    priority: pod.spec.priority ?? 0,
  };
}
