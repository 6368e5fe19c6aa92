// Typed access to one resource of the table: get, list, create, update, updateStatus, patch, delete,
// deleteCollection and watch. The generic form takes the namespace first on every object call (ignored
// for cluster-scoped resources); `clusterScoped()` wraps it into the namespace-free shape used for
// nodes and namespaces.
import type { ResourceInfo } from '../api/resources.js';
import type { DeleteOptions, KubeList, ObjectMeta, Status, TypeMeta } from '../api/types.js';
import { type QueryValue, resourcePath, withQuery } from './paths.js';
import type { Transport } from './transport.js';
import { startWatch, type Watch, type WatchHandler, type WatchOptions } from './watch.js';

/** What every API object has: the bound on the type parameter of every accessor. */
export interface ApiObject extends TypeMeta {
  metadata: ObjectMeta;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the client's timeoutMs. */
  timeoutMs?: number;
}

export interface GetOptions extends RequestOptions {
  resourceVersion?: string;
}

export interface SelectorOptions {
  /** Namespaced resources: one namespace; omitted = all namespaces. Ignored for cluster-scoped ones. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListOptions extends SelectorOptions, RequestOptions {
  /** "" (default) = most recent, read through; "0" = any cached version. */
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  limit?: number;
  continue?: string;
  timeoutSeconds?: number;
}

export interface WriteOptions extends RequestOptions {
  /** `dryRun=All`: validated and answered, nothing saved. */
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

/** json = RFC 6902 (body: an operation array), merge = RFC 7386, strategic, apply (server-side apply). */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface PatchOptions extends WriteOptions {
  /** e.g. "status" or "scale". */
  subresource?: string;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
}

/** The DeleteOptions body (propagationPolicy, gracePeriodSeconds, preconditions, …) plus request options. */
export interface DeleteRequestOptions extends Omit<DeleteOptions, 'dryRun'>, WriteOptions {}

export interface DeleteCollectionOptions extends Omit<SelectorOptions, 'namespace'>, DeleteRequestOptions {}

export const patchContentTypes: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/**
 * One resource. `N` is the namespace parameter: `string` for namespaced resources (NamespacedClient),
 * `string | undefined` for the generic accessor, where it is ignored for cluster-scoped resources.
 */
export interface ResourceClient<T extends ApiObject, N extends string | undefined = string | undefined> {
  readonly info: ResourceInfo;
  get(namespace: N, name: string, options?: GetOptions): Promise<T>;
  /** Items lacking kind/apiVersion (Kubernetes omits them in lists) get them filled in. */
  list(options?: ListOptions): Promise<KubeList<T>>;
  /** The namespace falls back to obj.metadata.namespace when empty. */
  create(namespace: N, obj: T, options?: WriteOptions): Promise<T>;
  /** PUT; a stale metadata.resourceVersion fails with Conflict (see retryOnConflict). */
  update(namespace: N, obj: T, options?: WriteOptions): Promise<T>;
  /** PUT …/status: only .status changes. */
  updateStatus(namespace: N, obj: T, options?: WriteOptions): Promise<T>;
  patch<R = T>(
    namespace: N,
    name: string,
    type: PatchType,
    body: unknown,
    options?: PatchOptions,
  ): Promise<R>;
  /** The deleted object (or, from some servers, a Success Status). */
  delete(namespace: N, name: string, options?: DeleteRequestOptions): Promise<T | Status>;
  deleteCollection(namespace: N, options?: DeleteCollectionOptions): Promise<KubeList<T> | Status>;
  watch(options: WatchOptions, handler: WatchHandler<T>): Watch;
}

export type NamespacedClient<T extends ApiObject> = ResourceClient<T, string>;

/** A cluster-scoped resource (nodes, namespaces): the same verbs without a namespace. */
export interface ClusterClient<T extends ApiObject> {
  readonly info: ResourceInfo;
  get(name: string, options?: GetOptions): Promise<T>;
  list(options?: Omit<ListOptions, 'namespace'>): Promise<KubeList<T>>;
  create(obj: T, options?: WriteOptions): Promise<T>;
  update(obj: T, options?: WriteOptions): Promise<T>;
  updateStatus(obj: T, options?: WriteOptions): Promise<T>;
  patch<R = T>(name: string, type: PatchType, body: unknown, options?: PatchOptions): Promise<R>;
  delete(name: string, options?: DeleteRequestOptions): Promise<T | Status>;
  deleteCollection(options?: DeleteCollectionOptions): Promise<KubeList<T> | Status>;
  watch(options: Omit<WatchOptions, 'namespace'>, handler: WatchHandler<T>): Watch;
}

function writeQuery(options: WriteOptions | undefined): Record<string, QueryValue> {
  if (!options) return {};
  return {
    dryRun: options.dryRun ? 'All' : undefined,
    fieldManager: options.fieldManager,
    fieldValidation: options.fieldValidation,
  };
}

/** The DeleteOptions body alone: request-only fields (signal, timeout, query flags, selectors) removed. */
function deleteBody(options: DeleteRequestOptions & Partial<SelectorOptions>): DeleteOptions {
  const {
    signal: _signal,
    timeoutMs: _timeoutMs,
    dryRun,
    fieldManager: _fm,
    fieldValidation: _fv,
    labelSelector: _ls,
    fieldSelector: _fs,
    namespace: _ns,
    ...body
  } = options;
  return {
    kind: 'DeleteOptions',
    apiVersion: 'v1',
    ...body,
    ...(dryRun ? { dryRun: ['All'] } : {}),
  };
}

export function createResourceClient<T extends ApiObject>(
  transport: Transport,
  info: ResourceInfo,
): ResourceClient<T> {
  const objectPath = (
    namespace: string | undefined,
    name: string | undefined,
    subresource?: string,
  ): string => {
    if (!name) throw new TypeError(`${info.name}: an object name is required`);
    if (info.namespaced && !namespace) throw new TypeError(`${info.name} "${name}": a namespace is required`);
    return resourcePath(info, namespace, name, subresource);
  };
  const put = async (
    namespace: string | undefined,
    obj: T,
    subresource: string | undefined,
    options?: WriteOptions,
  ) =>
    transport.json<T>(
      'PUT',
      withQuery(
        objectPath(namespace || obj.metadata.namespace, obj.metadata.name, subresource),
        writeQuery(options),
      ),
      { body: obj, signal: options?.signal, timeoutMs: options?.timeoutMs },
    );

  return {
    info,
    async get(namespace, name, options) {
      return transport.json<T>(
        'GET',
        withQuery(objectPath(namespace, name), { resourceVersion: options?.resourceVersion }),
        { signal: options?.signal, timeoutMs: options?.timeoutMs },
      );
    },
    async list(options = {}) {
      const path = withQuery(resourcePath(info, options.namespace), {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        resourceVersion: options.resourceVersion,
        resourceVersionMatch: options.resourceVersionMatch,
        limit: options.limit,
        continue: options.continue,
        timeoutSeconds: options.timeoutSeconds,
      });
      const list = await transport.json<KubeList<T>>('GET', path, {
        signal: options.signal,
        timeoutMs: options.timeoutMs,
      });
      const items = list.items ?? (list.items = []);
      for (const item of items) {
        if (item.kind === undefined) {
          item.kind = info.kind;
          item.apiVersion = info.group === '' ? info.version : `${info.group}/${info.version}`;
        }
      }
      return list;
    },
    async create(namespace, obj, options) {
      const ns = namespace || obj.metadata.namespace;
      if (info.namespaced && !ns) throw new TypeError(`${info.name}: a namespace is required to create`);
      return transport.json<T>('POST', withQuery(resourcePath(info, ns), writeQuery(options)), {
        body: obj,
        signal: options?.signal,
        timeoutMs: options?.timeoutMs,
      });
    },
    update: (namespace, obj, options) => put(namespace, obj, undefined, options),
    updateStatus: (namespace, obj, options) => put(namespace, obj, 'status', options),
    async patch<R>(
      namespace: string | undefined,
      name: string,
      type: PatchType,
      body: unknown,
      options?: PatchOptions,
    ) {
      const path = withQuery(objectPath(namespace, name, options?.subresource), {
        ...writeQuery(options),
        force: options?.force ? 'true' : undefined,
      });
      return transport.json<R>('PATCH', path, {
        body,
        contentType: patchContentTypes[type],
        signal: options?.signal,
        timeoutMs: options?.timeoutMs,
      });
    },
    async delete(namespace, name, options = {}) {
      return transport.json<T | Status>('DELETE', objectPath(namespace, name), {
        body: deleteBody(options),
        signal: options.signal,
        timeoutMs: options.timeoutMs,
      });
    },
    deleteCollection(namespace, options = {}) {
      const path = withQuery(resourcePath(info, namespace), {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      });
      return transport.json<KubeList<T> | Status>('DELETE', path, {
        body: deleteBody(options),
        signal: options.signal,
        timeoutMs: options.timeoutMs,
      });
    },
    watch: (options, handler) => startWatch(transport, info, options, handler),
  };
}

/** The namespace-free view of a cluster-scoped resource. */
export function clusterScoped<T extends ApiObject>(inner: ResourceClient<T>): ClusterClient<T> {
  return {
    info: inner.info,
    get: (name, options) => inner.get(undefined, name, options),
    list: (options) => inner.list(options),
    create: (obj, options) => inner.create(undefined, obj, options),
    update: (obj, options) => inner.update(undefined, obj, options),
    updateStatus: (obj, options) => inner.updateStatus(undefined, obj, options),
    patch: (name, type, body, options) => inner.patch(undefined, name, type, body, options),
    delete: (name, options) => inner.delete(undefined, name, options),
    deleteCollection: (options) => inner.deleteCollection(undefined, options),
    watch: (options, handler) => inner.watch(options, handler),
  };
}
