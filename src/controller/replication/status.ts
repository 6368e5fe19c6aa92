// A replication controller's status as Kubernetes computes it (calculateStatus): counts over the pods it
// owns, observedGeneration, and the ReplicaFailure condition while creating or deleting pods fails.
import { selectorFromSet } from '../../api/labels.js';
import type {
  Pod,
  ReplicationController,
  ReplicationControllerCondition,
  ReplicationControllerStatus,
} from '../../api/types.js';
import { rfc3339 } from '../../util/clock.js';
import { isPodAvailable, isPodReady } from '../pods.js';

export const replicaFailure = 'ReplicaFailure';

/** Why managing replicas failed: FailedCreate or FailedDelete, with the error's message. */
export interface ManageFailure {
  reason: 'FailedCreate' | 'FailedDelete';
  message: string;
}

export function calculateStatus(
  rc: ReplicationController,
  owned: readonly Pod[],
  failure: ManageFailure | undefined,
  nowMs: number,
): ReplicationControllerStatus {
  const templateLabels = selectorFromSet(rc.spec.template?.metadata?.labels);
  const minReadySeconds = rc.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of owned) {
    if (templateLabels.matches(pod.metadata.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, nowMs)) available++;
    }
  }
  let conditions = (rc.status?.conditions ?? []).filter((c) => c.type !== replicaFailure);
  const existing = rc.status?.conditions?.find((c) => c.type === replicaFailure);
  if (failure) {
    const condition: ReplicationControllerCondition = existing ?? {
      type: replicaFailure,
      status: 'True',
      lastTransitionTime: rfc3339(nowMs),
      reason: failure.reason,
      message: failure.message,
    };
    conditions = [...conditions, condition];
  }
  return {
    replicas: owned.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rc.metadata.generation ?? 0,
    ...(conditions.length > 0 ? { conditions } : {}),
  };
}

/** Equal as Kubernetes sees it: absent counts are zero, conditions compared by value. */
export function sameStatus(
  a: ReplicationControllerStatus | undefined,
  b: ReplicationControllerStatus,
): boolean {
  if (!a) return false;
  return (
    (a.replicas ?? 0) === b.replicas &&
    (a.fullyLabeledReplicas ?? 0) === (b.fullyLabeledReplicas ?? 0) &&
    (a.readyReplicas ?? 0) === (b.readyReplicas ?? 0) &&
    (a.availableReplicas ?? 0) === (b.availableReplicas ?? 0) &&
    (a.observedGeneration ?? 0) === (b.observedGeneration ?? 0) &&
    JSON.stringify(a.conditions ?? []) === JSON.stringify(b.conditions ?? [])
  );
}
