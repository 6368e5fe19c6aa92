// The apiserver's Prometheus metrics, named as Kubernetes names them so existing dashboards apply.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { latencyBucketsSeconds } from '../metrics/registry.js';

export interface ApiServerMetrics {
  requests: Counter<'verb' | 'resource' | 'subresource' | 'code'>;
  requestDuration: Histogram<'verb' | 'resource' | 'subresource'>;
  registeredWatchers: Gauge<'resource'>;
  watchEvents: Counter<'resource'>;
  /** Events the watch cache received from storage, per resource. */
  watchCacheEvents: Counter<'resource'>;
  /** Watchers closed because they could not keep up. */
  watchCacheTerminatedWatchers: Counter<'resource'>;
  /** Event serializations (one per event and format, never per watcher). */
  watchCacheSerializations: Counter<'resource' | 'format'>;
  watchCacheCapacity: Gauge<'resource'>;
  storageObjects: Gauge<'resource'>;
}

export function createApiServerMetrics(registry: Registry): ApiServerMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, resource, subresource and HTTP response code.',
      labelNames: ['verb', 'resource', 'subresource', 'code'],
      registers,
    }),
    requestDuration: new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, resource and subresource.',
      labelNames: ['verb', 'resource', 'subresource'],
      buckets: latencyBucketsSeconds,
      registers,
    }),
    registeredWatchers: new Gauge({
      name: 'apiserver_registered_watchers',
      help: 'Number of currently registered watchers for a given resource.',
      labelNames: ['resource'],
      registers,
    }),
    watchEvents: new Counter({
      name: 'apiserver_watch_events_total',
      help: 'Number of events sent in watch clients.',
      labelNames: ['resource'],
      registers,
    }),
    watchCacheEvents: new Counter({
      name: 'apiserver_watch_cache_events_received_total',
      help: 'Counter of events received in watch cache broken by resource type.',
      labelNames: ['resource'],
      registers,
    }),
    watchCacheTerminatedWatchers: new Counter({
      name: 'apiserver_terminated_watchers_total',
      help: 'Counter of watchers closed due to unresponsiveness broken by resource type.',
      labelNames: ['resource'],
      registers,
    }),
    watchCacheSerializations: new Counter({
      name: 'apiserver_watch_cache_serializations_total',
      help: 'Watch event serializations (once per event and format, shared by every watcher).',
      labelNames: ['resource', 'format'],
      registers,
    }),
    watchCacheCapacity: new Gauge({
      name: 'apiserver_watch_cache_capacity',
      help: 'Total capacity of watch cache broken by resource type.',
      labelNames: ['resource'],
      registers,
    }),
    storageObjects: new Gauge({
      name: 'apiserver_storage_objects',
      help: 'Number of stored objects at the time of last check split by kind.',
      labelNames: ['resource'],
      registers,
    }),
  };
}
