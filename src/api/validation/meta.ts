// ObjectMeta, labels and annotations, as k8s.io/apimachinery/pkg/api/validation/objectmeta.go checks them.
import {
  type Causes,
  child,
  fieldImmutableErrorMsg,
  forbidden,
  goStringSlice,
  index,
  invalid,
  isNegativeErrorMsg,
  type Json,
  required,
  tooLong,
} from './field.js';
import { isQualifiedName, isValidLabelValue, type NameRule, nameIsDNSLabel } from './names.js';

export const totalAnnotationSizeLimitBytes = 256 * 1024;

const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateLabels(c: Causes, labels: Record<string, string> | undefined, path: string): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(k)) c.add(invalid(path, k, msg));
    for (const msg of isValidLabelValue(v)) c.add(invalid(path, v, msg));
  }
}

export function validateAnnotations(
  c: Causes,
  annotations: Record<string, string> | undefined,
  path: string,
): void {
  let totalBytes = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    // Annotation keys are qualified names except that case does not matter.
    for (const msg of isQualifiedName(k.toLowerCase())) c.add(invalid(path, k, msg));
    totalBytes += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (totalBytes > totalAnnotationSizeLimitBytes) c.add(tooLong(path, totalAnnotationSizeLimitBytes));
}

function validateOwnerReferences(c: Causes, meta: Json, metaPath: string): void {
  // Kubernetes reports owner-reference problems on the list path, not on the item.
  const path = child(metaPath, 'ownerReferences');
  let firstController = '';
  for (const [, ref] of c.objects(meta, 'ownerReferences', metaPath)) {
    const apiVersion = c.string(ref, 'apiVersion', path) ?? '';
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    if (version === '') c.add(invalid(child(path, 'apiVersion'), apiVersion, 'version must not be empty'));
    const kind = c.string(ref, 'kind', path) ?? '';
    if (kind === '') c.add(invalid(child(path, 'kind'), kind, 'must not be empty'));
    const name = c.string(ref, 'name', path) ?? '';
    if (name === '') c.add(invalid(child(path, 'name'), name, 'must not be empty'));
    const uid = c.string(ref, 'uid', path) ?? '';
    if (uid === '') c.add(invalid(child(path, 'uid'), uid, 'must not be empty'));
    if (c.boolean(ref, 'controller', path) !== true) continue;
    const current = `${kind}/${name}`;
    if (firstController === '') firstController = current;
    else {
      c.add(
        invalid(
          path,
          meta.ownerReferences,
          `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
        ),
      );
    }
  }
}

function validateFinalizers(c: Causes, finalizers: string[], path: string): void {
  finalizers.forEach((f, i) => {
    for (const msg of isQualifiedName(f)) c.add(invalid(index(path, i), f, msg));
    if (!f.includes('/') && !standardFinalizers.has(f)) {
      c.add(
        invalid(index(path, i), f, 'name is neither a standard finalizer name nor is it fully qualified'),
      );
    }
  });
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    c.add(
      invalid(path, goStringSlice(finalizers), 'finalizer orphan and foregroundDeletion cannot be both set'),
    );
  }
}

export interface MetaRules {
  readonly namespaced: boolean;
  readonly nameRule: NameRule;
}

/** ValidateObjectMeta: expects generateName to have been expanded into name already. */
export function validateObjectMeta(c: Causes, meta: Json, rules: MetaRules, path = 'metadata'): void {
  const generateName = c.string(meta, 'generateName', path) ?? '';
  if (generateName !== '') {
    for (const msg of rules.nameRule(generateName, true))
      c.add(invalid(child(path, 'generateName'), generateName, msg));
  }
  const name = c.string(meta, 'name', path) ?? '';
  if (name === '') c.add(required(child(path, 'name'), 'name or generateName is required'));
  else for (const msg of rules.nameRule(name, false)) c.add(invalid(child(path, 'name'), name, msg));

  const namespace = c.string(meta, 'namespace', path) ?? '';
  if (rules.namespaced) {
    if (namespace === '') c.add(required(child(path, 'namespace')));
    else
      for (const msg of nameIsDNSLabel(namespace, false))
        c.add(invalid(child(path, 'namespace'), namespace, msg));
  } else if (namespace !== '') {
    c.add(forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  const generation = c.integer(meta, 'generation', path);
  if (generation !== undefined && generation < 0)
    c.add(invalid(child(path, 'generation'), generation, isNegativeErrorMsg));
  validateMetaContents(c, meta, path);
  validateFinalizers(c, c.strings(meta, 'finalizers', path), child(path, 'finalizers'));
}

function validateMetaContents(c: Causes, meta: Json, path: string): void {
  validateLabels(c, c.stringMap(meta, 'labels', path), child(path, 'labels'));
  validateAnnotations(c, c.stringMap(meta, 'annotations', path), child(path, 'annotations'));
  validateOwnerReferences(c, meta, path);
}

const immutableMetaFields = [
  'name',
  'namespace',
  'uid',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
] as const;

/** ValidateObjectMetaUpdate: identity and server-owned fields may not change. */
export function validateObjectMetaUpdate(c: Causes, meta: Json, old: Json, path = 'metadata'): void {
  if (old.deletionTimestamp) {
    const before = new Set(Array.isArray(old.finalizers) ? (old.finalizers as string[]) : []);
    const added = [...new Set(c.strings(meta, 'finalizers', path))].filter((f) => !before.has(f)).sort();
    if (added.length > 0) {
      c.add(
        forbidden(
          child(path, 'finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(added).text}`,
        ),
      );
    }
  }
  const generation = typeof meta.generation === 'number' ? meta.generation : 0;
  const oldGeneration = typeof old.generation === 'number' ? old.generation : 0;
  if (generation < oldGeneration)
    c.add(invalid(child(path, 'generation'), generation, 'must not be decremented'));
  for (const field of immutableMetaFields) {
    const now = meta[field] ?? null;
    const before = old[field] ?? null;
    if (now !== before && !(now === '' && before === null) && !(now === null && before === '')) {
      c.add(invalid(child(path, field), now, fieldImmutableErrorMsg));
    }
  }
  validateMetaContents(c, meta, path);
}
