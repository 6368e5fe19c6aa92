import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseFieldSelector } from '../../api/fields.js';
import { parseLabelSelector } from '../../api/labels.js';
import { resourceByName, storageKey } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { createRegistry } from '../../metrics/registry.js';
import { FakeClock } from '../../util/clock.js';
import { silentLogger } from '../../util/log.js';
import { type ApiServerMetrics, createApiServerMetrics } from '../metrics.js';
import { encodeObject } from '../registry/codec.js';
import { createMemoryStorage } from '../storage/memory/memory-store.js';
import type { Storage, StorageEvent, WatchHandlers } from '../storage/types.js';
import { eventBytes, jsonFormat, type WireEvent } from './event.js';
import type { ObjectFilter } from './filter.js';
import { WatchCache } from './watch-cache.js';
import { type CloseReason, Watcher, type WatchSink, WriteBatch } from './watcher.js';
import { indexKeyOf } from './watcher-index.js';

const pods = resourceByName('pods')!;

class FakeSink implements WatchSink {
  chunks: string[] = [];
  wire: WireEvent[] = [];
  writableLength = 0;
  ended = false;
  destroyed = false;
  /** Bytes "stuck" in the socket: when set, writes add to writableLength. */
  stalled = false;
  /** cork, write NAME, uncork, end, destroy — in order. */
  ops: string[] = [];
  cork() {
    this.ops.push('cork');
  }
  uncork() {
    this.ops.push('uncork');
  }
  write(event: WireEvent) {
    this.ops.push(`write ${JSON.parse(event.line.toString()).object.metadata.name}`);
    this.wire.push(event);
    this.chunks.push(event.line.toString());
    if (this.stalled) this.writableLength += event.chunk.length;
  }
  end() {
    this.ops.push('end');
    this.ended = true;
  }
  destroy() {
    this.ops.push('destroy');
    this.destroyed = true;
  }
  events(): Array<{ type: string; object: KubeObject }> {
    return this.chunks.map((c) => JSON.parse(c));
  }
}

/** `inner` with its watch handlers passed through `wrap` (to capture or hold back events). */
function interceptWatch(inner: Storage, wrap: (h: WatchHandlers) => WatchHandlers): Storage {
  return {
    ...inner,
    currentRevision: () => inner.currentRevision(),
    get: (k) => inner.get(k),
    list: (p, o) => inner.list(p, o),
    close: () => inner.close(),
    watch: (prefix, from, h) => inner.watch(prefix, from, wrap(h)),
  } as Storage;
}

/** `inner` whose watch events a test holds back (hold, release) and hands to the cache itself (deliver). */
function holdingWatch(inner: Storage) {
  let held: StorageEvent[] | undefined;
  let handlers: WatchHandlers | undefined;
  const storage = interceptWatch(inner, (h) => {
    handlers = h;
    return {
      onEvents: (events) => (held ? held.push(...events) : h.onEvents(events)),
      onError: (e) => h.onError(e),
    };
  });
  return {
    storage,
    hold: () => {
      held = [];
    },
    /** Stops holding; resolves with what was held once the store has sent its events. */
    release: async (): Promise<StorageEvent[]> => {
      await new Promise((r) => setTimeout(r, 20));
      const events = held ?? [];
      held = undefined;
      return events;
    },
    deliver: (events: StorageEvent[]) => handlers!.onEvents(events),
  };
}

function pod(
  name: string,
  opts: { ns?: string; labels?: Record<string, string>; node?: string } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.ns ?? 'default', labels: opts.labels },
    spec: { containers: [{ name: 'c', image: 'busybox' }], nodeName: opts.node },
  };
}

function filter(
  opts: Partial<{ namespace: string; labels: string; fields: string; name: string }> = {},
): ObjectFilter {
  return {
    namespace: opts.namespace ?? '',
    name: opts.name ?? '',
    labelSelector: parseLabelSelector(opts.labels ?? ''),
    fieldSelector: parseFieldSelector(opts.fields ?? ''),
  };
}

describe('WatchCache', () => {
  let storage: Storage;
  let clock: FakeClock;
  let metrics: ApiServerMetrics;
  let cache: WatchCache;

  async function start(capacity = 100) {
    cache = new WatchCache({
      storage,
      resources: [pods, resourceByName('services')!],
      capacity,
      clock,
      metrics,
      logger: silentLogger,
      bookmarkIntervalMs: 10_000,
      waitTimeoutMs: 2_000,
    });
    await cache.start();
  }

  async function put(obj: KubeObject): Promise<number> {
    const key = storageKey(pods, obj.metadata.namespace, obj.metadata.name!);
    const current = await storage.get(key);
    const result = current
      ? await storage.update(key, encodeObject(obj), current.modRevision)
      : await storage.create(key, encodeObject(obj));
    if (!result.ok) throw new Error(`write failed: ${result.reason}`);
    await cache.waitForRevision(result.revision);
    return result.revision;
  }

  async function remove(name: string, ns = 'default'): Promise<number> {
    const result = await storage.delete(storageKey(pods, ns, name));
    if (!result.ok) throw new Error('delete failed');
    await cache.waitForRevision(result.revision);
    return result.revision;
  }

  function watch(
    f: ObjectFilter,
    from: number | undefined,
    allowBookmarks = false,
    maxBufferBytes = 1 << 20,
  ) {
    const sink = new FakeSink();
    const watcher = new Watcher(
      {
        resource: 'pods',
        filter: f,
        format: jsonFormat,
        allowBookmarks,
        maxBufferBytes,
        indexKey: indexKeyOf('pods', f),
      },
      sink,
    );
    const closed: CloseReason[] = [];
    const ok = cache.cache('pods').addWatcher(watcher, from, cache.revision);
    watcher.onClose((r) => closed.push(r));
    return { sink, watcher, ok, closed };
  }

  beforeEach(() => {
    storage = createMemoryStorage();
    clock = new FakeClock();
    metrics = createApiServerMetrics(createRegistry({ component: 'test' }));
  });

  afterEach(async () => {
    cache?.stop();
    await storage.close();
  });

  it('lists what storage holds at start and sends synthetic ADDED events, then changes in order', async () => {
    await storage.create(storageKey(pods, 'default', 'a'), encodeObject(pod('a')));
    await storage.create(storageKey(pods, 'other', 'b'), encodeObject(pod('b', { ns: 'other' })));
    await start();
    expect(cache.cache('pods').objects.size).toBe(2);
    const w = watch(filter({ namespace: 'default' }), undefined);
    expect(w.sink.events().map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'a']]);
    await put(pod('c'));
    await put({ ...pod('a'), metadata: { ...pod('a').metadata, labels: { x: '1' } } });
    await remove('c');
    await put(pod('d', { ns: 'other' }));
    expect(w.sink.events().map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'a'],
      ['ADDED', 'c'],
      ['MODIFIED', 'a'],
      ['DELETED', 'c'],
    ]);
    const rvs = w.sink
      .events()
      .slice(1)
      .map((e) => Number(e.object.metadata.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((x, y) => x - y));
  });

  it('resumes from a resourceVersion with exactly the events after it', async () => {
    await start();
    const r1 = await put(pod('a'));
    const r2 = await put(pod('b'));
    await remove('a');
    const w = watch(filter(), r1);
    expect(w.ok).toBe(true);
    expect(w.sink.events().map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'b'],
      ['DELETED', 'a'],
    ]);
    const deleted = w.sink.events()[1]!;
    expect(Number(deleted.object.metadata.resourceVersion)).toBeGreaterThan(r2);
    const latest = watch(filter(), cache.revision);
    expect(latest.sink.chunks).toEqual([]);
  });

  it('refuses a resourceVersion older than the window (the client gets 410 and relists)', async () => {
    await start(3);
    const first = await put(pod('a'));
    for (const name of ['b', 'c', 'd', 'e']) await put(pod(name));
    expect(watch(filter(), first).ok).toBe(false);
    const floor = cache.cache('pods').ring.oldestResumableRevision;
    expect(floor).toBeGreaterThan(first);
    expect(watch(filter(), floor).ok).toBe(true);
    // the revision a list would return (the cache's) is always resumable
    expect(watch(filter(), cache.revision).ok).toBe(true);
  });

  it('turns selector transitions into ADDED and DELETED for the watcher', async () => {
    await start();
    await put(pod('a'));
    const w = watch(filter({ labels: 'app=web' }), cache.revision);
    await put(pod('a', { labels: { app: 'web' } }));
    await put(pod('a', { labels: { app: 'web', v: '2' } }));
    const rv = await put(pod('a', { labels: { app: 'db' } }));
    const events = w.sink.events();
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    // DELETED carries the last matching object, at the revision of the change
    expect(events[2]!.object.metadata.labels).toEqual({ app: 'web', v: '2' });
    expect(events[2]!.object.metadata.resourceVersion).toBe(String(rv));
  });

  it('indexes pod watchers by spec.nodeName and moves a pod between node watchers on binding', async () => {
    await start();
    const nodes = Array.from({ length: 50 }, (_, i) =>
      watch(filter({ fields: `spec.nodeName=n${i}` }), cache.revision),
    );
    const unscheduled = watch(filter({ fields: 'spec.nodeName=' }), cache.revision);
    await put(pod('p'));
    await put(pod('p', { node: 'n7' }));
    expect(unscheduled.sink.events().map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    expect(nodes[7]!.sink.events().map((e) => e.type)).toEqual(['ADDED']);
    expect(nodes.filter((n, i) => i !== 7 && n.sink.chunks.length > 0)).toHaveLength(0);
    const list = cache.cache('pods').list(filter({ fields: 'spec.nodeName=n7' }));
    expect(list.map((o) => o.name)).toEqual(['p']);
  });

  it('serializes each event once however many watchers receive it', async () => {
    await start();
    const watchers = Array.from({ length: 200 }, () => watch(filter(), cache.revision));
    await put(pod('a'));
    const first = watchers[0]!.sink.wire[0]!;
    expect(watchers.every((w) => w.sink.wire.length === 1 && w.sink.wire[0] === first)).toBe(true);
    expect(first.chunk.toString()).toBe(`${first.line.length.toString(16)}\r\n${first.line.toString()}\r\n`);
    const serializations = await metrics.watchCacheSerializations.get();
    expect(serializations.values.reduce((n, v) => n + v.value, 0)).toBe(1);
  });

  it('closes a watcher whose socket does not drain, and keeps serving the others', async () => {
    await start();
    const slow = watch(filter(), cache.revision, false, 1_000);
    const fast = watch(filter(), cache.revision);
    slow.sink.stalled = true;
    for (let i = 0; i < 20; i++) await put(pod(`p${i}`, { labels: { pad: 'x'.repeat(60) } }));
    expect(slow.closed).toEqual(['slow']);
    expect(slow.sink.destroyed).toBe(true);
    expect(fast.sink.chunks).toHaveLength(20);
    expect(cache.cache('pods').watchers.size).toBe(1);
  });

  it('sends BOOKMARKs to idle watchers that allow them', async () => {
    await start();
    const withBookmarks = watch(filter(), cache.revision, true);
    const without = watch(filter(), cache.revision, false);
    const rv = await put(pod('a'));
    clock.advance(10_000);
    expect(withBookmarks.sink.events().map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    const bookmark = withBookmarks.sink.events()[1]!;
    expect(bookmark.object).toEqual({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(rv) },
    });
    clock.advance(10_000);
    expect(withBookmarks.sink.events().filter((e) => e.type === 'BOOKMARK')).toHaveLength(2);
    expect(without.sink.events().map((e) => e.type)).toEqual(['ADDED']);
  });

  it('waits for a revision and times out with 504 when it never comes', async () => {
    await start();
    const rv = await put(pod('a'));
    await expect(cache.waitForRevision(rv)).resolves.toBeUndefined();
    const pending = cache.waitForRevision(rv + 100);
    clock.advance(2_000);
    await expect(pending).rejects.toMatchObject({ reason: 'Timeout', httpCode: 504 });
    await expect(cache.waitUntilFresh()).resolves.toBe(rv);
  });

  it('resyncs after the storage watch breaks: watchers are closed (they relist), the cache catches up', async () => {
    let handlers: WatchHandlers | undefined;
    const inner = storage;
    storage = interceptWatch(inner, (h) => {
      handlers = h;
      return h;
    });
    await start();
    const w = watch(filter(), cache.revision);
    handlers!.onError(new Error('connection lost'));
    expect(w.closed).toEqual(['reset']);
    expect(cache.ready).toBe(false);
    const created = await inner.create(storageKey(pods, 'default', 'later'), encodeObject(pod('later')));
    clock.advance(1_000);
    for (let i = 0; i < 50 && !cache.ready; i++) await new Promise((r) => setTimeout(r, 10));
    expect(cache.ready).toBe(true);
    expect(cache.revision).toBeGreaterThanOrEqual(created.ok ? created.revision : Infinity);
    expect(cache.cache('pods').objects.has(storageKey(pods, 'default', 'later'))).toBe(true);
  });

  it('writes a batch of store events to each watcher corked, as one socket write', async () => {
    const inner = storage;
    const holding = holdingWatch(inner);
    storage = holding.storage;
    await start();
    const all = watch(filter(), cache.revision);
    const onlyB = watch(filter({ fields: 'metadata.name=b' }), cache.revision);
    holding.hold();
    for (const name of ['a', 'b', 'c'])
      await inner.create(storageKey(pods, 'default', name), encodeObject(pod(name)));
    const batch = await holding.release();
    expect(batch.map((e) => e.key.split('/').at(-1))).toEqual(['a', 'b', 'c']);
    holding.deliver(batch);
    expect(all.sink.ops).toEqual([]); // written on the next turn of the event loop
    await cache.waitForRevision(batch.at(-1)!.revision);
    expect(all.sink.ops).toEqual(['cork', 'write a', 'write b', 'write c', 'uncork']);
    expect(onlyB.sink.ops).toEqual(['cork', 'write b', 'uncork']);
    // A single event is written straight away.
    storage = inner;
    await put(pod('d'));
    expect(all.sink.ops.slice(5)).toEqual(['write d']);
  });

  it('uncorks a watcher that closes in the middle of a batch before ending its stream', async () => {
    await start();
    const { sink, watcher } = watch(filter(), cache.revision);
    const batch = new WriteBatch();
    const event = eventBytes('ADDED', JSON.stringify(pod('x')));
    watcher.write(event, 0, batch);
    watcher.close('timeout');
    batch.flush();
    expect(sink.ops).toEqual(['cork', 'write x', 'uncork', 'end']);
  });

  it('applies store events at once and writes them a turn later: a watcher registered in between gets each once', async () => {
    const inner = storage;
    const holding = holdingWatch(inner);
    storage = holding.storage;
    await start();
    const before = cache.revision;
    const early = watch(filter(), before, true);
    holding.hold();
    await inner.create(storageKey(pods, 'default', 'a'), encodeObject(pod('a')));
    const events = await holding.release();
    holding.deliver(events);
    // Applied: a new watcher from the old revision replays it, an unfiltered one lists it.
    const late = watch(filter(), before);
    const listing = watch(filter(), undefined);
    expect(late.sink.events().map((e) => e.object.metadata.name)).toEqual(['a']);
    expect(listing.sink.events().map((e) => e.object.metadata.name)).toEqual(['a']);
    // Not yet written to the early watcher, and its bookmark may not claim it.
    expect(early.sink.chunks).toEqual([]);
    expect(cache.bookmarkRevision(early.watcher)).toBe(before);
    expect(cache.bookmarkRevision(late.watcher)).toBe(events[0]!.revision);
    await cache.waitForRevision(events[0]!.revision);
    expect(early.sink.events().map((e) => e.object.metadata.name)).toEqual(['a']);
    expect(late.sink.events()).toHaveLength(1);
    expect(listing.sink.events()).toHaveLength(1);
    expect(cache.bookmarkRevision(early.watcher)).toBe(events[0]!.revision);
  });
});
