// DELETE semantics (Kubernetes' generic store BeforeDelete/updateForGracefulDeletionAndFinalizers):
// preconditions, graceful deletion for pods on a node, finalizers (including the `orphan` and
// `foregroundDeletion` finalizers that propagationPolicy asks the garbage collector to act on), and
// otherwise immediate removal. An object that must wait gets deletionTimestamp and stays.
import { badRequest, conflict, notFound, staleObjectMessage } from '../../api/errors.js';
import type { DeleteOptions, KubeObject, Namespace, Pod } from '../../api/types.js';
import { rfc3339 } from '../../util/clock.js';
import { admit } from './admission.js';
import { checkUidPrecondition } from './object-store.js';
import type { ResourceRest } from './rest.js';

export interface DeleteOutcome {
  object: KubeObject;
  /** True when the object left storage; false when it waits for a grace period or finalizers. */
  deleted: boolean;
}

const orphanFinalizer = 'orphan';
const foregroundFinalizer = 'foregroundDeletion';
// Like Kubernetes' GuaranteedUpdate, a lost compare-and-swap is retried for as long as it keeps losing:
// every round some writer wins, so with N contenders the last one needs N-1 retries.
const maxAttempts = 10_000;

export function checkDeleteOptions(options: DeleteOptions): void {
  const grace = options.gracePeriodSeconds;
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) {
    throw badRequest(`gracePeriodSeconds: Invalid value: ${String(grace)}: must be a non-negative integer`);
  }
  const policy = options.propagationPolicy;
  if (policy !== undefined && policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
    throw badRequest(
      `propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  if (policy !== undefined && options.orphanDependents !== undefined) {
    throw badRequest(
      'orphanDependents: Invalid value: propagationPolicy and orphanDependents cannot both be set',
    );
  }
}

/** The grace period a deletion gets: only pods bound to a node and not finished wait (for the kubelet). */
function gracePeriodOf(rest: ResourceRest, obj: KubeObject, options: DeleteOptions): number {
  if (rest.resource.name !== 'pods') return 0;
  const pod = obj as unknown as Pod;
  if (!pod.spec?.nodeName) return 0;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return 0;
  return options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
}

function propagationFinalizer(options: DeleteOptions): string | undefined {
  if (options.propagationPolicy === 'Orphan' || options.orphanDependents === true) return orphanFinalizer;
  if (options.propagationPolicy === 'Foreground') return foregroundFinalizer;
  return undefined;
}

export async function deleteObject(
  rest: ResourceRest,
  namespace: string,
  name: string,
  options: DeleteOptions,
  dryRun: boolean,
): Promise<DeleteOutcome> {
  const { store, resource } = rest;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const current = await store.get(namespace, name);
    if (!current) throw notFound(resource.name, name);
    checkPreconditions(resource.name, current, options);
    await admit(rest.deps.admission, rest.attributes('DELETE', undefined, current, dryRun));
    const next = pendingDeletion(rest, current, options);
    if (next) {
      if (dryRun || next === current) return { object: next, deleted: false };
      const updated = await store.updateAt(next, current.metadata.resourceVersion ?? '');
      if (updated) {
        rest.deps.hooks?.afterDeletionPending?.(updated);
        return { object: updated, deleted: false };
      }
      continue; // the object changed under us: decide again
    }
    if (dryRun) return { object: current, deleted: true };
    const removed = await store.deleteAt(namespace, name, current.metadata.resourceVersion ?? '');
    if (!removed) continue;
    rest.deps.hooks?.afterDelete?.(removed);
    return { object: removed, deleted: true };
  }
  throw conflict(resource.name, name, staleObjectMessage);
}

function checkPreconditions(resource: string, current: KubeObject, options: DeleteOptions): void {
  const pre = options.preconditions;
  if (!pre) return;
  checkUidPrecondition(resource, current, pre.uid);
  if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(
      resource,
      current.metadata.name ?? '',
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`,
    );
  }
}

/**
 * The object as it must be stored while its deletion waits, or undefined when it can go now.
 * Returns `current` itself when it already waits and nothing changes (a repeated DELETE).
 */
function pendingDeletion(
  rest: ResourceRest,
  current: KubeObject,
  options: DeleteOptions,
): KubeObject | undefined {
  const meta = current.metadata;
  const finalizers = [...(meta.finalizers ?? [])];
  if (!meta.deletionTimestamp) {
    const extra = propagationFinalizer(options);
    if (extra && !finalizers.includes(extra)) finalizers.push(extra);
  }
  // A namespace waits for its spec.finalizers (the `kubernetes` one: its contents are purged first).
  const namespaceWaits =
    rest.resource.name === 'namespaces' &&
    ((current as unknown as Namespace).spec?.finalizers ?? []).length > 0;
  const grace = gracePeriodOf(rest, current, options);
  const waits = grace > 0 || finalizers.length > 0 || namespaceWaits;
  if (meta.deletionTimestamp) {
    // Already terminating: only a shorter grace period changes anything (kubectl delete --now/--force).
    const previous = meta.deletionGracePeriodSeconds ?? 0;
    const shorter = options.gracePeriodSeconds !== undefined && grace < previous;
    if (!shorter) return waits || previous > 0 ? current : undefined;
    if (!waits) return undefined;
  } else if (!waits) {
    return undefined;
  }
  const next = structuredClone(current);
  if (finalizers.length > 0) next.metadata.finalizers = finalizers;
  next.metadata.deletionTimestamp = rfc3339(rest.deps.clock.now() + grace * 1000);
  next.metadata.deletionGracePeriodSeconds = grace;
  if (rest.resource.name === 'namespaces') {
    const ns = next as unknown as Namespace;
    ns.status = { ...ns.status, phase: 'Terminating' };
  }
  return next;
}
