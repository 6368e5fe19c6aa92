// The garbage collector (Kubernetes' pkg/controller/garbagecollector), over informers of the resources
// it monitors instead of a full dependency graph: each cache is indexed by owner uid, which is all the
// graph is needed for here.
//
// Two kinds of keys share one queue:
// - `dependent|<resource>|<key>` (attemptToDelete): an object with owner references whose owners may be
//   gone. With at least one owner alive, references to gone owners are removed; with none left, the
//   object is deleted (Background, or the propagation its own finalizers ask for; Foreground when an
//   owner is deleting in the foreground and the object has dependents of its own). Queued when an
//   object with owners appears or its references change, and for every dependent of an object that
//   is deleted.
// - `owner|<resource>|<key>` (attemptToOrphan / foreground): an owner being deleted with the `orphan`
//   finalizer has that reference stripped from all its dependents, then the finalizer removed (the
//   apiserver then removes it); with `foregroundDeletion`, its dependents are deleted and the finalizer
//   is removed once none that blocks owner deletion (blockOwnerDeletion) is left.
import type { KubeObject } from '../../api/types.js';
import { isNotFound } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import { counterOn } from '../../client/metrics.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import {
  type ControllerOptions,
  controllerParts,
  type QueueController,
  queueController,
} from '../controller.js';
import { ownerUidIndex, ownerUidIndexer, uidIndex, uidIndexer } from '../indexers.js';
import { foregroundFinalizer, hasFinalizer, orphanFinalizer, removeOwnersPatch } from '../owners.js';
import { createOwnerResolver, resourceOfRef } from './owners.js';

/** The resources watched for dependents and owners by default (events are left to their TTL). */
export const defaultGcResources = [
  'pods',
  'replicationcontrollers',
  'services',
  'endpoints',
  'nodes',
  'leases',
];

/** workers: concurrent syncs (Kubernetes' --concurrent-gc-syncs: 20), default 4. */
export interface GarbageCollectorOptions extends ControllerOptions {
  /** Resources whose objects are collected and whose deletions are followed. Default defaultGcResources. */
  resources?: readonly string[];
}

type Mode = 'dependent' | 'owner';
const keyOf = (mode: Mode, resource: string, obj: KubeObject): string =>
  `${mode}|${resource}|${metaNamespaceKey(obj)}`;

function parseKey(key: string): { mode: Mode; resource: string; objectKey: string } {
  const [mode, resource, objectKey] = key.split('|') as [Mode, string, string];
  return { mode, resource, objectKey };
}

export function createGarbageCollector(options: GarbageCollectorOptions): QueueController {
  const { client } = options;
  const parts = controllerParts('garbagecollector', 'garbage_collector', options);
  const { logger, registry, queue } = parts;
  const deletes = counterOn(
    registry,
    'garbagecollector_attempt_to_delete_total',
    'Dependents deleted because their owners are gone, by resource.',
    ['resource'],
  );
  const orphaned = counterOn(
    registry,
    'garbagecollector_attempt_to_orphan_total',
    'Owner references removed from dependents (orphaning and dangling references), by resource.',
    ['resource'],
  );

  const informers = new Map<string, Informer<KubeObject>>();
  for (const resource of options.resources ?? defaultGcResources) {
    informers.set(
      resource,
      options.informers.informer<KubeObject>(resource, {
        indexers: { [ownerUidIndex]: ownerUidIndexer, [uidIndex]: uidIndexer },
      }),
    );
  }
  const owners = createOwnerResolver(client, (resource) => informers.get(resource));

  /** Every monitored object that names `uid` as an owner. */
  function dependentsOf(uid: string): Array<{ resource: string; obj: KubeObject }> {
    const out: Array<{ resource: string; obj: KubeObject }> = [];
    for (const [resource, informer] of informers) {
      for (const obj of informer.store.byIndex(ownerUidIndex, uid)) out.push({ resource, obj });
    }
    return out;
  }

  const isDeletingOwner = (obj: KubeObject): boolean =>
    !!obj.metadata.deletionTimestamp &&
    (hasFinalizer(obj.metadata, orphanFinalizer) || hasFinalizer(obj.metadata, foregroundFinalizer));

  /** A dependent left: an owner deleting in the foreground may have lost its last blocker. */
  function wakeForegroundOwners(obj: KubeObject): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const info = resourceOfRef(ref);
      const informer = info && informers.get(info.name);
      const owner = informer?.store.byIndex(uidIndex, ref.uid)[0];
      if (owner && isDeletingOwner(owner)) queue.add(keyOf('owner', info!.name, owner));
    }
  }

  for (const [resource, informer] of informers) {
    informer.addEventHandler({
      onAdd(obj) {
        if (obj.metadata.ownerReferences?.length) queue.add(keyOf('dependent', resource, obj));
        if (isDeletingOwner(obj)) queue.add(keyOf('owner', resource, obj));
      },
      onUpdate(old, obj) {
        const refsChanged =
          JSON.stringify(old.metadata.ownerReferences ?? []) !==
          JSON.stringify(obj.metadata.ownerReferences ?? []);
        if (
          obj.metadata.ownerReferences?.length &&
          (refsChanged || !old.metadata.deletionTimestamp !== !obj.metadata.deletionTimestamp)
        ) {
          queue.add(keyOf('dependent', resource, obj));
        }
        if (refsChanged) wakeForegroundOwners(old);
        if (isDeletingOwner(obj)) queue.add(keyOf('owner', resource, obj));
      },
      onDelete(obj) {
        const uid = obj.metadata.uid;
        if (uid) for (const d of dependentsOf(uid)) queue.add(keyOf('dependent', d.resource, d.obj));
        wakeForegroundOwners(obj);
      },
    });
  }

  // ---------------------------------------------------------------- attemptToDelete

  async function syncDependent(resource: string, obj: KubeObject): Promise<void> {
    const meta = obj.metadata;
    if (meta.deletionTimestamp && !hasFinalizer(meta, foregroundFinalizer)) return; // already going
    const refs = meta.ownerReferences ?? [];
    if (refs.length === 0) return;
    const states = await Promise.all(refs.map((ref) => owners.state(ref, meta.namespace)));
    const alive = states.some((s) => s === 'solid' || s === 'unresolvable');
    const gone = refs.filter((_, i) => states[i] === 'dangling' || states[i] === 'waiting').map((r) => r.uid);
    const api = client.resource<KubeObject>(resource);
    if (alive) {
      if (gone.length === 0) return;
      await api.patch(meta.namespace, meta.name!, 'strategic', removeOwnersPatch(obj, gone));
      orphaned.labels(resource).inc();
      logger.debug(
        { resource, object: metaNamespaceKey(obj), owners: gone },
        'removed references to gone owners',
      );
      return;
    }
    if (meta.deletionTimestamp) return; // deleting in the foreground itself: its own owner key drives it
    const ownerWaits = states.includes('waiting');
    const hasDependents = meta.uid !== undefined && dependentsOf(meta.uid).length > 0;
    const propagationPolicy = hasFinalizer(meta, orphanFinalizer)
      ? 'Orphan'
      : hasFinalizer(meta, foregroundFinalizer) || (ownerWaits && hasDependents)
        ? 'Foreground'
        : 'Background';
    await api.delete(meta.namespace, meta.name!, { propagationPolicy, preconditions: { uid: meta.uid } });
    deletes.labels(resource).inc();
    logger.info(
      { resource, object: metaNamespaceKey(obj), propagationPolicy },
      'deleted object whose owners are gone',
    );
  }

  // ---------------------------------------------------------------- orphan / foreground owners

  async function removeFinalizer(resource: string, obj: KubeObject, finalizer: string): Promise<void> {
    const rest = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    await client.resource<KubeObject>(resource).patch(obj.metadata.namespace, obj.metadata.name!, 'merge', {
      metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers: rest.length > 0 ? rest : null },
    });
  }

  async function syncOwner(resource: string, owner: KubeObject): Promise<void> {
    const meta = owner.metadata;
    if (!meta.deletionTimestamp || !meta.uid) return;
    const dependents = dependentsOf(meta.uid);
    if (hasFinalizer(meta, orphanFinalizer)) {
      let failure: unknown;
      await Promise.all(
        dependents.map(({ resource: r, obj }) =>
          client
            .resource<KubeObject>(r)
            .patch(
              obj.metadata.namespace,
              obj.metadata.name!,
              'strategic',
              removeOwnersPatch(obj, [meta.uid!]),
            )
            .then(
              () => orphaned.labels(r).inc(),
              (e: unknown) => {
                if (!isNotFound(e)) failure ??= e;
              },
            ),
        ),
      );
      if (failure !== undefined) throw failure;
      await removeFinalizer(resource, owner, orphanFinalizer);
      logger.info(
        { resource, owner: metaNamespaceKey(owner), dependents: dependents.length },
        'orphaned dependents',
      );
      return;
    }
    if (hasFinalizer(meta, foregroundFinalizer)) {
      const blocking = dependents.filter(({ obj }) =>
        obj.metadata.ownerReferences?.some((r) => r.uid === meta.uid && r.blockOwnerDeletion === true),
      );
      for (const d of dependents) queue.add(keyOf('dependent', d.resource, d.obj));
      if (blocking.length === 0) await removeFinalizer(resource, owner, foregroundFinalizer);
    }
  }

  async function sync(key: string): Promise<void> {
    const { mode, resource, objectKey } = parseKey(key);
    const obj = informers.get(resource)?.store.get(objectKey);
    if (!obj) return;
    try {
      if (mode === 'dependent') await syncDependent(resource, obj);
      else await syncOwner(resource, obj);
    } catch (e) {
      // Gone meanwhile: its deletion event brings whatever follows. A Conflict (changed meanwhile) retries.
      if (!isNotFound(e)) throw e;
      const { namespace, name } = splitMetaNamespaceKey(objectKey);
      logger.debug({ resource, namespace, name }, 'object went away meanwhile');
    }
  }

  return queueController({
    name: 'garbagecollector',
    parts,
    informers: [...informers.values()],
    workers: options.workers ?? 4,
    sync,
    metricPrefix: 'garbagecollector',
  });
}
