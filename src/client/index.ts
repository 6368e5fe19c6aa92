// kubelite's client library: the only way components other than the apiserver reach the API.
//
//   const client = createClient({ server: 'http://127.0.0.1:6443', token });
//   await client.pods.create('default', pod);                 // typed accessors: pods, services,
//   await client.nodes.get('node-1');                         //   replicationControllers, endpoints,
//   await client.resource('pods').list({ labelSelector });    //   events (namespaced); nodes, namespaces
//   await client.bind('default', 'web-1', 'node-1');          // pods/{name}/binding
//   await client.scale('default', 'web', 3);                  // replicationcontrollers/{name}/scale
//
//   const factory = createInformerFactory(client);            // one list+watch per resource+selectors
//   const pods = factory.informer('pods', { indexers: { node: (p) => [p.spec.nodeName ?? ''] } });
//   const queue = createWorkQueue({ name: 'rc' });
//   pods.addEventHandler({ onAdd: (p) => queue.add(metaNamespaceKey(p)), … });
//   factory.start(signal); await factory.waitForSync(signal);
//   await runWorkers(queue, 4, sync, signal);
//
// Errors: non-2xx answers throw ApiError (src/api/errors.ts) with the server's reason, code and details;
// test them with isNotFound / isConflict / isAlreadyExists / isExpired. Transport failures (refused,
// reset, timeouts) are undici / Node errors and are not ApiErrors.

export { type Backoff, type BackoffOptions, createBackoff, sleep } from './backoff.js';
export {
  apiErrorFromResponse,
  apiErrorFromStatus,
  isAlreadyExists,
  isConflict,
  isExpired,
  isInvalid,
  isNotFound,
  isStatus,
} from './errors.js';
export {
  createEventRecorder,
  type EventRecorder,
  type EventRecorderOptions,
  type EventType,
  objectReference,
} from './events.js';
export {
  createInformer,
  type EventHandler,
  type HandlerRegistration,
  type Informer,
  type InformerOptions,
} from './informer.js';
export {
  createInformerFactory,
  type InformerFactoryOptions,
  type SharedInformerFactory,
  type SharedInformerOptions,
} from './informer-factory.js';
export {
  clientOptionsFromKubeconfig,
  defaultKubeconfigPath,
  type Kubeconfig,
  loadKubeconfig,
  type WriteKubeconfigOptions,
  writeKubeconfig,
} from './kubeconfig.js';
export { resourcePath, withQuery } from './paths.js';
export type {
  ApiObject,
  ClusterClient,
  DeleteCollectionOptions,
  DeleteRequestOptions,
  GetOptions,
  ListOptions,
  NamespacedClient,
  PatchOptions,
  PatchType,
  RequestOptions,
  ResourceClient,
  SelectorOptions,
  WriteOptions,
} from './resource.js';
export {
  type CoreResourceTypes,
  createClient,
  type KubeClient,
  type LogStream,
  type PodLogOptions,
} from './rest.js';
export { type RetryOptions, retryOnConflict } from './retry.js';
export {
  createStore,
  type Indexer,
  type MutableStore,
  metaNamespaceKey,
  namespaceIndex,
  namespaceIndexer,
  type Store,
  splitMetaNamespaceKey,
} from './store.js';
export type { ClientOptions, HttpMethod, TlsOptions } from './transport.js';
export type { Watch, WatchEnd, WatchEndReason, WatchHandler, WatchOptions } from './watch.js';
export { WatchDecodeError, WatchDecoder } from './watch-decoder.js';
export { type RunWorkersOptions, runWorkers } from './workers.js';
export { createWorkQueue, type WorkQueue, type WorkQueueOptions } from './workqueue.js';
