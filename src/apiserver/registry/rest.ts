// The write path of one resource: create, update, patch, delete and their status-subresource forms,
// in Kubernetes' order — decode checks, server-filled fields, defaults, validation, admission,
// allocation hooks, then one compare-and-swap in storage. dryRun runs every step but the write.
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  staleObjectMessage,
} from '../../api/errors.js';
import { applyPatch, type PatchType } from '../../api/patch/index.js';
import type { KubeObject } from '../../api/types.js';
import type { Clock } from '../../util/clock.js';
import type { FieldValidation, WriteQuery } from '../http/query.js';
import { type AdmissionPlugin, admit } from './admission.js';
import { cloneObject } from './codec.js';
import { generateName, generateNameAttempts } from './names.js';
import { checkResourceVersion, checkUidPrecondition, type ObjectStore } from './object-store.js';
import { noReservation, type Reservation, type WriteHooks } from './reservation.js';
import {
  checkTypeMeta,
  prepareCreate,
  prepareFinalizeUpdate,
  prepareStatusUpdate,
  prepareUpdate,
  type Strategy,
  validateForCreate,
  validateForUpdate,
} from './strategy.js';
import { findUnknownFields } from './unknown-fields.js';

export interface WriteResult {
  object: KubeObject;
  created: boolean;
  warnings: string[];
}

export interface RestDeps {
  clock: Clock;
  admission: readonly AdmissionPlugin[];
  hooks?: WriteHooks;
}

/** What a PUT/PATCH changes: the object, only its status, or only a namespace's spec.finalizers. */
export type Target = 'main' | 'status' | 'finalize';

export class ResourceRest {
  constructor(
    readonly store: ObjectStore,
    readonly strategy: Strategy,
    readonly deps: RestDeps,
  ) {}

  get resource() {
    return this.strategy.resource;
  }

  async create(namespace: string, body: unknown, query: WriteQuery): Promise<WriteResult> {
    const warnings: string[] = [];
    const obj = this.decode(body, query.fieldValidation, warnings);
    this.checkNamespace(obj, namespace);
    const meta = obj.metadata;
    if (!meta.name && !meta.generateName) {
      throw invalid(this.resource.kind, '', [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: name or generateName is required',
          field: 'metadata.name',
        },
      ]);
    }
    prepareCreate(this.strategy, obj, this.deps.clock.now());
    const generated = !meta.name;
    if (generated) meta.name = generateName(meta.generateName ?? '');
    validateForCreate(this.strategy, obj);
    await admit(this.deps.admission, this.attributes('CREATE', obj, undefined, query.dryRun));
    const reservation = this.deps.hooks?.beforeCreate?.(obj, query.dryRun) ?? noReservation;
    try {
      const stored = await this.storeNew(obj, generated, query.dryRun);
      reservation.commit();
      return { object: stored, created: true, warnings };
    } catch (e) {
      reservation.rollback();
      throw e;
    }
  }

  private async storeNew(obj: KubeObject, generated: boolean, dryRun: boolean): Promise<KubeObject> {
    const meta = obj.metadata;
    for (let attempt = 0; ; attempt++) {
      if (dryRun) {
        const existing = await this.store.get(meta.namespace ?? '', meta.name ?? '');
        if (!existing) return obj;
      } else {
        const created = await this.store.create(obj);
        if (created) return created;
      }
      if (!generated || attempt + 1 >= generateNameAttempts)
        throw alreadyExists(this.resource.name, meta.name ?? '');
      meta.name = generateName(meta.generateName ?? '');
    }
  }

  /** PUT: replace the object (or its status); creates it when the strategy allows. */
  async update(
    namespace: string,
    name: string,
    body: unknown,
    query: WriteQuery,
    target: Target,
  ): Promise<WriteResult> {
    const warnings: string[] = [];
    const obj = this.decode(body, query.fieldValidation, warnings);
    this.checkName(obj, name);
    this.checkNamespace(obj, namespace);
    // Like Kubernetes, a uid in the body is a precondition, checked before the resourceVersion.
    const produce = (current: KubeObject) => {
      checkUidPrecondition(this.resource.name, current, obj.metadata.uid);
      return cloneObject(obj);
    };
    try {
      return await this.updateWith(namespace, name, produce, query, target, warnings);
    } catch (e) {
      if (
        !(
          e instanceof ApiError &&
          e.reason === 'NotFound' &&
          target === 'main' &&
          this.strategy.allowCreateOnUpdate
        )
      ) {
        throw e;
      }
      const result = await this.create(namespace, obj, query);
      return { ...result, warnings: [...warnings, ...result.warnings] };
    }
  }

  /** PATCH in any of the four content types; `metadata.resourceVersion` in the patch is a precondition. */
  async patch(
    namespace: string,
    name: string,
    type: PatchType,
    patch: unknown,
    query: WriteQuery,
    target: Target,
  ): Promise<WriteResult> {
    const warnings: string[] = [];
    if (type === 'apply') {
      if (!query.fieldManager) {
        throw invalid('PatchOptions.meta.k8s.io', '', [
          {
            reason: 'FieldValueRequired',
            message: 'Required value: is required for apply patch',
            field: 'fieldManager',
          },
        ]);
      }
      if (target === 'main' && !(await this.store.get(namespace, name))) {
        const obj = checkTypeMeta(this.resource, patch);
        this.checkName(obj, name);
        return this.create(namespace, obj, query);
      }
    }
    return this.updateWith(
      namespace,
      name,
      (current) => {
        const patched = applyPatch(type, this.resource.kind, current, patch);
        const obj = this.decode(patched, query.fieldValidation, warnings);
        this.checkName(obj, name);
        return obj;
      },
      query,
      target,
      warnings,
    );
  }

  /**
   * The shared update transform: `produce` yields the desired object from the current one; its
   * resourceVersion, when set, must equal the current one (409 otherwise).
   */
  async updateWith(
    namespace: string,
    name: string,
    produce: (current: KubeObject) => KubeObject,
    query: WriteQuery,
    target: Target,
    warnings: string[] = [],
  ): Promise<WriteResult> {
    let reservation: Reservation = noReservation;
    let removed: KubeObject | undefined;
    try {
      const outcome = await this.store.guaranteedUpdate(
        namespace,
        name,
        async (current) => {
          reservation.rollback();
          reservation = noReservation;
          const desired = produce(current);
          checkResourceVersion(this.resource.name, current, desired.metadata.resourceVersion);
          checkUidUnchanged(this.resource.kind, current, desired);
          const next =
            target === 'status'
              ? prepareStatusUpdate(desired, current)
              : target === 'finalize'
                ? prepareFinalizeUpdate(desired, current)
                : desired;
          if (target === 'main') prepareUpdate(this.strategy, next, current);
          if (namespace && this.resource.namespaced) next.metadata.namespace = namespace;
          validateForUpdate(this.strategy, next, current);
          await admit(this.deps.admission, this.attributes('UPDATE', next, current, query.dryRun, target));
          reservation = this.deps.hooks?.beforeUpdate?.(next, current, query.dryRun) ?? noReservation;
          if (finalizedAway(next) && !query.dryRun) {
            removed = await this.store.deleteAt(namespace, name, current.metadata.resourceVersion ?? '');
            if (!removed) throw conflict(this.resource.name, name, staleObjectMessage);
            return undefined;
          }
          return next;
        },
        query.dryRun,
      );
      reservation.commit();
      if (removed) {
        this.deps.hooks?.afterDelete?.(removed);
        return { object: removed, created: false, warnings };
      }
      return { object: outcome.object, created: false, warnings };
    } catch (e) {
      reservation.rollback();
      throw e;
    }
  }

  private decode(body: unknown, validation: FieldValidation, warnings: string[]): KubeObject {
    const obj = checkTypeMeta(this.resource, body);
    if (validation !== 'Ignore') {
      const unknown = findUnknownFields(this.resource.kind, obj);
      if (unknown.length > 0) {
        if (validation === 'Strict') {
          const text = unknown.map((f) => `unknown field "${f}"`).join(', ');
          throw badRequest(`strict decoding error: ${text}`);
        }
        for (const f of unknown) warnings.push(`unknown field "${f}"`);
      }
    }
    return obj;
  }

  private checkName(obj: KubeObject, name: string): void {
    const bodyName = obj.metadata.name;
    if (bodyName === undefined || bodyName === '') {
      obj.metadata.name = name;
    } else if (bodyName !== name) {
      throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    }
  }

  private checkNamespace(obj: KubeObject, namespace: string): void {
    if (!this.resource.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    const bodyNamespace = obj.metadata.namespace;
    if (bodyNamespace && namespace && bodyNamespace !== namespace) {
      throw badRequest(
        `the namespace of the provided object does not match the namespace sent on the request`,
      );
    }
    const ns = namespace || bodyNamespace;
    if (!ns)
      throw badRequest('the namespace of the object is missing: POST to /api/v1/namespaces/{namespace}/...');
    obj.metadata.namespace = ns;
  }

  attributes(
    operation: 'CREATE' | 'UPDATE' | 'DELETE',
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    dryRun: boolean,
    target: Target = 'main',
  ) {
    const source = object ?? oldObject;
    return {
      operation,
      resource: this.resource,
      subresource: target === 'main' ? '' : target,
      namespace: source?.metadata.namespace ?? '',
      name: source?.metadata.name ?? '',
      object,
      oldObject,
      dryRun,
    };
  }
}

/** A patch may not change the uid (Kubernetes' ValidateObjectMetaUpdate, for every target): 422. */
function checkUidUnchanged(kind: string, current: KubeObject, desired: KubeObject): void {
  const uid = desired.metadata.uid;
  if (uid && uid !== current.metadata.uid) {
    throw invalid(kind, current.metadata.name ?? '', [
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(uid)}: field is immutable`,
        field: 'metadata.uid',
      },
    ]);
  }
}

/** An object being deleted whose last finalizer is gone and whose grace period is over. */
export function finalizedAway(obj: KubeObject): boolean {
  const meta = obj.metadata;
  if (
    !meta.deletionTimestamp ||
    (meta.finalizers ?? []).length > 0 ||
    (meta.deletionGracePeriodSeconds ?? 0) > 0
  ) {
    return false;
  }
  // A namespace also waits for its spec.finalizers (the purger removes `kubernetes`).
  return (
    obj.kind !== 'Namespace' ||
    ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length === 0
  );
}
