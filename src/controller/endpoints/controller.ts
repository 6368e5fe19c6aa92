// The endpoints controller (Kubernetes' pkg/controller/endpoint): for every Service with a selector, an
// Endpoints object of the same name listing the selected pods: ready ones in `addresses`, the others in
// `notReadyAddresses` (publishNotReadyAddresses puts them all in `addresses`), each port resolved from
// the service's targetPort on that pod, packed canonically. Services without a selector are left to
// their users; the Endpoints of a deleted service are deleted.
//
// Pod and service events enqueue the service key at once (an optional batch period delays pod-driven
// syncs to fold bursts); sync(key) recomputes the whole object from the caches and writes only when
// the subsets or labels differ from what is stored.
import { selectorFromSet } from '../../api/labels.js';
import type { EndpointSubset, Endpoints, Pod, Service } from '../../api/types.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import { counterOn } from '../../client/metrics.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import {
  type ControllerOptions,
  controllerParts,
  type QueueController,
  queueController,
} from '../controller.js';
import { isNamespaceTerminating } from '../errors.js';
import { namespaceIndex, namespaceIndexer } from '../indexers.js';
import {
  endpointAddress,
  endpointPort,
  endpointsView,
  findPort,
  servesTraffic,
  shouldPodBeInEndpoints,
} from './pod-endpoints.js';
import { repackSubsets, sameSubsets } from './subsets.js';
import { createTriggerTimes, lastChangeTriggerTimeAnnotation, rfc3339Nano } from './trigger-times.js';

/** Kubernetes labels the Endpoints of a headless service with this (empty-valued) label. */
export const headlessServiceLabel = 'service.kubernetes.io/headless';

/** workers: concurrent syncs (Kubernetes' --concurrent-endpoint-syncs), default 5. */
export interface EndpointsControllerOptions extends ControllerOptions {
  /**
   * Pod-driven syncs wait this long so that a burst of pod changes is written once (Kubernetes'
   * --endpoint-updates-batch-period). Default 0: every change is published at once.
   */
  batchPeriodMs?: number;
}

const hasSelector = (svc: Service | undefined): svc is Service =>
  !!svc?.spec.selector && Object.keys(svc.spec.selector).length > 0;

export function createEndpointsController(options: EndpointsControllerOptions): QueueController {
  const { client } = options;
  const parts = controllerParts('endpoints', 'endpoint', options);
  const { clock, logger, registry, queue } = parts;
  const batchPeriodMs = options.batchPeriodMs ?? 0;
  const triggers = createTriggerTimes();
  const writes = counterOn(
    registry,
    'endpoint_controller_changes_total',
    'Endpoints objects written, by operation.',
    ['operation'],
  );

  const services: Informer<Service> = options.informers.informer('services', {
    indexers: { [namespaceIndex]: namespaceIndexer },
  });
  const pods: Informer<Pod> = options.informers.informer('pods', {
    indexers: { [namespaceIndex]: namespaceIndexer },
  });
  const endpoints: Informer<Endpoints> = options.informers.informer('endpoints');

  // ---------------------------------------------------------------- informer events → keys

  function serviceChanged(svc: Service): void {
    const key = metaNamespaceKey(svc);
    triggers.note(key, clock.now());
    queue.add(key);
  }

  /** The keys of the services (with selectors) in the pod's namespace that select it. */
  function servicesOf(pod: Pod, into: Set<string>): Set<string> {
    for (const svc of services.store.byIndex(namespaceIndex, pod.metadata.namespace ?? '')) {
      if (hasSelector(svc) && selectorFromSet(svc.spec.selector).matches(pod.metadata.labels)) {
        into.add(metaNamespaceKey(svc));
      }
    }
    return into;
  }

  function podChanged(keys: Set<string>): void {
    const now = clock.now();
    for (const key of keys) {
      triggers.note(key, now);
      if (batchPeriodMs > 0) queue.addAfter(key, batchPeriodMs);
      else queue.add(key);
    }
  }

  services.addEventHandler({
    onAdd: serviceChanged,
    onUpdate: (old, svc) => {
      if (old.metadata.resourceVersion !== svc.metadata.resourceVersion) serviceChanged(svc);
    },
    onDelete: serviceChanged,
  });
  pods.addEventHandler({
    onAdd: (pod) => podChanged(servicesOf(pod, new Set())),
    onUpdate: (old, pod) => {
      if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
      const labelsChanged = JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels);
      if (!labelsChanged && endpointsView(old) === endpointsView(pod)) return;
      const keys = servicesOf(pod, new Set());
      if (labelsChanged) servicesOf(old, keys);
      podChanged(keys);
    },
    onDelete: (pod) => podChanged(servicesOf(pod, new Set())),
  });
  // Someone else deleted or changed an Endpoints object we manage: put it back.
  const endpointsTouched = (ep: Endpoints): void => {
    const key = metaNamespaceKey(ep);
    if (hasSelector(services.store.get(key))) queue.add(key);
  };
  endpoints.addEventHandler({ onUpdate: (_old, ep) => endpointsTouched(ep), onDelete: endpointsTouched });

  // ---------------------------------------------------------------- sync

  function desiredSubsets(svc: Service): EndpointSubset[] {
    const selector = selectorFromSet(svc.spec.selector);
    const includeTerminating = svc.spec.publishNotReadyAddresses === true;
    const headless = svc.spec.clusterIP === 'None';
    const ports = svc.spec.ports ?? [];
    const subsets: EndpointSubset[] = [];
    for (const pod of pods.store.byIndex(namespaceIndex, svc.metadata.namespace ?? '')) {
      if (!selector.matches(pod.metadata.labels)) continue;
      if (!shouldPodBeInEndpoints(pod, includeTerminating)) continue;
      const address = endpointAddress(pod, svc);
      const ready = servesTraffic(pod, svc);
      const entry = (port?: EndpointSubset['ports']): EndpointSubset =>
        ready ? { addresses: [address], ports: port } : { notReadyAddresses: [address], ports: port };
      if (ports.length === 0) {
        // A headless service may have no ports: its addresses are still published.
        if (headless) subsets.push(entry());
        continue;
      }
      for (const sp of ports) {
        const number = findPort(pod, sp);
        if (number === undefined) {
          logger.debug({ pod: pod.metadata.name, port: sp.targetPort }, 'service port not found on pod');
          continue;
        }
        subsets.push(entry([endpointPort(sp, number)]));
      }
    }
    return repackSubsets(subsets);
  }

  function desiredLabels(svc: Service): Record<string, string> {
    const labels = { ...(svc.metadata.labels ?? {}) };
    if (svc.spec.clusterIP === 'None') labels[headlessServiceLabel] = '';
    return labels;
  }

  const sameLabels = (a: Record<string, string> | undefined, b: Record<string, string>): boolean => {
    const ea = Object.entries(a ?? {}).sort();
    const eb = Object.entries(b).sort();
    return JSON.stringify(ea) === JSON.stringify(eb);
  };

  async function deleteEndpoints(namespace: string, name: string): Promise<void> {
    try {
      await client.endpoints.delete(namespace, name);
      writes.labels('delete').inc();
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async function sync(key: string): Promise<void> {
    const { namespace = '', name } = splitMetaNamespaceKey(key);
    const svc = services.store.get(key);
    if (!svc) {
      triggers.forget(key);
      await deleteEndpoints(namespace, name);
      return;
    }
    if (!hasSelector(svc)) {
      triggers.forget(key);
      return; // user-managed endpoints
    }
    const trigger = triggers.take(key);
    try {
      const subsets = desiredSubsets(svc);
      const labels = desiredLabels(svc);
      const current = endpoints.store.get(key);
      if (current && sameSubsets(current.subsets, subsets) && sameLabels(current.metadata.labels, labels))
        return;

      const annotations = { ...(current?.metadata.annotations ?? {}) };
      if (trigger !== undefined) annotations[lastChangeTriggerTimeAnnotation] = rfc3339Nano(trigger);
      else delete annotations[lastChangeTriggerTimeAnnotation];
      const next: Endpoints = {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: {
          ...(current?.metadata ?? { name, namespace }),
          labels,
          annotations,
        },
        subsets,
      };
      if (Object.keys(annotations).length === 0) delete next.metadata.annotations;
      if (current) {
        await client.endpoints.update(namespace, next);
        writes.labels('update').inc();
      } else {
        await client.endpoints.create(namespace, next);
        writes.labels('create').inc();
      }
    } catch (e) {
      if (isNamespaceTerminating(e)) return;
      triggers.restore(key, trigger);
      // Created meanwhile (our cache lags): the retry updates it instead.
      if (isAlreadyExists(e))
        logger.debug({ service: key }, 'endpoints already exist; retrying as an update');
      throw e;
    }
  }

  return queueController({
    name: 'endpoints',
    parts,
    informers: [services, pods, endpoints],
    workers: options.workers ?? 5,
    sync,
    metricPrefix: 'endpoint_controller',
  });
}
