// Cache indexes the controllers ask the shared informers for. One function per index name: the
// factory merges indexers from several controllers into one cache and refuses a second, different
// function under the same name.
import type { KubeObject, Pod } from '../api/types.js';
import type { ApiObject } from '../client/resource.js';

export { namespaceIndex, namespaceIndexer } from '../client/store.js';

const none: readonly string[] = [];

/** Pods by spec.nodeName (unbound pods are not indexed). */
export const nodeNameIndex = 'nodeName';
export function nodeNameIndexer(pod: Pod): readonly string[] {
  return pod.spec?.nodeName ? [pod.spec.nodeName] : none;
}

/** Objects by the uids of their owners. */
export const ownerUidIndex = 'ownerUid';
export function ownerUidIndexer(obj: ApiObject | KubeObject): readonly string[] {
  const refs = obj.metadata.ownerReferences;
  return refs && refs.length > 0 ? refs.map((r) => r.uid) : none;
}

/** Objects by their own uid. */
export const uidIndex = 'uid';
export function uidIndexer(obj: ApiObject | KubeObject): readonly string[] {
  return obj.metadata.uid ? [obj.metadata.uid] : none;
}
