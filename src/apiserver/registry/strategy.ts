// Per-resource rules for writes, in the shape of Kubernetes' RESTCreateStrategy/RESTUpdateStrategy:
// what the server fills on create, what it keeps from the stored object on update, and which
// changes bump metadata.generation. Generic metadata handling lives here; resource quirks in
// strategies.ts.
import { randomUUID } from 'node:crypto';
import { applyDefaults } from '../../api/defaults.js';
import { badRequest } from '../../api/errors.js';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { assertValid, validateCreate, validateUpdate } from '../../api/validation.js';
import { rfc3339 } from '../../util/clock.js';
import { checkFieldTypes } from '../limits/field-types.js';
import { canonicalJson } from './codec.js';

export interface Strategy {
  readonly resource: ResourceInfo;
  /** PUT of a missing object creates it (Kubernetes: endpoints, events, services). */
  readonly allowCreateOnUpdate: boolean;
  /** Resource-specific create rules, after generic metadata is filled and before defaults. */
  prepareForCreate(obj: KubeObject, nowMs: number): void;
  /** Resource-specific rules for a main-resource update (status kept from the stored object). */
  prepareForUpdate(obj: KubeObject, old: KubeObject): void;
}

export function hasStatusSubresource(resource: ResourceInfo): boolean {
  return resource.subresources.includes('status');
}

/** The body's kind and apiVersion must be this resource's (or absent, as Kubernetes allows). */
export function checkTypeMeta(resource: ResourceInfo, obj: unknown): KubeObject {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw badRequest(`the body of the request is not a ${resource.kind} object`);
  }
  const o = obj as KubeObject;
  const apiVersion = apiVersionOf(resource);
  if (o.apiVersion !== undefined && o.apiVersion !== '' && o.apiVersion !== apiVersion) {
    throw badRequest(
      `the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${apiVersion})`,
    );
  }
  if (o.kind !== undefined && o.kind !== '' && o.kind !== resource.kind) {
    throw badRequest(
      `${String(o.kind)} in version "${resource.version}" cannot be handled as a ${resource.kind}`,
    );
  }
  checkFieldTypes(resource, o);
  if (o.metadata === undefined || o.metadata === null) o.metadata = {};
  if (typeof o.metadata !== 'object' || Array.isArray(o.metadata)) {
    throw badRequest(
      `${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: metadata must be an object`,
    );
  }
  o.apiVersion = apiVersion;
  o.kind = resource.kind;
  return o;
}

/** Fills what the server owns on create (uid, timestamps, generation) and runs the strategy. */
export function prepareCreate(strategy: Strategy, obj: KubeObject, nowMs: number): void {
  const meta = obj.metadata;
  meta.uid = randomUUID();
  meta.creationTimestamp = rfc3339(nowMs);
  meta.generation = 1;
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete (meta as Record<string, unknown>).selfLink;
  if (!strategy.resource.namespaced) delete meta.namespace;
  strategy.prepareForCreate(obj, nowMs);
  applyDefaults(strategy.resource.name, obj);
  dropEmptyMetadata(obj);
}

export function validateForCreate(strategy: Strategy, obj: KubeObject): void {
  assertValid(strategy.resource.kind, obj.metadata.name ?? '', validateCreate(strategy.resource.name, obj));
}

/**
 * A main-resource update: identity and server-owned metadata come from the stored object, the
 * strategy keeps status, generation goes up when anything outside metadata and status changed.
 */
export function prepareUpdate(strategy: Strategy, obj: KubeObject, old: KubeObject): void {
  keepServerMetadata(obj, old);
  if (hasStatusSubresource(strategy.resource)) keepStatus(obj, old);
  strategy.prepareForUpdate(obj, old);
  applyDefaults(strategy.resource.name, obj);
  dropEmptyMetadata(obj);
  bumpGenerationIfSpecChanged(obj, old);
}

/** A status-subresource update: everything but .status comes from the stored object. */
export function prepareStatusUpdate(obj: KubeObject, old: KubeObject): KubeObject {
  const next: KubeObject = { ...structuredClone(old), status: obj.status };
  if (obj.status === undefined) delete next.status;
  next.metadata.resourceVersion = obj.metadata.resourceVersion ?? old.metadata.resourceVersion;
  return next;
}

/** namespaces/{name}/finalize: only spec.finalizers changes. */
export function prepareFinalizeUpdate(obj: KubeObject, old: KubeObject): KubeObject {
  const next = structuredClone(old);
  const finalizers = (obj.spec as { finalizers?: string[] } | undefined)?.finalizers;
  next.spec = { ...((old.spec as object | undefined) ?? {}), finalizers: finalizers ?? [] };
  next.metadata.resourceVersion = obj.metadata.resourceVersion ?? old.metadata.resourceVersion;
  return next;
}

export function validateForUpdate(strategy: Strategy, obj: KubeObject, old: KubeObject): void {
  assertValid(
    strategy.resource.kind,
    obj.metadata.name ?? '',
    validateUpdate(strategy.resource.name, obj, old),
  );
}

const omittedWhenEmpty = ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const;

/**
 * Kubernetes never stores or shows empty metadata maps and lists (Go's omitempty): `annotations: {}`
 * from a client-side apply patch must not appear in `kubectl get -o yaml` or `kubectl diff`.
 */
function dropEmptyMetadata(obj: KubeObject): void {
  const meta = obj.metadata as Record<string, unknown>;
  for (const key of omittedWhenEmpty) {
    const value = meta[key];
    if (value === null || (typeof value === 'object' && Object.keys(value).length === 0)) delete meta[key];
  }
}

function keepServerMetadata(obj: KubeObject, old: KubeObject): void {
  const meta = obj.metadata;
  const oldMeta = old.metadata;
  meta.uid = oldMeta.uid;
  meta.creationTimestamp = oldMeta.creationTimestamp;
  meta.generation = oldMeta.generation;
  if (oldMeta.deletionTimestamp) meta.deletionTimestamp = oldMeta.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (oldMeta.deletionGracePeriodSeconds !== undefined) {
    meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
  } else delete meta.deletionGracePeriodSeconds;
  delete (meta as Record<string, unknown>).selfLink;
  if (meta.generateName === undefined && oldMeta.generateName !== undefined)
    meta.generateName = oldMeta.generateName;
}

function keepStatus(obj: KubeObject, old: KubeObject): void {
  if (old.status === undefined) delete obj.status;
  else obj.status = old.status;
}

function bumpGenerationIfSpecChanged(obj: KubeObject, old: KubeObject): void {
  if (specOf(obj) !== specOf(old)) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
}

/** Everything outside metadata and status, in a stable textual form. */
function specOf(obj: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return canonicalJson(rest);
}
