// Resolving owner references for the garbage collector, always by uid: an owner recreated under the same
// name has a new uid, so the old dependents' references dangle and nothing is adopted by accident.
// The informer cache answers when it has the owner with that uid; otherwise (absent, or present with
// another uid, which may only mean the cache lags) a live GET decides, as Kubernetes' GC does for
// owners its graph has not seen. Owners known to be gone are remembered (uids never come back), so a
// thousand pods of one deleted RC cost one GET, not a thousand.
import { type ResourceInfo, resourceByKind } from '../../api/resources.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import { isNotFound } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import type { ControllerClient } from '../controller.js';
import { foregroundFinalizer, hasFinalizer } from '../owners.js';

/**
 * solid: exists; dangling: gone (or replaced by a new uid); waiting: being deleted in the foreground,
 * waiting for its dependents; unresolvable: of a kind kubelite does not serve (never collected on).
 */
export type OwnerState = 'solid' | 'dangling' | 'waiting' | 'unresolvable';

export interface OwnerResolver {
  state(ref: OwnerReference, dependentNamespace: string | undefined): Promise<OwnerState>;
  /** The owner's resource, when kubelite serves its kind. */
  resourceOf(ref: OwnerReference): ResourceInfo | undefined;
}

export function resourceOfRef(ref: OwnerReference): ResourceInfo | undefined {
  if (ref.apiVersion !== 'v1') return undefined;
  return resourceByKind(ref.kind);
}

export function createOwnerResolver(
  client: ControllerClient,
  informerOf: (resource: string) => Informer<KubeObject> | undefined,
  absentCacheSize = 10_000,
): OwnerResolver {
  const absent = new Set<string>();
  const rememberAbsent = (uid: string): void => {
    absent.add(uid);
    if (absent.size > absentCacheSize) absent.delete(absent.values().next().value!);
  };

  async function lookup(info: ResourceInfo, ref: OwnerReference, namespace: string | undefined) {
    const key = info.namespaced ? `${namespace}/${ref.name}` : ref.name;
    const cached = informerOf(info.name)?.store.get(key);
    if (cached?.metadata.uid === ref.uid) return cached;
    try {
      const live = await client.resource<KubeObject>(info).get(namespace, ref.name);
      return live.metadata.uid === ref.uid ? live : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  return {
    resourceOf: resourceOfRef,
    async state(ref, dependentNamespace) {
      const info = resourceOfRef(ref);
      if (!info) return 'unresolvable';
      // A cluster-scoped dependent cannot have a namespaced owner: an invalid reference, left alone.
      if (info.namespaced && !dependentNamespace) return 'unresolvable';
      if (absent.has(ref.uid)) return 'dangling';
      const owner = await lookup(info, ref, info.namespaced ? dependentNamespace : undefined);
      if (!owner) {
        rememberAbsent(ref.uid);
        return 'dangling';
      }
      if (owner.metadata.deletionTimestamp && hasFinalizer(owner.metadata, foregroundFinalizer))
        return 'waiting';
      return 'solid';
    },
  };
}
