// Test-only: an in-memory cluster for controller unit tests, in the spirit of client-go's fake
// clientset plus informers. Writes through `client` follow the apiserver's rules that controllers rely
// on (uid, resourceVersion and generateName; 409 on a stale resourceVersion; status-only subresource
// writes; graceful deletion of bound pods; the orphan/foregroundDeletion finalizers of a delete's
// propagationPolicy; removal once the last finalizer goes). Every change becomes a watch event that
// reaches the informers at once, or, with `autoDeliver = false`, only when the test calls deliver():
// a slow watch on demand.
import { ApiError, alreadyExists, conflict, notFound, staleObjectMessage } from '../../api/errors.js';
import { applyPatch } from '../../api/patch/index.js';
import { type ResourceInfo, resourceByName } from '../../api/resources.js';
import type { DeleteOptions, KubeList, KubeObject, Pod } from '../../api/types.js';
import { clusterScoped, type ResourceClient } from '../../client/resource.js';
import type { Indexer } from '../../client/store.js';
import { FakeClock, rfc3339 } from '../../util/clock.js';
import type { ControllerClient, InformerSource } from '../controller.js';
import { createFakeInformer, type FakeInformer } from './fake-informer.js';

export interface Action {
  verb: 'create' | 'update' | 'patch' | 'delete' | 'get';
  resource: string;
  namespace?: string;
  name: string;
  subresource?: string;
  body?: unknown;
}

interface Change {
  resource: string;
  type: 'apply' | 'remove';
  object: KubeObject;
}

export interface FakeCluster {
  readonly clock: FakeClock;
  readonly client: ControllerClient;
  readonly informers: InformerSource;
  /** An informer factory over the fake informers (always synced; start and stop do nothing). */
  readonly factory: InformerSource & { start(signal: AbortSignal): void; stopped(): Promise<void> };
  /** Writes made through `client`, in order. */
  readonly actions: Action[];
  /** When false, changes wait in a queue until deliver(). Default true. */
  autoDeliver: boolean;
  /** Called before every client call; returning an error makes the call fail with it. */
  reactor?: (action: Action) => Error | undefined;
  /** Delivers up to `count` (default all) queued changes to the informers; returns how many. */
  deliver(count?: number): number;
  /** Queued, undelivered changes. */
  pending(): number;
  /** Stores an object as another actor would (kubelet, user): uid and resourceVersion filled in. */
  put<T extends { metadata: KubeObject['metadata'] }>(resource: string, obj: T): T;
  /** Removes an object outright (watchers see it deleted). */
  remove(resource: string, namespace: string | undefined, name: string): void;
  get<T = KubeObject>(resource: string, namespace: string | undefined, name: string): T | undefined;
  list<T = KubeObject>(resource: string): T[];
  /** The informer for a resource (created on first use). */
  informer<T extends KubeObject = KubeObject>(resource: string): FakeInformer<T>;
  /** The actions of one verb (and resource), for assertions. */
  actionsOf(verb: Action['verb'], resource?: string): Action[];
}

const clone = <T>(v: T): T => structuredClone(v);

export function createFakeCluster(clock = new FakeClock()): FakeCluster {
  const objects = new Map<string, Map<string, KubeObject>>();
  const informers = new Map<string, FakeInformer<KubeObject>>();
  const queue: Change[] = [];
  const actions: Action[] = [];
  let revision = 100;
  let uids = 0;
  let names = 0;

  const table = (resource: string): Map<string, KubeObject> => {
    let t = objects.get(resource);
    if (!t) objects.set(resource, (t = new Map()));
    return t;
  };
  const info = (resource: string): ResourceInfo => {
    const i = resourceByName(resource);
    if (!i) throw new Error(`fake cluster: unknown resource ${resource}`);
    return i;
  };
  const keyOf = (resource: string, namespace: string | undefined, name: string): string =>
    info(resource).namespaced ? `${namespace ?? ''}/${name}` : name;

  function informer<T extends KubeObject>(resource: string): FakeInformer<T> {
    let i = informers.get(resource);
    if (!i) {
      i = createFakeInformer<KubeObject>(info(resource));
      for (const obj of table(resource).values()) i.apply(clone(obj));
      informers.set(resource, i);
    }
    return i as unknown as FakeInformer<T>;
  }

  function emit(change: Change): void {
    queue.push(change);
    if (cluster.autoDeliver) cluster.deliver();
  }

  function store(resource: string, obj: KubeObject): KubeObject {
    obj.metadata.resourceVersion = String(++revision);
    const saved = clone(obj);
    table(resource).set(keyOf(resource, obj.metadata.namespace, obj.metadata.name!), saved);
    emit({ resource, type: 'apply', object: clone(saved) });
    return clone(saved);
  }

  function drop(resource: string, obj: KubeObject): KubeObject {
    table(resource).delete(keyOf(resource, obj.metadata.namespace, obj.metadata.name!));
    const gone = clone(obj);
    gone.metadata.resourceVersion = String(++revision);
    emit({ resource, type: 'remove', object: gone });
    return clone(gone);
  }

  function check(action: Action): void {
    actions.push(action);
    const e = cluster.reactor?.(action);
    if (e) throw e;
  }

  function current(resource: string, namespace: string | undefined, name: string): KubeObject {
    const obj = table(resource).get(keyOf(resource, namespace, name));
    if (!obj) throw notFound(resource, name);
    return obj;
  }

  /** Replaces `old` by `next` following update rules; drops it when deletion has nothing left to wait for. */
  function replace(resource: string, old: KubeObject, next: KubeObject, subresource?: string): KubeObject {
    const rv = next.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion)
      throw conflict(resource, old.metadata.name!, staleObjectMessage);
    let result: KubeObject;
    if (subresource === 'status') {
      result = { ...clone(old), status: clone(next.status) };
    } else {
      result = { ...clone(next), metadata: { ...clone(next.metadata) } };
      const m = result.metadata;
      m.uid = old.metadata.uid;
      m.creationTimestamp = old.metadata.creationTimestamp;
      m.deletionTimestamp = old.metadata.deletionTimestamp;
      m.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      if (m.deletionTimestamp === undefined) delete m.deletionTimestamp;
      if (m.deletionGracePeriodSeconds === undefined) delete m.deletionGracePeriodSeconds;
      result.status = clone(old.status);
      if (result.status === undefined) delete result.status;
      const spec = (o: KubeObject) => JSON.stringify({ ...o, metadata: undefined, status: undefined });
      m.generation = (old.metadata.generation ?? 1) + (spec(result) !== spec(old) ? 1 : 0);
    }
    const meta = result.metadata;
    if (meta.deletionTimestamp && (meta.finalizers ?? []).length === 0 && !meta.deletionGracePeriodSeconds) {
      return drop(resource, result);
    }
    return store(resource, result);
  }

  function gracePeriod(resource: string, obj: KubeObject, options: DeleteOptions): number {
    if (resource !== 'pods') return 0;
    const pod = obj as unknown as Pod;
    if (!pod.spec?.nodeName) return 0;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
    return options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  }

  function remove(resource: string, namespace: string | undefined, name: string, options: DeleteOptions) {
    const old = current(resource, namespace, name);
    if (options.preconditions?.uid && options.preconditions.uid !== old.metadata.uid) {
      throw conflict(resource, name, 'Precondition failed: UID mismatch');
    }
    const finalizers = [...(old.metadata.finalizers ?? [])];
    const policy = options.propagationPolicy;
    if (!old.metadata.deletionTimestamp) {
      if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
      if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion'))
        finalizers.push('foregroundDeletion');
    }
    const grace = gracePeriod(resource, old, options);
    const previous = old.metadata.deletionGracePeriodSeconds;
    if (grace === 0 && finalizers.length === 0) return drop(resource, old);
    if (old.metadata.deletionTimestamp && (previous === undefined || grace >= previous)) return clone(old);
    const next = clone(old);
    next.metadata.finalizers = finalizers;
    if (finalizers.length === 0) delete next.metadata.finalizers;
    next.metadata.deletionTimestamp = rfc3339(clock.now() + grace * 1000);
    next.metadata.deletionGracePeriodSeconds = grace;
    return store(resource, next);
  }

  function resourceClient(resource: string): ResourceClient<KubeObject> {
    const i = info(resource);
    return {
      info: i,
      async get(namespace, name) {
        check({ verb: 'get', resource, namespace, name });
        return clone(current(resource, namespace, name));
      },
      async list() {
        return {
          metadata: { resourceVersion: String(revision) },
          items: [...table(resource).values()].map(clone),
        };
      },
      async create(namespace, obj) {
        const o = clone(obj);
        o.metadata.namespace = i.namespaced ? namespace || o.metadata.namespace : undefined;
        if (!o.metadata.name && o.metadata.generateName) {
          o.metadata.name = `${o.metadata.generateName}${(++names).toString(36).padStart(5, '0')}`;
        }
        check({ verb: 'create', resource, namespace: o.metadata.namespace, name: o.metadata.name!, body: o });
        if (table(resource).has(keyOf(resource, o.metadata.namespace, o.metadata.name!))) {
          throw alreadyExists(resource, o.metadata.name!);
        }
        o.kind ??= i.kind;
        o.apiVersion ??= 'v1';
        o.metadata.uid = `uid-${++uids}`;
        o.metadata.creationTimestamp = rfc3339(clock.now());
        o.metadata.generation = 1;
        return store(resource, o);
      },
      async update(namespace, obj) {
        check({ verb: 'update', resource, namespace, name: obj.metadata.name!, body: obj });
        return replace(resource, current(resource, namespace, obj.metadata.name!), obj);
      },
      async updateStatus(namespace, obj) {
        const name = obj.metadata.name!;
        check({ verb: 'update', resource, namespace, name, subresource: 'status', body: obj });
        return replace(resource, current(resource, namespace, name), obj, 'status');
      },
      async patch(namespace, name, type, body, options) {
        const subresource = options?.subresource;
        check({ verb: 'patch', resource, namespace, name, subresource, body });
        const old = current(resource, namespace, name);
        const patched = applyPatch(type, i.kind, clone(old), body) as KubeObject;
        return replace(resource, old, patched, subresource) as never;
      },
      async delete(namespace, name, options = {}) {
        check({ verb: 'delete', resource, namespace, name, body: options });
        return remove(resource, namespace, name, options as DeleteOptions);
      },
      async deleteCollection(): Promise<KubeList<KubeObject>> {
        throw new ApiError('MethodNotAllowed', 'fake cluster: deleteCollection is not supported');
      },
      watch() {
        throw new Error('fake cluster: use informers, not watch');
      },
    };
  }

  const clients = new Map<string, ResourceClient<KubeObject>>();
  const resource = (name: string | ResourceInfo) => {
    const n = typeof name === 'string' ? name : name.name;
    let c = clients.get(n);
    if (!c) clients.set(n, (c = resourceClient(n)));
    return c;
  };
  const client = {
    resource,
    pods: resource('pods'),
    services: resource('services'),
    replicationControllers: resource('replicationcontrollers'),
    endpoints: resource('endpoints'),
    events: resource('events'),
    nodes: clusterScoped(resource('nodes')),
  } as unknown as ControllerClient;

  const informerSource: InformerSource = {
    informer: ((name: string, opts?: { indexers?: Record<string, Indexer<KubeObject>> }) => {
      const i = informer(name);
      if (opts?.indexers) i.addIndexers(opts.indexers);
      return i;
    }) as unknown as InformerSource['informer'],
  };
  const cluster: FakeCluster = {
    clock,
    client,
    informers: informerSource,
    factory: { ...informerSource, start: () => {}, stopped: async () => {} },
    actions,
    autoDeliver: true,
    deliver(count = Number.POSITIVE_INFINITY) {
      let n = 0;
      while (n < count && queue.length > 0) {
        const change = queue.shift()!;
        const i = informers.get(change.resource);
        if (i) {
          if (change.type === 'apply') i.apply(change.object);
          else i.remove(change.object);
        }
        n++;
      }
      return n;
    },
    pending: () => queue.length,
    put(resourceName, obj) {
      const o = clone(obj) as unknown as KubeObject;
      const old = table(resourceName).get(keyOf(resourceName, o.metadata.namespace, o.metadata.name!));
      o.kind ??= info(resourceName).kind;
      o.apiVersion ??= 'v1';
      o.metadata.uid ??= old?.metadata.uid ?? `uid-${++uids}`;
      o.metadata.creationTimestamp ??= old?.metadata.creationTimestamp ?? rfc3339(clock.now());
      o.metadata.generation ??= old?.metadata.generation ?? 1;
      return store(resourceName, o) as unknown as typeof obj;
    },
    remove(resourceName, namespace, name) {
      const old = table(resourceName).get(keyOf(resourceName, namespace, name));
      if (old) drop(resourceName, old);
    },
    get: (resourceName, namespace, name) => {
      const o = table(resourceName).get(keyOf(resourceName, namespace, name));
      return (o ? clone(o) : undefined) as never;
    },
    list: (resourceName) => [...table(resourceName).values()].map(clone) as never,
    informer: (name) => informer(name) as never,
    actionsOf: (verb, resourceName) =>
      actions.filter((a) => a.verb === verb && (resourceName === undefined || a.resource === resourceName)),
  };
  return cluster;
}
