// An informer: Kubernetes' reflector plus an indexed local cache plus event handlers.
//
// It lists once, replaces its store with the result (dispatching adds, updates and deletes for the
// differences on relists), then watches from the list's resourceVersion with bookmarks. A watch that
// ends normally is re-opened from the last resourceVersion seen, without listing again; so is a watch
// whose connection broke. Only when the server says the version is gone (410 Expired) or refuses the
// watch does it list again. Every failure waits on an exponential backoff with jitter (800 ms doubling
// to 30 s by default), reset once a watch has proven healthy.
//
// Dispatch is the hot path: handlers run synchronously, in order, with the decoded object itself (no
// copies; treat it as read-only) and no per-event allocation beyond the store key.

import { isApiError } from '../api/errors.js';
import type { ResourceInfo } from '../api/resources.js';
import type { WatchEvent } from '../api/types.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/log.js';
import { type BackoffOptions, createBackoff, sleep, wakeAfter } from './backoff.js';
import type { ApiObject, ResourceClient } from './resource.js';
import type { CoreResourceTypes, KubeClient } from './rest.js';
import { createStore, type Indexer, metaNamespaceKey, type Store } from './store.js';

export interface EventHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /**
   * `obj` is the object as deleted or, when the deletion was only noticed on a relist
   * (`finalStateUnknown`), the last state this informer saw.
   */
  onDelete?(obj: T, finalStateUnknown: boolean): void;
}

export interface HandlerRegistration {
  remove(): void;
}

export interface InformerOptions<T> {
  /** Namespaced resources: one namespace; omitted = all. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  indexers?: Record<string, Indexer<T>>;
  clock?: Clock;
  logger?: Logger;
  /** Every period, onUpdate(obj, obj) for every cached object. Default 0 = never. */
  resyncPeriodMs?: number;
  /** Relist and reconnect backoff. Default 800 ms doubling to 30 s, jitter 0.5. */
  backoff?: BackoffOptions;
  /** timeoutSeconds of each watch request. Default: random in [300, 600), as client-go. */
  watchTimeoutSeconds?: number;
}

export interface Informer<T> {
  readonly resource: ResourceInfo;
  readonly store: Store<T>;
  /** Lists and watches until the signal aborts; resolves once stopped. Rejects if already running. */
  run(signal: AbortSignal): Promise<void>;
  /** True once the first list has been stored. */
  hasSynced(): boolean;
  /** Resolves true once synced, false if the signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean>;
  /** Registers handlers; when already synced, the handler first receives onAdd for every cached object. */
  addEventHandler(handler: EventHandler<T>): HandlerRegistration;
  addIndexers(indexers: Record<string, Indexer<T>>): void;
  /** The resourceVersion of the last list, event or bookmark processed. */
  lastSyncResourceVersion(): string;
}

/** A healthy watch that ended normally is re-opened at once; one shorter than this, with no events, backs off. */
const minHealthyWatchMs = 1000;

export function createInformer<K extends keyof CoreResourceTypes>(
  client: Pick<KubeClient, 'resource'>,
  resource: K,
  options?: InformerOptions<CoreResourceTypes[K]>,
): Informer<CoreResourceTypes[K]>;
export function createInformer<T extends ApiObject>(
  client: Pick<KubeClient, 'resource'>,
  resource: string | ResourceInfo,
  options?: InformerOptions<T>,
): Informer<T>;
export function createInformer<T extends ApiObject>(
  client: Pick<KubeClient, 'resource'>,
  resource: string | ResourceInfo,
  options: InformerOptions<T> = {},
): Informer<T> {
  const api = client.resource<T>(resource) as ResourceClient<T>;
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? silentLogger).child({ informer: api.info.name });
  const store = createStore<T>(options.indexers);
  const selectors = {
    namespace: options.namespace,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
  };
  let handlers: EventHandler<T>[] = [];
  let synced = false;
  let running = false;
  let lastResourceVersion = '';
  let syncWaiters: Array<() => void> = [];

  const handlerFailed = (e: unknown): void => logger.error({ err: e }, 'informer event handler threw');

  function dispatchAdd(obj: T): void {
    const hs = handlers;
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i]!;
      if (h.onAdd === undefined) continue;
      try {
        h.onAdd(obj);
      } catch (e) {
        handlerFailed(e);
      }
    }
  }

  function dispatchUpdate(oldObj: T, newObj: T): void {
    const hs = handlers;
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i]!;
      if (h.onUpdate === undefined) continue;
      try {
        h.onUpdate(oldObj, newObj);
      } catch (e) {
        handlerFailed(e);
      }
    }
  }

  function dispatchDelete(obj: T, finalStateUnknown: boolean): void {
    const hs = handlers;
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i]!;
      if (h.onDelete === undefined) continue;
      try {
        h.onDelete(obj, finalStateUnknown);
      } catch (e) {
        handlerFailed(e);
      }
    }
  }

  function onWatchEvent(event: WatchEvent<T>): void {
    const obj = event.object;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const old = store.set(metaNamespaceKey(obj), obj);
        if (old === undefined) dispatchAdd(obj);
        else dispatchUpdate(old, obj);
        break;
      }
      case 'DELETED': {
        if (store.delete(metaNamespaceKey(obj)) !== undefined) dispatchDelete(obj, false);
        break;
      }
    }
    const version = obj.metadata?.resourceVersion;
    if (version) lastResourceVersion = version;
  }

  /** Stores a full list, dispatching only what differs from the cache. */
  function replace(items: T[], resourceVersion: string): void {
    const listed = new Set<string>();
    for (const obj of items) {
      const key = metaNamespaceKey(obj);
      listed.add(key);
      const old = store.set(key, obj);
      if (old === undefined) dispatchAdd(obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) dispatchUpdate(old, obj);
    }
    if (store.size > listed.size) {
      for (const key of store.keys()) {
        if (listed.has(key)) continue;
        const gone = store.delete(key)!;
        dispatchDelete(gone, true);
      }
    }
    lastResourceVersion = resourceVersion;
    if (!synced) {
      synced = true;
      const waiters = syncWaiters;
      syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  function scheduleResync(signal: AbortSignal): () => void {
    const period = options.resyncPeriodMs ?? 0;
    if (period <= 0) return () => {};
    const resync = (): void => {
      if (signal.aborted) return;
      for (const obj of store.values()) dispatchUpdate(obj, obj);
      timer = wakeAfter(clock, period, resync);
    };
    let timer = wakeAfter(clock, period, resync);
    return () => timer.cancel();
  }

  const watchTimeoutSeconds = (): number =>
    options.watchTimeoutSeconds ?? Math.floor(300 * (1 + Math.random()));

  async function run(signal: AbortSignal): Promise<void> {
    if (running) throw new Error(`informer for ${api.info.name} is already running`);
    running = true;
    const backoff = createBackoff(options.backoff);
    let cancelResync: (() => void) | undefined;
    try {
      while (!signal.aborted) {
        let list: Awaited<ReturnType<typeof api.list>>;
        try {
          list = await api.list({ ...selectors, signal });
        } catch (e) {
          if (signal.aborted) break;
          logger.warn({ err: e }, 'list failed; backing off');
          await sleep(clock, backoff.next(), signal);
          continue;
        }
        replace(list.items, list.metadata?.resourceVersion ?? '');
        cancelResync ??= scheduleResync(signal);
        await watchUntilRelist(signal, backoff);
      }
    } finally {
      cancelResync?.();
      running = false;
    }
  }

  /** Watches (and re-watches) from the last resourceVersion; returns when a relist is needed or on abort. */
  async function watchUntilRelist(
    signal: AbortSignal,
    backoff: ReturnType<typeof createBackoff>,
  ): Promise<void> {
    while (!signal.aborted) {
      const startedAt = clock.now();
      const end = await api.watch(
        {
          ...selectors,
          resourceVersion: lastResourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: watchTimeoutSeconds(),
          signal,
        },
        onWatchEvent,
      ).done;
      if (signal.aborted || end.reason === 'stopped') return;
      const healthy =
        end.events > 0 || (end.reason === 'closed' && clock.now() - startedAt >= minHealthyWatchMs);
      if (healthy) backoff.reset();
      switch (end.reason) {
        case 'closed':
          if (!healthy) await sleep(clock, backoff.next(), signal);
          continue;
        case 'expired':
          logger.info(
            { resourceVersion: lastResourceVersion, message: end.status.message },
            'watch expired; relisting',
          );
          await sleep(clock, backoff.next(), signal);
          return;
        case 'error':
          if (isApiError(end.error)) {
            // The server refused or aborted the watch: start over from a fresh list.
            logger.warn({ err: end.error }, 'watch failed; relisting');
            await sleep(clock, backoff.next(), signal);
            return;
          }
          // The connection failed: reconnect from where we were; a 410 will tell us if that is too old.
          logger.warn({ err: end.error }, 'watch connection failed; re-watching');
          await sleep(clock, backoff.next(), signal);
          continue;
      }
    }
  }

  return {
    resource: api.info,
    store,
    run,
    hasSynced: () => synced,
    waitForSync(signal) {
      if (synced) return Promise.resolve(true);
      if (signal?.aborted) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const onAbort = (): void => {
          syncWaiters = syncWaiters.filter((w) => w !== done);
          resolve(false);
        };
        const done = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(true);
        };
        syncWaiters.push(done);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    addEventHandler(handler) {
      handlers = [...handlers, handler];
      if (synced && handler.onAdd) {
        for (const obj of store.values()) {
          try {
            handler.onAdd(obj);
          } catch (e) {
            handlerFailed(e);
          }
        }
      }
      return {
        remove() {
          handlers = handlers.filter((h) => h !== handler);
        },
      };
    },
    addIndexers: (indexers) => store.addIndexers(indexers),
    lastSyncResourceVersion: () => lastResourceVersion,
  };
}
