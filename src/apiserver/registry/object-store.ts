// One resource's objects in storage: typed get/create/update/delete over the Storage contract, with
// optimistic concurrency turned into Kubernetes errors. `guaranteedUpdate` is Kubernetes'
// GuaranteedUpdate: read, transform, compare-and-swap, and retry the transform on a lost race.
import { alreadyExists, conflict, notFound, staleObjectMessage } from '../../api/errors.js';
import { type ResourceInfo, storageKey } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import type { KeyValue, Storage } from '../storage/types.js';
import { decodeObject, encodeObject, rememberApiBytes, sameBytes } from './codec.js';

/** A transform that returns the new object, or `undefined` to leave the stored object unchanged. */
export type UpdateFn = (current: KubeObject) => KubeObject | undefined | Promise<KubeObject | undefined>;

export interface UpdateOutcome {
  object: KubeObject;
  /** False when the transform produced the same bytes (no write, resourceVersion unchanged). */
  changed: boolean;
}

// Like Kubernetes' GuaranteedUpdate, a lost compare-and-swap is retried for as long as it keeps losing:
// every round some writer wins, so with N contenders the last one needs N-1 retries.
const maxUpdateAttempts = 10_000;

export class ObjectStore {
  constructor(
    readonly storage: Storage,
    readonly resource: ResourceInfo,
  ) {}

  key(namespace: string, name: string): string {
    return storageKey(this.resource, namespace, name);
  }

  async get(namespace: string, name: string): Promise<KubeObject | undefined> {
    const kv = await this.storage.get(this.key(namespace, name));
    return kv ? decodeObject(kv.value, kv.modRevision) : undefined;
  }

  async mustGet(namespace: string, name: string): Promise<KubeObject> {
    const obj = await this.get(namespace, name);
    if (!obj) throw notFound(this.resource.name, name);
    return obj;
  }

  /** Create-if-absent; returns the stored object with its resourceVersion, or undefined if the name is taken. */
  async create(obj: KubeObject): Promise<KubeObject | undefined> {
    const meta = obj.metadata;
    const bytes = encodeObject(obj);
    const result = await this.storage.create(this.key(meta.namespace ?? '', meta.name ?? ''), bytes);
    if (!result.ok) return undefined;
    meta.resourceVersion = String(result.revision);
    rememberApiBytes(obj, bytes, result.revision);
    return obj;
  }

  async mustCreate(obj: KubeObject): Promise<KubeObject> {
    const created = await this.create(obj);
    if (!created) throw alreadyExists(this.resource.name, obj.metadata.name ?? '');
    return created;
  }

  async guaranteedUpdate(
    namespace: string,
    name: string,
    update: UpdateFn,
    dryRun = false,
  ): Promise<UpdateOutcome> {
    const key = this.key(namespace, name);
    let kv: KeyValue | undefined = await this.storage.get(key);
    for (let attempt = 0; attempt < maxUpdateAttempts; attempt++) {
      if (!kv) throw notFound(this.resource.name, name);
      const current = decodeObject(kv.value, kv.modRevision);
      const next = await update(decodeObject(kv.value, kv.modRevision));
      if (next === undefined) return { object: current, changed: false };
      const bytes = encodeObject(next);
      if (sameBytes(bytes, kv.value)) return { object: current, changed: false };
      if (dryRun) {
        next.metadata.resourceVersion = String(kv.modRevision);
        return { object: next, changed: true };
      }
      const result = await this.storage.update(key, bytes, kv.modRevision);
      if (result.ok) {
        next.metadata.resourceVersion = String(result.revision);
        rememberApiBytes(next, bytes, result.revision);
        return { object: next, changed: true };
      }
      if (result.reason === 'notFound') throw notFound(this.resource.name, name);
      kv = result.reason === 'exists' ? await this.storage.get(key) : result.current;
    }
    throw conflict(this.resource.name, name, staleObjectMessage);
  }

  /** Stores `obj` if the stored resourceVersion is still `expectedRv`; undefined when it changed or is gone. */
  async updateAt(obj: KubeObject, expectedRv: string): Promise<KubeObject | undefined> {
    const meta = obj.metadata;
    const key = this.key(meta.namespace ?? '', meta.name ?? '');
    const bytes = encodeObject(obj);
    const result = await this.storage.update(key, bytes, Number(expectedRv));
    if (!result.ok) return undefined;
    meta.resourceVersion = String(result.revision);
    rememberApiBytes(obj, bytes, result.revision);
    return obj;
  }

  /** Removes the object if its resourceVersion is still `expectedRv`; undefined when it changed or is gone. */
  async deleteAt(namespace: string, name: string, expectedRv: string): Promise<KubeObject | undefined> {
    const result = await this.storage.delete(this.key(namespace, name), Number(expectedRv));
    if (!result.ok) return undefined;
    const obj = decodeObject(result.prev.value, result.prev.modRevision);
    return obj;
  }
}

/** 409 Conflict when a client's resourceVersion precondition does not match the stored object. */
export function checkResourceVersion(
  resource: string,
  current: KubeObject,
  expected: string | undefined,
): void {
  if (expected !== undefined && expected !== '' && expected !== current.metadata.resourceVersion) {
    throw conflict(resource, current.metadata.name ?? '', staleObjectMessage);
  }
}

/** Kubernetes' UID precondition (a uid in a PUT body or DeleteOptions): 409 unless it is the stored uid. */
export function checkUidPrecondition(resource: string, current: KubeObject, uid: string | undefined): void {
  if (uid && uid !== current.metadata.uid) {
    throw conflict(
      resource,
      current.metadata.name ?? '',
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid ?? ''}`,
    );
  }
}
