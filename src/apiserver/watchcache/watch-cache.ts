// The apiserver's watch cache: every resource's ResourceCache fed by ONE storage watch on
// `/registry/`. One watch (rather than one per resource) gives every cache the store's global
// revision: after any write, of any resource, each cache knows it is current up to that revision, so
// a consistent list ("resourceVersion" unset) only waits for the store's current revision to arrive,
// and bookmarks carry a revision that is true for every resource. Lists and watches are served from
// here; the store is only read for single GETs and writes.
import { ApiError } from '../../api/errors.js';
import { apiVersionOf, type ResourceInfo, storagePrefix } from '../../api/resources.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/log.js';
import type { ApiServerMetrics } from '../metrics.js';
import { isStorageError, type Storage, type StorageEvent, type StorageWatch } from '../storage/types.js';
import { type CacheEvent, WireEvent } from './event.js';
import { ResourceCache } from './resource-cache.js';
import { type Watcher, WriteBatch } from './watcher.js';

export const registryPrefix = '/registry/';

export interface WatchCacheOptions {
  storage: Storage;
  resources: readonly ResourceInfo[];
  /** Events retained per resource. */
  capacity: number;
  clock: Clock;
  metrics: ApiServerMetrics;
  logger: Logger;
  bookmarkIntervalMs: number;
  /** How long a request waits for the cache to reach a resourceVersion. */
  waitTimeoutMs: number;
  /** Delay before re-establishing a failed store watch. */
  restartDelayMs?: number;
}

/** Something that reacts to changes (namespace purger, event expiry, allocators): called after watchers. */
export type ChangeListener = (resource: string, event: CacheEvent) => void;

interface Waiter {
  revision: number;
  resolve(): void;
  timer: TimerHandle;
}

export class WatchCache {
  /** The store revision every cache is current up to. */
  revision = 0;
  ready = false;
  private readonly caches = new Map<string, ResourceCache>();
  private readonly listeners: ChangeListener[] = [];
  private waiters: Waiter[] = [];
  private storeWatch: StorageWatch | undefined;
  private stopped = false;
  private generation = 0;
  private bookmarkTimer: TimerHandle | undefined;
  private readyListeners: Array<() => void> = [];
  private readonly batch = new WriteBatch();
  /** Changes applied to the caches and not yet written to watchers (see onEvents). */
  private pending: Array<{ cache: ResourceCache; change: CacheEvent; revision: number }> = [];
  private flushScheduled = false;
  /** Every watcher has been sent every change up to this revision. */
  private dispatchedRevision = 0;

  constructor(private readonly options: WatchCacheOptions) {}

  cache(resource: string): ResourceCache {
    const cache = this.caches.get(resource);
    if (!cache) throw new Error(`no watch cache for resource ${resource}`);
    return cache;
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /** Runs `fn` now if the caches are synced, else once they are (after every (re)sync). */
  onReady(fn: () => void): void {
    this.readyListeners.push(fn);
    if (this.ready) fn();
  }

  /** Lists every resource at one revision and starts the store watch from it. */
  async start(): Promise<void> {
    const { storage, resources, capacity, clock, metrics, logger } = this.options;
    for (;;) {
      try {
        const revision = await storage.currentRevision();
        const lists = await Promise.all(
          resources.map((r) => storage.list(storagePrefix(r), revision > 0 ? { revision } : {})),
        );
        resources.forEach((resource, i) => {
          let cache = this.caches.get(resource.name);
          if (!cache) {
            cache = new ResourceCache(
              resource,
              {
                capacity,
                metrics,
                now: () => clock.now(),
                onDecodeError: (key, error) =>
                  logger.error({ key, err: error }, 'undecodable object in storage'),
              },
              revision,
            );
            this.caches.set(resource.name, cache);
          }
          cache.replace(lists[i]!.items, revision);
        });
        this.revision = revision;
        this.dispatchedRevision = revision;
        // Events of an earlier (broken) store watch must never reach the rebuilt caches.
        const generation = ++this.generation;
        this.storeWatch = await storage.watch(registryPrefix, revision, {
          onEvents: (events) => {
            if (generation === this.generation) this.onEvents(events);
          },
          onError: (error) => {
            if (generation === this.generation) this.onWatchError(error);
          },
        });
        break;
      } catch (e) {
        if (!isStorageError(e, 'Expired')) throw e;
        // compacted between reading the revision and listing: read again
      }
    }
    this.ready = true;
    this.scheduleBookmarks();
    for (const fn of this.readyListeners) fn();
  }

  stop(): void {
    this.stopped = true;
    this.ready = false;
    this.storeWatch?.close();
    this.storeWatch = undefined;
    this.bookmarkTimer?.cancel();
    for (const cache of this.caches.values()) cache.closeWatchers('shutdown');
    for (const waiter of this.waiters) {
      waiter.timer.cancel();
      waiter.resolve();
    }
    this.waiters = [];
  }

  /** Resolves once the cache has applied every change up to `revision`; 504 Timeout otherwise. */
  waitForRevision(revision: number, timeoutMs = this.options.waitTimeoutMs): Promise<void> {
    if (this.dispatchedRevision >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        revision,
        resolve,
        timer: this.options.clock.setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(
            new ApiError('Timeout', `Too large resource version: ${revision}, current: ${this.revision}`, {
              causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
              retryAfterSeconds: 1,
            }),
          );
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** A consistent read: waits until the cache holds everything the store had when called. */
  async waitUntilFresh(): Promise<number> {
    const revision = await this.options.storage.currentRevision();
    await this.waitForRevision(revision);
    return this.revision;
  }

  /**
   * Applies store events to the caches at once (lists, replays and new watchers see them), and
   * writes them to the existing watchers on the next turn of the event loop: the writes that caused
   * them are acknowledged first, so a write's latency does not grow with the number of watchers.
   * Waiters (consistent reads) resolve after that fan-out.
   */
  private onEvents(events: readonly StorageEvent[]): void {
    for (const event of events) {
      const cache = this.caches.get(resourceOfKey(event.key));
      this.revision = Math.max(this.revision, event.revision);
      if (!cache) continue;
      const change = cache.apply(event);
      if (!change) continue;
      this.pending.push({ cache, change, revision: this.revision });
      for (const listener of this.listeners) {
        try {
          listener(cache.resource.name, change);
        } catch (e) {
          this.options.logger.error({ err: e }, 'watch cache listener failed');
        }
      }
    }
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const generation = this.generation;
    setImmediate(() => {
      this.flushScheduled = false;
      if (generation === this.generation && !this.stopped) this.flushPending();
    });
  }

  /** Writes the pending changes to their watchers, in order; one corked write each when several. */
  private flushPending(): void {
    const pending = this.pending;
    this.pending = [];
    const batch = pending.length > 1 ? this.batch : undefined;
    try {
      for (const { cache, change, revision } of pending) cache.dispatch(change, revision, batch);
    } finally {
      batch?.flush();
    }
    this.dispatchedRevision = this.revision;
    if (this.waiters.length > 0) {
      const due = this.waiters.filter((w) => w.revision <= this.revision);
      if (due.length > 0) {
        this.waiters = this.waiters.filter((w) => w.revision > this.revision);
        for (const waiter of due) {
          waiter.timer.cancel();
          waiter.resolve();
        }
      }
    }
  }

  /**
   * The revision a bookmark for `watcher` may carry: it has received every change up to it (changes
   * waiting for the next fan-out must not be skipped by a client resuming from the bookmark).
   */
  bookmarkRevision(watcher: Watcher): number {
    return Math.max(watcher.revision, this.dispatchedRevision);
  }

  /** The store watch broke: every watcher must relist; rebuild from a fresh list. */
  private onWatchError(error: Error): void {
    if (this.stopped) return;
    this.options.logger.warn({ err: error }, 'storage watch failed; resyncing the watch cache');
    this.ready = false;
    this.generation++;
    this.pending = [];
    this.storeWatch?.close();
    this.storeWatch = undefined;
    this.bookmarkTimer?.cancel();
    for (const cache of this.caches.values()) cache.closeWatchers('reset');
    const retry = () => {
      if (this.stopped) return;
      this.start().catch((e: unknown) => {
        this.options.logger.error({ err: e }, 'watch cache resync failed; retrying');
        this.options.clock.setTimeout(retry, this.options.restartDelayMs ?? 1000);
      });
    };
    this.options.clock.setTimeout(retry, this.options.restartDelayMs ?? 1000);
  }

  /** Idle watchers that allow bookmarks get one every interval, carrying the revision they are at. */
  private scheduleBookmarks(): void {
    const interval = this.options.bookmarkIntervalMs;
    this.bookmarkTimer = this.options.clock.setTimeout(() => {
      if (this.stopped || !this.ready) return;
      const now = this.options.clock.now();
      for (const cache of this.caches.values()) {
        const bytes = new Map<number, WireEvent>();
        for (const watcher of cache.watchers.all()) {
          if (!watcher.init.allowBookmarks || now - watcher.lastWriteMs < interval) continue;
          const revision = this.bookmarkRevision(watcher);
          let bookmark = bytes.get(revision);
          if (!bookmark) bytes.set(revision, (bookmark = bookmarkBytes(cache.resource, revision)));
          watcher.write(bookmark, now);
        }
      }
      this.scheduleBookmarks();
    }, interval);
  }
}

export function bookmarkBytes(
  resource: ResourceInfo,
  revision: number,
  annotations?: Record<string, string>,
): WireEvent {
  const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
  if (annotations) metadata.annotations = annotations;
  const object = { kind: resource.kind, apiVersion: apiVersionOf(resource), metadata };
  return new WireEvent(`{"type":"BOOKMARK","object":${JSON.stringify(object)}}\n`);
}

function resourceOfKey(key: string): string {
  const end = key.indexOf('/', registryPrefix.length);
  return key.slice(registryPrefix.length, end < 0 ? undefined : end);
}
