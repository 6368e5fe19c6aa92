// The replication controller (Kubernetes' pkg/controller/replication, i.e. the ReplicaSet controller):
// for every ReplicationController, the number of active pods it owns equals spec.replicas.
//
// Informer events only enqueue the RC's "namespace/name"; sync(key) reads the caches and converges:
// claim pods (adopt matching orphans, release owned pods that stopped matching), create the missing
// pods in slow-start batches or delete the surplus in ActivePods order, then write the status. Every
// create and delete is announced to the expectations first and counted off as the pod informer
// observes it; until then the RC is not managed again, so a slow watch never doubles the pods.
import { selectorFromSet } from '../../api/labels.js';
import type { Pod, ReplicationController, ReplicationControllerStatus } from '../../api/types.js';
import { isNotFound } from '../../client/errors.js';
import { createEventRecorder, type EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { counterOn } from '../../client/metrics.js';
import { metaNamespaceKey } from '../../client/store.js';
import {
  type ControllerOptions,
  controllerParts,
  type QueueController,
  queueController,
} from '../controller.js';
import { errorMessage } from '../errors.js';
import { createExpectations, defaultExpectationsTimeoutMs, type Expectations } from '../expectations.js';
import { namespaceIndex, namespaceIndexer } from '../indexers.js';
import { controllerRefOf, isPodActive, isPodReady, podKey } from '../pods.js';
import { slowStartBatch } from '../slow-start.js';
import { claimPods } from './claim.js';
import { createPodControl, rcKind } from './pod-control.js';
import { podsToDelete } from './ranking.js';
import { calculateStatus, type ManageFailure, sameStatus } from './status.js';

/** workers: concurrent syncs (Kubernetes' --concurrent-rc-syncs), default 5. */
export interface ReplicationManagerOptions extends ControllerOptions {
  /** Default: a recorder with source component "replication-controller". */
  recorder?: EventRecorder;
  /** At most this many creates or deletes per sync (Kubernetes' BurstReplicas). Default 500. */
  burstReplicas?: number;
  /** Unobserved creates/deletes stop blocking an RC after this long. Default 300 000 (Kubernetes'). */
  expectationsTimeoutMs?: number;
}

export interface ReplicationManager extends QueueController {
  readonly expectations: Expectations;
}

/** A failure of creating or deleting pods, kept apart so the status can carry ReplicaFailure. */
class ManageError extends Error {
  constructor(
    readonly failure: ManageFailure,
    readonly original: unknown,
  ) {
    super(failure.message);
  }
}

export function createReplicationManager(options: ReplicationManagerOptions): ReplicationManager {
  const { client } = options;
  const parts = controllerParts('replication', 'replicationmanager', options);
  const { clock, logger, registry, queue } = parts;
  const recorder =
    options.recorder ?? createEventRecorder(client, { component: 'replication-controller', clock, logger });
  const burstReplicas = options.burstReplicas ?? 500;
  const expectations = createExpectations(
    clock,
    options.expectationsTimeoutMs ?? defaultExpectationsTimeoutMs,
  );
  const control = createPodControl(client, recorder);
  const created = counterOn(registry, 'replication_controller_pods_created_total', 'Pods created.', []);
  const deleted = counterOn(registry, 'replication_controller_pods_deleted_total', 'Pods deleted.', []);

  const rcs: Informer<ReplicationController> = options.informers.informer('replicationcontrollers', {
    indexers: { [namespaceIndex]: namespaceIndexer },
  });
  const pods: Informer<Pod> = options.informers.informer('pods', {
    indexers: { [namespaceIndex]: namespaceIndexer },
  });

  // ---------------------------------------------------------------- informer events → keys

  /** The RC a controller reference points at, if cached with the same uid. */
  function resolve(pod: Pod): string | undefined {
    const ref = controllerRefOf(pod.metadata);
    if (!ref || ref.kind !== rcKind) return undefined;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    return rcs.store.get(key)?.metadata.uid === ref.uid ? key : undefined;
  }

  /** Every RC of the pod's namespace whose selector matches it: candidates to adopt an orphan. */
  function enqueueMatching(pod: Pod): void {
    for (const rc of rcs.store.byIndex(namespaceIndex, pod.metadata.namespace ?? '')) {
      const selector = rc.spec.selector;
      if (!selector || Object.keys(selector).length === 0) continue;
      if (selectorFromSet(selector).matches(pod.metadata.labels)) queue.add(metaNamespaceKey(rc));
    }
  }

  function podGone(pod: Pod): void {
    const key = resolve(pod);
    if (!key) return;
    expectations.deletionObserved(key, podKey(pod));
    queue.add(key);
  }

  function podAdded(pod: Pod): void {
    // Seen for the first time already terminating (e.g. after a restart): not a creation of ours.
    if (pod.metadata.deletionTimestamp) {
      podGone(pod);
      return;
    }
    if (controllerRefOf(pod.metadata)) {
      const key = resolve(pod);
      if (key) {
        expectations.creationObserved(key);
        queue.add(key);
      }
      return;
    }
    enqueueMatching(pod);
  }

  function podUpdated(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata.labels) !== JSON.stringify(cur.metadata.labels);
    if (cur.metadata.deletionTimestamp) {
      // A graceful deletion: replace the pod now rather than when the kubelet finally removes it.
      podGone(cur);
      if (labelsChanged) podGone(old);
      return;
    }
    const oldRef = controllerRefOf(old.metadata);
    const curRef = controllerRefOf(cur.metadata);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) {
      const oldKey = resolve(old);
      if (oldKey) queue.add(oldKey);
    }
    if (curRef) {
      const key = resolve(cur);
      if (!key) return;
      queue.add(key);
      // Becoming available takes minReadySeconds after becoming ready: look again then.
      const minReady = rcs.store.get(key)?.spec.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) queue.addAfter(key, minReady * 1000);
      return;
    }
    if (labelsChanged || refChanged) enqueueMatching(cur);
  }

  rcs.addEventHandler({
    onAdd: (rc) => queue.add(metaNamespaceKey(rc)),
    onUpdate: (_old, rc) => queue.add(metaNamespaceKey(rc)),
    onDelete: (rc) => {
      const key = metaNamespaceKey(rc);
      expectations.delete(key);
      queue.add(key);
    },
  });
  pods.addEventHandler({ onAdd: podAdded, onUpdate: podUpdated, onDelete: podGone });

  // ---------------------------------------------------------------- sync

  async function manageReplicas(rc: ReplicationController, key: string, owned: Pod[]): Promise<void> {
    const diff = owned.length - (rc.spec.replicas ?? 1);
    if (diff < 0) {
      const count = Math.min(-diff, burstReplicas);
      expectations.expectCreations(key, count);
      logger.debug({ rc: key, count }, 'creating pods');
      const { successes, error } = await slowStartBatch(count, 1, async () => {
        // false: the namespace is terminating, no pod will ever be observed.
        if (await control.createPod(rc)) created.inc();
        else expectations.creationObserved(key);
      });
      // Creations never attempted (after a failing batch) or failed will never be observed.
      for (let i = successes; i < count; i++) expectations.creationObserved(key);
      if (error !== undefined) {
        throw new ManageError({ reason: 'FailedCreate', message: errorMessage(error) }, error);
      }
    } else if (diff > 0) {
      const victims = podsToDelete(owned, owned, Math.min(diff, burstReplicas));
      expectations.expectDeletions(key, victims.map(podKey));
      logger.debug({ rc: key, count: victims.length }, 'deleting pods');
      let failure: unknown;
      await Promise.all(
        victims.map((pod) =>
          control.deletePod(rc, pod).then(
            () => deleted.inc(),
            (e: unknown) => {
              // The informer will not see a deletion that did not happen.
              expectations.deletionObserved(key, podKey(pod));
              if (!isNotFound(e)) failure ??= e;
            },
          ),
        ),
      );
      if (failure !== undefined) {
        throw new ManageError({ reason: 'FailedDelete', message: errorMessage(failure) }, failure);
      }
    }
  }

  async function writeStatus(rc: ReplicationController, status: ReplicationControllerStatus): Promise<void> {
    if (sameStatus(rc.status, status)) return;
    try {
      // A merge patch of the status subresource: no resourceVersion race with spec changes; a
      // `conditions: null` removes a stale ReplicaFailure.
      await client.replicationControllers.patch(
        rc.metadata.namespace!,
        rc.metadata.name!,
        'merge',
        { status: { ...status, conditions: status.conditions ?? null } },
        { subresource: 'status' },
      );
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async function sync(key: string): Promise<void> {
    const rc = rcs.store.get(key);
    if (!rc) {
      expectations.delete(key);
      return;
    }
    const selectorSet = rc.spec.selector;
    if (!selectorSet || Object.keys(selectorSet).length === 0) {
      logger.warn({ rc: key }, 'replication controller has an empty selector; it would match every pod');
      return;
    }
    // Read before listing pods: an observation landing in between only makes us wait one more round.
    const mayManage = expectations.satisfied(key);
    const active = pods.store.byIndex(namespaceIndex, rc.metadata.namespace ?? '').filter(isPodActive);
    const claim = await claimPods(rc, selectorFromSet(selectorSet), active, control, () =>
      client.replicationControllers.get(rc.metadata.namespace!, rc.metadata.name!),
    );
    if (claim.error !== undefined) throw claim.error;

    let manageError: ManageError | undefined;
    if (mayManage && !rc.metadata.deletionTimestamp) {
      try {
        await manageReplicas(rc, key, claim.owned);
      } catch (e) {
        if (!(e instanceof ManageError)) throw e;
        manageError = e;
      }
    }
    const status = calculateStatus(rc, claim.owned, manageError?.failure, clock.now());
    await writeStatus(rc, status);
    const replicas = rc.spec.replicas ?? 1;
    const minReady = rc.spec.minReadySeconds ?? 0;
    if (
      !manageError &&
      minReady > 0 &&
      status.readyReplicas === replicas &&
      status.availableReplicas !== replicas
    ) {
      queue.addAfter(key, minReady * 1000);
    }
    if (manageError) throw manageError.original;
  }

  return {
    ...queueController({
      name: 'replication',
      parts,
      informers: [rcs, pods],
      workers: options.workers ?? 5,
      sync,
      metricPrefix: 'replication_controller',
    }),
    expectations,
  };
}
