// Validation of v1 objects on create and update, returning every field-level problem at once as
// Kubernetes StatusCauses (field paths and messages as pkg/apis/core/validation writes them).
// Objects are expected to be defaulted (defaults.ts) and, for namespaced resources, to carry the
// namespace of the request; generateName must already be expanded into metadata.name.
import { invalid as invalidError } from './errors.js';
import type { KubeObject, StatusCause } from './types.js';
import { validateEndpointSubsets } from './validation/endpoints.js';
import { validateEventFields } from './validation/event.js';
import { Causes, invalid, isObject, type Json } from './validation/field.js';
import { validateLeaseSpec } from './validation/lease.js';
import { type MetaRules, validateObjectMeta, validateObjectMetaUpdate } from './validation/meta.js';
import {
  isQualifiedName,
  type NameRule,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  nameIsPathSegment,
} from './validation/names.js';
import { validateNodeSpecAndStatus, validateNodeUpdate } from './validation/node.js';
import { validatePodSpec, validatePodSpecUpdate } from './validation/pod.js';
import { validateBinding, validateBindingUpdate, validateRules } from './validation/rbac.js';
import { validateReplicationControllerSpec } from './validation/replicationcontroller.js';
import { validateServiceSpec, validateServiceSpecUpdate } from './validation/service.js';

interface ResourceRules extends MetaRules {
  /** Everything outside metadata, on create and (again) on update. */
  body(c: Causes, obj: Json): void;
  /** Extra rules comparing an update with the stored object. */
  update?(c: Causes, obj: Json, old: Json): void;
}

const specOf = (c: Causes, obj: Json): Json => c.object(obj, 'spec', '') ?? {};
const stored = (obj: Json): Json => (isObject(obj.spec) ? obj.spec : {});

const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

// RBAC objects: names are path segments (Kubernetes' ValidatePathSegmentName).
const rbacRules = (namespaced: boolean, binding: boolean): ResourceRules => ({
  namespaced,
  nameRule: nameIsPathSegment,
  body: (c, obj) => (binding ? validateBinding(c, obj, namespaced) : validateRules(c, obj, namespaced)),
  ...(binding ? { update: validateBindingUpdate } : {}),
});

const rulesByResource: Record<string, ResourceRules> = {
  roles: rbacRules(true, false),
  clusterroles: rbacRules(false, false),
  rolebindings: rbacRules(true, true),
  clusterrolebindings: rbacRules(false, true),
  leases: { namespaced: true, nameRule: nameIsDNSSubdomain, body: validateLeaseSpec },
  pods: {
    namespaced: true,
    nameRule: nameIsDNSSubdomain,
    body: (c, obj) => validatePodSpec(c, specOf(c, obj), 'spec', true),
    update: (c, obj, old) => validatePodSpecUpdate(c, stored(obj), stored(old)),
  },
  services: {
    namespaced: true,
    nameRule: nameIsDNS1035Label,
    body: (c, obj) => validateServiceSpec(c, specOf(c, obj)),
    update: (c, obj, old) => validateServiceSpecUpdate(c, stored(obj), stored(old)),
  },
  replicationcontrollers: {
    namespaced: true,
    nameRule: nameIsDNSSubdomain,
    body: (c, obj) => validateReplicationControllerSpec(c, specOf(c, obj)),
  },
  endpoints: { namespaced: true, nameRule: nameIsDNSSubdomain, body: validateEndpointSubsets },
  // core/v1 events only get the generic name rule (a URL path segment).
  events: { namespaced: true, nameRule: nameIsPathSegment, body: validateEventFields },
  nodes: {
    namespaced: false,
    nameRule: nameIsDNSSubdomain,
    body: validateNodeSpecAndStatus,
    update: validateNodeUpdate,
  },
  namespaces: {
    namespaced: false,
    nameRule: nameIsDNSLabel,
    // Only deletion makes a namespace Terminating (its contents are then purged): Kubernetes'
    // ValidateNamespaceStatusUpdate. A status write must not start a purge.
    update: (c, obj) => {
      const phase = c.string(c.object(obj, 'status', '') ?? {}, 'phase', 'status') ?? '';
      const deleting = isObject(obj.metadata) && !!obj.metadata.deletionTimestamp;
      if (!deleting && phase !== '' && phase !== 'Active') {
        c.add(invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty"));
      } else if (deleting && phase !== 'Terminating') {
        c.add(
          invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"),
        );
      }
    },
    body: (c, obj) => {
      c.strings(specOf(c, obj), 'finalizers', 'spec').forEach((f) => {
        for (const msg of isQualifiedName(f)) c.add(invalid('spec.finalizers', f, msg));
        if (!f.includes('/') && !standardFinalizers.has(f)) {
          c.add(
            invalid(
              'spec.finalizers',
              f,
              'name is neither a standard finalizer name nor is it fully qualified',
            ),
          );
        }
      });
    },
  },
};

function metadataOf(c: Causes, obj: KubeObject): Json {
  return c.object(obj as Json, 'metadata', '') ?? {};
}

/** Every field-level problem of a new object at once. Unknown resources get no checks. */
export function validateCreate(resource: string, obj: KubeObject): StatusCause[] {
  const rules = rulesByResource[resource];
  if (!rules) return [];
  const c = new Causes();
  validateObjectMeta(c, metadataOf(c, obj), rules);
  rules.body(c, obj as Json);
  return c.list;
}

/**
 * validateCreate plus the rules of an update against the stored object: immutable identity and
 * timestamps, pod spec changes limited to images/deadline/toleration additions, a service's cluster
 * IP once set, node pod CIDRs. (An RC's selector may change, as in Kubernetes.)
 */
export function validateUpdate(resource: string, obj: KubeObject, old: KubeObject): StatusCause[] {
  const rules = rulesByResource[resource];
  if (!rules) return [];
  const c = new Causes();
  const meta = metadataOf(c, obj);
  validateObjectMetaUpdate(c, meta, isObject(old.metadata) ? (old.metadata as Json) : {});
  validateObjectMeta(c, meta, rules);
  rules.body(c, obj as Json);
  rules.update?.(c, obj as Json, old as Json);
  // The create rules and the update rules look at some fields twice (labels, images): report once.
  const seen = new Set<string>();
  return c.list.filter((cause) => {
    const id = `${cause.field}\0${cause.reason}\0${cause.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Name rules per resource (DNS-1123 subdomain / label / DNS-1035 label / path segment). */
export function validateName(resource: string, name: string): string[] {
  const rule: NameRule = rulesByResource[resource]?.nameRule ?? nameIsPathSegment;
  return rule(name, false);
}

/** Convenience: throws invalid(kind, name, causes) when causes are non-empty. */
export function assertValid(kind: string, name: string, causes: StatusCause[]): void {
  if (causes.length > 0) throw invalidError(kind, name, causes);
}
