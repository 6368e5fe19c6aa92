// Kubernetes' ControllerRefManager.ClaimPods for a replication controller: of the namespace's active
// pods, keep those it owns that still match its selector, release owned ones that no longer match, and
// adopt matching orphans. Before the first adoption the controller is re-read from the apiserver
// (not the cache): an RC that was just deleted, or deleted and recreated under the same name (new uid),
// must not adopt anything.
import { isApiError } from '../../api/errors.js';
import type { LabelSelector } from '../../api/labels.js';
import type { Pod, ReplicationController } from '../../api/types.js';
import { isNotFound } from '../../client/errors.js';
import { controllerRefOf } from '../pods.js';
import type { PodControl } from './pod-control.js';

export interface ClaimResult {
  /** Pods the controller owns after the claim (adopted ones included). */
  owned: Pod[];
  /** The first adoption or release failure, if any (the sync fails and retries). */
  error?: unknown;
}

/** Resolves to the RC as the apiserver has it now. */
export type FreshRead = () => Promise<ReplicationController>;

/** Adoption and release races with other writers are normal: a pod gone or changed is skipped. */
function ignorable(e: unknown): boolean {
  return isNotFound(e) || isApiError(e, 'Invalid');
}

export async function claimPods(
  rc: ReplicationController,
  selector: LabelSelector,
  pods: readonly Pod[],
  control: PodControl,
  freshRead: FreshRead,
): Promise<ClaimResult> {
  const owned: Pod[] = [];
  const orphans: Pod[] = [];
  const releases: Pod[] = [];
  const deleting = !!rc.metadata.deletionTimestamp;
  for (const pod of pods) {
    const ref = controllerRefOf(pod.metadata);
    const matches = selector.matches(pod.metadata.labels);
    if (ref) {
      if (ref.uid !== rc.metadata.uid) continue; // someone else's
      if (matches) owned.push(pod);
      else if (!deleting) releases.push(pod);
    } else if (matches && !deleting && !pod.metadata.deletionTimestamp) {
      orphans.push(pod);
    }
  }

  let error: unknown;
  const fail = (e: unknown): void => {
    if (!ignorable(e)) error ??= e;
  };
  await Promise.all(releases.map((pod) => control.release(rc, pod).catch(fail)));
  if (orphans.length > 0) {
    const canAdopt = await recheck(rc, freshRead).catch((e: unknown) => {
      error ??= e;
      return false;
    });
    if (canAdopt) {
      const adopted = await Promise.all(
        orphans.map((pod) =>
          control.adopt(rc, pod).catch((e: unknown) => {
            fail(e);
            return undefined;
          }),
        ),
      );
      for (const pod of adopted) if (pod) owned.push(pod);
    }
  }
  return { owned, error };
}

async function recheck(rc: ReplicationController, freshRead: FreshRead): Promise<boolean> {
  const fresh = await freshRead();
  if (fresh.metadata.uid !== rc.metadata.uid) {
    throw new Error(
      `original ReplicationController ${rc.metadata.namespace}/${rc.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${rc.metadata.uid}`,
    );
  }
  if (fresh.metadata.deletionTimestamp) {
    throw new Error(
      `ReplicationController ${rc.metadata.namespace}/${rc.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`,
    );
  }
  return true;
}
