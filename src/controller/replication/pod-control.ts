// The replication controller's writes: pods created from the template (generateName `<rc>-`, a
// controller reference, the template's labels, annotations and spec), pods deleted, and owner
// references patched for adoption and release; each recorded as the Event Kubernetes records.
import type { Pod, ReplicationController } from '../../api/types.js';
import { isNotFound } from '../../client/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { ControllerClient } from '../controller.js';
import { errorMessage, isNamespaceTerminating } from '../errors.js';
import { addOwnerPatch, controllerRefTo, removeOwnersPatch } from '../owners.js';

export const rcKind = 'ReplicationController';

export interface PodControl {
  /** Creates one pod; resolves false when the namespace is terminating (nothing to create into). */
  createPod(rc: ReplicationController): Promise<boolean>;
  deletePod(rc: ReplicationController, pod: Pod): Promise<void>;
  adopt(rc: ReplicationController, pod: Pod): Promise<Pod>;
  release(rc: ReplicationController, pod: Pod): Promise<void>;
}

export function podFromTemplate(rc: ReplicationController): Pod {
  const template = rc.spec.template ?? {};
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rc.metadata.name}-`,
      namespace: rc.metadata.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [controllerRefTo(rc, rcKind)],
    },
    spec: structuredClone(template.spec ?? { containers: [] }),
  };
}

export function createPodControl(client: ControllerClient, recorder: EventRecorder): PodControl {
  return {
    async createPod(rc) {
      const ns = rc.metadata.namespace!;
      let created: Pod;
      try {
        created = await client.pods.create(ns, podFromTemplate(rc));
      } catch (e) {
        if (isNamespaceTerminating(e)) return false;
        recorder.record(rc, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(e)}`);
        throw e;
      }
      recorder.record(rc, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      return true;
    },
    async deletePod(rc, pod) {
      try {
        await client.pods.delete(pod.metadata.namespace!, pod.metadata.name!);
      } catch (e) {
        if (!isNotFound(e))
          recorder.record(rc, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(e)}`);
        throw e;
      }
      recorder.record(rc, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    },
    adopt: (rc, pod) =>
      client.pods.patch(
        pod.metadata.namespace!,
        pod.metadata.name!,
        'strategic',
        addOwnerPatch(pod, controllerRefTo(rc, rcKind)),
      ),
    async release(rc, pod) {
      await client.pods.patch(
        pod.metadata.namespace!,
        pod.metadata.name!,
        'strategic',
        removeOwnersPatch(pod, [rc.metadata.uid!]),
      );
    },
  };
}
