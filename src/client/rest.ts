// The client every component uses to reach the apiserver: `createClient(options)` → KubeClient with
// typed accessors for the seven core resources, a generic accessor for any entry of the resource
// table, and the subresource calls components need (binding, scale, logs).
import { type ResourceInfo, resourceByName } from '../api/resources.js';
import type {
  Endpoints,
  Event,
  KubeObject,
  Namespace,
  Node,
  Pod,
  ReplicationController,
  Scale,
  Service,
  Status,
} from '../api/types.js';
import { resourcePath, withQuery } from './paths.js';
import {
  type ApiObject,
  type ClusterClient,
  clusterScoped,
  createResourceClient,
  type NamespacedClient,
  type RequestOptions,
  type ResourceClient,
  type WriteOptions,
} from './resource.js';
import { type ClientOptions, createTransport, type HttpMethod, type ResponseData } from './transport.js';
import type { Watch, WatchHandler, WatchOptions } from './watch.js';

/** The object type of each core resource, by plural name. */
export interface CoreResourceTypes {
  pods: Pod;
  services: Service;
  replicationcontrollers: ReplicationController;
  endpoints: Endpoints;
  events: Event;
  nodes: Node;
  namespaces: Namespace;
}

export interface PodLogOptions extends RequestOptions {
  container?: string;
  /** Keep the stream open and deliver new lines as they are written. */
  follow?: boolean;
  tailLines?: number;
  timestamps?: boolean;
  sinceSeconds?: number;
  previous?: boolean;
  limitBytes?: number;
}

/** A readable byte stream with undici's body helpers (`text()`, async iteration, `destroy()`). */
export type LogStream = ResponseData['body'];

export interface KubeClient {
  readonly server: string;
  /** Any resource of the table; the namespace argument is ignored for cluster-scoped ones. */
  resource<K extends keyof CoreResourceTypes>(name: K): ResourceClient<CoreResourceTypes[K]>;
  resource<T extends ApiObject = KubeObject>(name: string | ResourceInfo): ResourceClient<T>;
  readonly pods: NamespacedClient<Pod>;
  readonly services: NamespacedClient<Service>;
  readonly replicationControllers: NamespacedClient<ReplicationController>;
  readonly endpoints: NamespacedClient<Endpoints>;
  readonly events: NamespacedClient<Event>;
  readonly nodes: ClusterClient<Node>;
  readonly namespaces: ClusterClient<Namespace>;
  watch<K extends keyof CoreResourceTypes>(
    resource: K,
    options: WatchOptions,
    handler: WatchHandler<CoreResourceTypes[K]>,
  ): Watch;
  /** POST pods/{name}/binding: sets spec.nodeName (how a scheduler binds). `uid` guards against a recreated pod. */
  bind(
    namespace: string,
    podName: string,
    nodeName: string,
    options?: WriteOptions & { uid?: string },
  ): Promise<Status>;
  getScale(namespace: string, rcName: string, options?: RequestOptions): Promise<Scale>;
  /** PATCH replicationcontrollers/{name}/scale with spec.replicas. */
  scale(namespace: string, rcName: string, replicas: number, options?: WriteOptions): Promise<Scale>;
  /** GET pods/{name}/log (text/plain); with `follow` the stream stays open until destroyed or the pod ends. */
  podLogs(namespace: string, podName: string, options?: PodLogOptions): Promise<LogStream>;
  /**
   * Any request by path (with query). JSON answers are parsed, others returned as text, empty ones as
   * undefined. Non-2xx answers throw ApiError like every other call.
   */
  raw<R = unknown>(method: HttpMethod, path: string, body?: unknown, options?: RequestOptions): Promise<R>;
  /** Closes the connection pools (open watches are destroyed). */
  close(): Promise<void>;
}

export function createClient(options: ClientOptions): KubeClient {
  const transport = createTransport(options);
  const accessors = new Map<string, ResourceClient<ApiObject>>();

  function resource<T extends ApiObject>(name: string | ResourceInfo): ResourceClient<T> {
    const info = typeof name === 'string' ? resourceByName(name) : name;
    if (!info) throw new TypeError(`unknown resource "${String(name)}"`);
    let accessor = accessors.get(info.name);
    if (!accessor) {
      accessor = createResourceClient<ApiObject>(transport, info);
      accessors.set(info.name, accessor);
    }
    return accessor as unknown as ResourceClient<T>;
  }

  const pods = resource<Pod>('pods');
  return {
    server: options.server,
    resource,
    pods,
    services: resource<Service>('services'),
    replicationControllers: resource<ReplicationController>('replicationcontrollers'),
    endpoints: resource<Endpoints>('endpoints'),
    events: resource<Event>('events'),
    nodes: clusterScoped(resource<Node>('nodes')),
    namespaces: clusterScoped(resource<Namespace>('namespaces')),
    watch: (name, watchOptions, handler) =>
      resource<ApiObject>(name).watch(watchOptions, handler as WatchHandler<ApiObject>),

    bind(namespace, podName, nodeName, opts) {
      const binding = {
        kind: 'Binding',
        apiVersion: 'v1',
        metadata: { name: podName, namespace, ...(opts?.uid ? { uid: opts.uid } : {}) },
        target: { kind: 'Node', apiVersion: 'v1', name: nodeName },
      };
      const path = withQuery(resourcePath(pods.info, namespace, podName, 'binding'), {
        dryRun: opts?.dryRun ? 'All' : undefined,
        fieldManager: opts?.fieldManager,
      });
      return transport.json<Status>('POST', path, {
        body: binding,
        signal: opts?.signal,
        timeoutMs: opts?.timeoutMs,
      });
    },

    getScale(namespace, rcName, opts) {
      const info = resource('replicationcontrollers').info;
      return transport.json<Scale>('GET', resourcePath(info, namespace, rcName, 'scale'), opts);
    },

    scale(namespace, rcName, replicas, opts) {
      return resource('replicationcontrollers').patch<Scale>(
        namespace,
        rcName,
        'merge',
        { spec: { replicas } },
        { ...opts, subresource: 'scale' },
      );
    },

    async podLogs(namespace, podName, opts = {}) {
      const path = withQuery(resourcePath(pods.info, namespace, podName, 'log'), {
        container: opts.container,
        follow: opts.follow ? 'true' : undefined,
        tailLines: opts.tailLines,
        timestamps: opts.timestamps ? 'true' : undefined,
        sinceSeconds: opts.sinceSeconds,
        previous: opts.previous ? 'true' : undefined,
        limitBytes: opts.limitBytes,
      });
      const response = await transport.send('GET', path, {
        accept: '*/*',
        signal: opts.signal,
        timeoutMs: opts.timeoutMs,
        stream: opts.follow,
      });
      return response.body;
    },

    async raw<R>(method: HttpMethod, path: string, body?: unknown, opts?: RequestOptions): Promise<R> {
      const response = await transport.send(method, path, {
        body,
        accept: 'application/json, */*',
        signal: opts?.signal,
        timeoutMs: opts?.timeoutMs,
      });
      const text = await response.body.text();
      if (text.length === 0) return undefined as R;
      const contentType = String(response.headers['content-type'] ?? '');
      return (contentType.includes('json') ? JSON.parse(text) : text) as R;
    },

    close: () => transport.close(),
  };
}
