import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pod } from '../api/types.js';
import { type Clock, FakeClock } from '../util/clock.js';
import { createInformer, type EventHandler, type Informer } from './informer.js';
import { eventually } from './testing/eventually.js';
import { useFakeApiServer } from './testing/fixture.js';

function pod(name: string, labels: Record<string, string> = {}, nodeName?: string): Pod {
  return {
    metadata: { name, namespace: 'default', labels },
    spec: { containers: [{ name: 'c' }], ...(nodeName ? { nodeName } : {}) },
  };
}

/** A FakeClock that remembers every delay asked of it, so tests can see and release backoff sleeps. */
function recordingClock(): { clock: Clock; fake: FakeClock; delays: number[] } {
  const fake = new FakeClock();
  const delays: number[] = [];
  return {
    fake,
    delays,
    clock: {
      now: () => fake.now(),
      setTimeout(fn, ms) {
        delays.push(ms);
        return fake.setTimeout(fn, ms);
      },
    },
  };
}

/** Handlers that log what they receive as short strings. */
function recorder(): { log: string[]; handler: EventHandler<Pod> } {
  const log: string[] = [];
  return {
    log,
    handler: {
      onAdd: (p) => log.push(`add ${p.metadata.name}`),
      onUpdate: (o, n) =>
        log.push(`update ${n.metadata.name} ${o.metadata.resourceVersion}->${n.metadata.resourceVersion}`),
      onDelete: (p, unknown) =>
        log.push(`delete ${p.metadata.name}${unknown ? ' (final state unknown)' : ''}`),
    },
  };
}

const fx = useFakeApiServer();
let abort: AbortController;
let running: Promise<void> | undefined;

beforeEach(async () => {
  abort = new AbortController();
  running = undefined;
});

afterEach(async () => {
  abort.abort();
  await running;
});

const lists = () => fx.server.count({ resource: 'pods', method: 'GET', watch: false });
const watches = () => fx.server.requests.filter((r) => r.resource === 'pods' && r.watch);

function start<T>(informer: Informer<T>): Informer<T> {
  running = informer.run(abort.signal);
  return informer;
}

const deterministic = { initialMs: 800, maxMs: 30_000, jitter: 0 };

describe('informer: list then watch', () => {
  it('lists once, dispatches adds, then applies watch events to store and handlers', async () => {
    fx.server.put('pods', pod('a', {}, 'n1'));
    fx.server.put('pods', pod('b', {}, 'n2'));
    const { log, handler } = recorder();
    const informer = createInformer(fx.client, 'pods', {
      indexers: { byNode: (p) => (p.spec.nodeName ? [p.spec.nodeName] : []) },
    });
    informer.addEventHandler(handler);
    start(informer);
    expect(await informer.waitForSync(abort.signal)).toBe(true);
    expect(informer.hasSynced()).toBe(true);
    expect(log).toEqual(['add a', 'add b']);
    expect(informer.store.keys().sort()).toEqual(['default/a', 'default/b']);
    expect(informer.store.get('default/a')!.kind).toBe('Pod');
    expect(informer.store.byIndex('byNode', 'n1').map((p) => p.metadata.name)).toEqual(['a']);

    await eventually(() => fx.server.openWatches()).toBe(1);
    const listRv = informer.lastSyncResourceVersion();
    expect(watches()[0]!.query.get('resourceVersion')).toBe(listRv);
    expect(watches()[0]!.query.get('allowWatchBookmarks')).toBe('true');

    const a = fx.server.get('pods', 'default', 'a')!;
    fx.server.put('pods', { ...a, spec: { ...(a.spec as object), nodeName: 'n2' } });
    fx.server.put('pods', pod('c'));
    fx.server.remove('pods', 'default', 'b');
    await eventually(() => log.length).toBe(5);
    const aNow = fx.server.get('pods', 'default', 'a')!;
    expect(log.slice(2)).toEqual([
      `update a ${a.metadata.resourceVersion}->${aNow.metadata.resourceVersion}`,
      'add c',
      'delete b',
    ]);
    expect(informer.store.byIndex('byNode', 'n1')).toEqual([]);
    expect(informer.store.byIndex('byNode', 'n2').map((p) => p.metadata.name)).toEqual(['a']);
    expect(informer.lastSyncResourceVersion()).toBe(String(fx.server.revision()));
    expect(lists()).toBe(1);
  });

  it('re-watches from the last resourceVersion without relisting when a watch ends normally', async () => {
    const { log, handler } = recorder();
    const informer = start(createInformer(fx.client, 'pods', { backoff: deterministic }));
    informer.addEventHandler(handler);
    await informer.waitForSync();
    await eventually(() => fx.server.openWatches()).toBe(1);
    fx.server.put('pods', pod('a'));
    await eventually(() => log).toEqual(['add a']);
    const seenRv = informer.lastSyncResourceVersion();

    fx.server.closeWatches(); // a server-side timeout
    fx.server.put('pods', pod('b')); // written while no watch is open
    await eventually(() => log).toEqual(['add a', 'add b']);
    expect(watches()).toHaveLength(2);
    expect(watches()[1]!.query.get('resourceVersion')).toBe(seenRv);
    expect(lists()).toBe(1);
  });

  it('backs off before re-watching when a watch closes at once with no events, still without relisting', async () => {
    const { clock, fake, delays } = recordingClock();
    const informer = start(createInformer(fx.client, 'pods', { clock, backoff: deterministic }));
    await informer.waitForSync();
    await eventually(() => fx.server.openWatches()).toBe(1);
    fx.server.closeWatches();
    await eventually(() => delays).toEqual([800]);
    expect(watches()).toHaveLength(1);
    fake.advance(800);
    await eventually(() => watches().length).toBe(2);
    expect(lists()).toBe(1);
  });

  it('advances its resourceVersion on bookmarks and re-watches from there', async () => {
    const informer = start(createInformer(fx.client, 'pods'));
    await informer.waitForSync();
    await eventually(() => fx.server.openWatches()).toBe(1);
    fx.server.put('nodes', { metadata: { name: 'n' } }); // the revision moves on without any pod event
    fx.server.bookmark();
    await eventually(() => informer.lastSyncResourceVersion()).toBe(String(fx.server.revision()));
    fx.server.closeWatches();
    await eventually(() => watches().length).toBe(2);
    expect(watches()[1]!.query.get('resourceVersion')).toBe(String(fx.server.revision()));
    expect(lists()).toBe(1);
  });
});

describe('informer: failures', () => {
  it('relists after 410 Expired, dispatching only the differences, and detects deletes made while disconnected', async () => {
    const { clock, fake, delays } = recordingClock();
    fx.server.put('pods', pod('keep'));
    fx.server.put('pods', pod('change'));
    fx.server.put('pods', pod('gone'));
    const { log, handler } = recorder();
    const informer = createInformer(fx.client, 'pods', { clock, backoff: deterministic });
    informer.addEventHandler(handler);
    start(informer);
    await informer.waitForSync();
    await eventually(() => fx.server.openWatches()).toBe(1);
    fx.server.put('pods', pod('seen')); // a healthy watch
    await eventually(() => log.length).toBe(4);
    log.length = 0;

    // The connection breaks and cannot be re-established for a while: backoff, no relist.
    fx.server.refuseWatches = true;
    fx.server.destroyWatches();
    await eventually(() => delays.length).toBe(1);
    expect(delays[0]).toBe(800); // reset by the healthy watch, so the first delay again
    expect(lists()).toBe(1);

    // Meanwhile the world changes and the history the informer would need is compacted away.
    const changed = fx.server.get('pods', 'default', 'change')!;
    fx.server.put('pods', { ...changed, metadata: { ...changed.metadata, labels: { v: '2' } } });
    fx.server.remove('pods', 'default', 'gone');
    fx.server.put('pods', pod('new'));
    fx.server.compact();
    fx.server.refuseWatches = false;
    fake.advance(delays[0]!);

    // The re-watch from the old version gets 410 → backoff → relist.
    await eventually(() => delays.length).toBe(2);
    expect(delays[1]).toBe(1600); // the second failure in a row
    expect(lists()).toBe(1);
    fake.advance(delays[1]!);
    await eventually(() => lists()).toBe(2);
    await eventually(() => log.length).toBe(3);
    expect(log.map((l) => l.replace(/ \d+->\d+/, ''))).toEqual([
      'update change',
      'add new',
      'delete gone (final state unknown)',
    ]);
    expect(informer.store.keys().sort()).toEqual([
      'default/change',
      'default/keep',
      'default/new',
      'default/seen',
    ]);
    await eventually(() => fx.server.openWatches()).toBe(1);
    expect(watches().at(-1)!.query.get('resourceVersion')).toBe(String(fx.server.revision()));
  });

  it('retries a failing list with exponential backoff, and resets the backoff after a healthy watch', async () => {
    const { clock, fake, delays } = recordingClock();
    fx.server.failNext({ method: 'GET', resource: 'pods', watch: false, code: 500 }, 3);
    const informer = start(createInformer(fx.client, 'pods', { clock, backoff: deterministic }));
    for (const [i, expected] of [800, 1600, 3200].entries()) {
      await eventually(() => delays.length).toBe(i + 1);
      expect(delays[i]).toBe(expected);
      expect(informer.hasSynced()).toBe(false);
      fake.advance(expected);
    }
    await informer.waitForSync();
    expect(lists()).toBe(4);
    await eventually(() => fx.server.openWatches()).toBe(1);
    fx.server.put('pods', pod('a'));
    await eventually(() => informer.store.size).toBe(1);

    // A watch the server refuses (not a broken connection) means: back off, then relist.
    fx.server.failNext({ watch: true, code: 500 });
    fx.server.closeWatches();
    await eventually(() => delays.length).toBe(4);
    expect(delays[3]).toBe(800);
    fake.advance(800);
    await eventually(() => lists()).toBe(5);
  });

  it('grows the backoff with jitter up to the maximum', async () => {
    const { clock, fake, delays } = recordingClock();
    fx.server.failNext({ method: 'GET', resource: 'pods', watch: false, code: 503 }, 8);
    start(
      createInformer(fx.client, 'pods', {
        clock,
        backoff: { initialMs: 800, maxMs: 30_000, jitter: 0.5, random: () => 0.5 },
      }),
    );
    for (let i = 0; i < 8; i++) {
      await eventually(() => delays.length).toBe(i + 1);
      fake.advance(delays[i]!);
    }
    expect(delays).toEqual([800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000].map((d) => d * 1.25));
  });

  it('stops promptly when aborted, also during a backoff sleep', async () => {
    const { clock, delays } = recordingClock();
    fx.server.failNext({ method: 'GET', resource: 'pods', watch: false, code: 500 }, 1);
    const informer = createInformer(fx.client, 'pods', { clock });
    const ac = new AbortController();
    const done = informer.run(ac.signal);
    await expect(informer.run(ac.signal)).rejects.toThrow(/already running/);
    await eventually(() => delays.length).toBe(1);
    ac.abort();
    await done;
    expect(informer.hasSynced()).toBe(false);
    expect(await informer.waitForSync(ac.signal)).toBe(false);
  });
});

describe('informer: handlers, selectors, resync', () => {
  it('replays the cache to a handler added after sync, and removed handlers stop receiving', async () => {
    fx.server.put('pods', pod('a'));
    const informer = start(createInformer(fx.client, 'pods'));
    await informer.waitForSync();
    const late = recorder();
    const registration = informer.addEventHandler(late.handler);
    expect(late.log).toEqual(['add a']);
    const thrower = informer.addEventHandler({
      onAdd: () => {
        throw new Error('bad handler');
      },
    });
    await eventually(() => fx.server.openWatches()).toBe(1);
    fx.server.put('pods', pod('b'));
    await eventually(() => late.log).toEqual(['add a', 'add b']); // a throwing handler does not stop others
    registration.remove();
    thrower.remove();
    fx.server.put('pods', pod('c'));
    await eventually(() => informer.store.size).toBe(3);
    expect(late.log).toEqual(['add a', 'add b']);
  });

  it('passes namespace and selectors to both list and watch', async () => {
    fx.server.put('pods', pod('web', { app: 'web' }));
    fx.server.put('pods', pod('db', { app: 'db' }));
    const informer = start(
      createInformer(fx.client, 'pods', {
        namespace: 'default',
        labelSelector: 'app=web',
        fieldSelector: 'metadata.namespace=default',
      }),
    );
    await informer.waitForSync();
    expect(informer.store.keys()).toEqual(['default/web']);
    await eventually(() => watches().length).toBe(1);
    for (const r of [fx.server.requests.find((x) => x.resource === 'pods' && !x.watch)!, watches()[0]!]) {
      expect(r.path).toBe('/api/v1/namespaces/default/pods');
      expect(r.query.get('labelSelector')).toBe('app=web');
      expect(r.query.get('fieldSelector')).toBe('metadata.namespace=default');
    }
  });

  it('resyncs every period with onUpdate(obj, obj) for every cached object', async () => {
    const fake = new FakeClock();
    fx.server.put('pods', pod('a'));
    fx.server.put('pods', pod('b'));
    const { log, handler } = recorder();
    const informer = createInformer(fx.client, 'pods', { clock: fake, resyncPeriodMs: 60_000 });
    informer.addEventHandler(handler);
    start(informer);
    await informer.waitForSync();
    fake.advance(59_999);
    expect(log).toEqual(['add a', 'add b']);
    fake.advance(1);
    expect(log.slice(2).map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(['update a', 'update b']);
    fake.advance(60_000);
    expect(log).toHaveLength(6);
  });

  it('keys cluster-scoped objects by name', async () => {
    fx.server.put('nodes', { metadata: { name: 'node-1' } });
    const informer = start(createInformer(fx.client, 'nodes'));
    await informer.waitForSync();
    expect(informer.store.keys()).toEqual(['node-1']);
  });
});

describe('informer: process lifetime', () => {
  it('keeps the process alive while it backs off from an unreachable apiserver', async () => {
    // systemClock timers are unref'd; a backoff on one would let the process exit with nothing done.
    const script = [
      "import { createClient, createInformer } from './src/client/index.js';",
      "const informer = createInformer(createClient({ server: 'http://127.0.0.1:1' }), 'pods');",
      "informer.run(new AbortController().signal).then(() => console.log('informer returned'));",
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: resolve(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    try {
      const early = await Promise.race([
        exited,
        new Promise((done) => setTimeout(() => done('alive'), 4000)),
      ]);
      expect(early).toBe('alive');
      expect(output).toBe('');
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });
});
