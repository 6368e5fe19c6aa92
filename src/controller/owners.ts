// Owner references: the controller reference a controller stamps on what it creates, and the strategic
// merge patches that add or remove references (merge key: uid). Each patch carries the object's uid and
// resourceVersion as preconditions, so it changes exactly the object version the caller judged: a pod
// recreated under the same name, or changed meanwhile, makes the patch fail (409) instead of being
// adopted or released by mistake; the caller re-queues and judges again from a fresher cache.
import type { KubeObject, ObjectMeta, OwnerReference } from '../api/types.js';

export function controllerRefTo(
  owner: { metadata: ObjectMeta },
  kind: string,
  apiVersion = 'v1',
): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function preconditions(obj: { metadata: ObjectMeta }): Pick<ObjectMeta, 'uid' | 'resourceVersion'> {
  return {
    ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
    ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
  };
}

/** Adds (or replaces, by uid) one owner reference. */
export function addOwnerPatch(obj: { metadata: ObjectMeta }, ref: OwnerReference): Partial<KubeObject> {
  return { metadata: { ...preconditions(obj), ownerReferences: [ref] } };
}

/** Removes the owner references with these uids. */
export function removeOwnersPatch(
  obj: { metadata: ObjectMeta },
  uids: readonly string[],
): Partial<KubeObject> {
  return {
    metadata: {
      ...preconditions(obj),
      ownerReferences: uids.map((uid) => ({ $patch: 'delete', uid }) as unknown as OwnerReference),
    },
  };
}

export function hasFinalizer(meta: ObjectMeta, finalizer: string): boolean {
  return meta.finalizers?.includes(finalizer) ?? false;
}

/** Finalizers the apiserver adds for a delete's propagationPolicy, for the garbage collector to act on. */
export const orphanFinalizer = 'orphan';
export const foregroundFinalizer = 'foregroundDeletion';
