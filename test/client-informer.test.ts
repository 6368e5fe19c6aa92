// Black-box: informers, the shared factory and the work queue against a live apiserver — the
// reflector's contract (list once, watch from the list's version, re-watch without relisting, relist
// only on 410) observed through an instrumented client.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import {
  createClient,
  createInformer,
  createInformerFactory,
  createWorkQueue,
  type KubeClient,
  metaNamespaceKey,
  type ResourceClient,
  runWorkers,
  splitMetaNamespaceKey,
  type Watch,
  type WatchEnd,
} from '../src/client/index.js';
import { type StartedApiServer, startApiServer } from './harness/apiserver.js';

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 10 });

function pod(name: string, labels: Record<string, string> = {}, nodeName?: string): Pod {
  return {
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...(nodeName ? { nodeName } : {}) },
  };
}

interface Call {
  verb: 'list' | 'watch';
  resource: string;
  resourceVersion?: string;
}

/**
 * The client as informers see it, recording every list and watch, with a gate that holds new watches
 * back (as a network partition would) until it is opened.
 */
function instrumented(client: KubeClient) {
  const calls: Call[] = [];
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const resource = (name: string) => {
    const real = client.resource(name) as ResourceClient<Pod>;
    const wrapped: ResourceClient<Pod> = {
      ...real,
      list(options) {
        calls.push({ verb: 'list', resource: real.info.name });
        return real.list(options);
      },
      watch(options, handler): Watch {
        calls.push({ verb: 'watch', resource: real.info.name, resourceVersion: options.resourceVersion });
        const held = gate?.promise;
        if (!held) return real.watch(options, handler);
        let inner: Watch | undefined;
        let stopped = false;
        const done = held.then((): Promise<WatchEnd> | WatchEnd => {
          if (stopped || options.signal?.aborted) {
            return { reason: 'stopped', events: 0, resourceVersion: options.resourceVersion ?? '' };
          }
          inner = real.watch(options, handler);
          return inner.done;
        });
        return {
          stop() {
            stopped = true;
            inner?.stop();
          },
          done,
        };
      },
    };
    return wrapped;
  };
  return {
    client: { resource } as unknown as Pick<KubeClient, 'resource'>,
    calls,
    count: (verb: Call['verb']) => calls.filter((c) => c.verb === verb).length,
    holdWatches() {
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      gate = { promise, open };
    },
    releaseWatches() {
      gate?.open();
      gate = undefined;
    },
  };
}

let api: StartedApiServer;
let client: KubeClient;
let abort: AbortController;
let probe: ReturnType<typeof instrumented>;

beforeEach(async () => {
  api = await startApiServer({ storage: 'memory', watchCacheCapacity: 20, bookmarkIntervalMs: 200 });
  client = createClient({ server: api.url });
  abort = new AbortController();
  probe = instrumented(client);
});

afterEach(async () => {
  abort.abort();
  probe.releaseWatches();
  await client.close();
  await api.stop();
});

describe('informer against the apiserver', () => {
  it('lists once, then follows adds, updates and deletes through one watch with an index', async () => {
    await client.pods.create('default', pod('a', {}, 'n1'));
    const log: string[] = [];
    const informer = createInformer(probe.client, 'pods', {
      namespace: 'default',
      indexers: { node: (p) => (p.spec.nodeName ? [p.spec.nodeName] : []) },
    });
    informer.addEventHandler({
      onAdd: (p) => log.push(`add ${p.metadata.name}`),
      onUpdate: (_, p) => log.push(`update ${p.metadata.name} ${p.metadata.labels?.v ?? ''}`),
      onDelete: (p, unknown) => log.push(`delete ${p.metadata.name} ${unknown}`),
    });
    const running = informer.run(abort.signal);
    expect(await informer.waitForSync(abort.signal)).toBe(true);
    expect(log).toEqual(['add a']);
    const listRv = informer.lastSyncResourceVersion();
    expect(Number(listRv)).toBeGreaterThan(0);

    await client.pods.create('default', pod('b', {}, 'n2'));
    await client.pods.patch('default', 'a', 'merge', { metadata: { labels: { v: '2' } } });
    await client.pods.delete('default', 'b', { gracePeriodSeconds: 0 });
    await eventually(() => log).toEqual(['add a', 'add b', 'update a 2', 'delete b false']);
    expect(informer.store.byIndex('node', 'n1').map((p) => p.metadata.name)).toEqual(['a']);
    expect(informer.store.byIndex('node', 'n2')).toEqual([]);
    expect(probe.calls.slice(0, 2)).toEqual([
      { verb: 'list', resource: 'pods' },
      { verb: 'watch', resource: 'pods', resourceVersion: listRv },
    ]);
    expect(probe.count('list')).toBe(1);
    abort.abort();
    await running;
  });

  it('re-watches from the last resourceVersion when the server ends a watch, without relisting', async () => {
    const informer = createInformer(probe.client, 'pods', { watchTimeoutSeconds: 1 });
    const running = informer.run(abort.signal);
    await informer.waitForSync();
    await client.pods.create('default', pod('x'));
    await eventually(() => informer.store.size).toBe(1);
    await eventually(() => probe.count('watch')).toBeGreaterThanOrEqual(3); // two server-side timeouts
    const watches = probe.calls.filter((c) => c.verb === 'watch');
    for (let i = 1; i < watches.length; i++) {
      expect(Number(watches[i]!.resourceVersion)).toBeGreaterThanOrEqual(
        Number(watches[i - 1]!.resourceVersion),
      );
    }
    expect(probe.count('list')).toBe(1);
    abort.abort();
    await running;
  });

  it('advances its resourceVersion on bookmarks while its own resource is idle', async () => {
    const informer = createInformer(probe.client, 'pods');
    const running = informer.run(abort.signal);
    await informer.waitForSync();
    const before = Number(informer.lastSyncResourceVersion());
    const node = await client.nodes.create({ metadata: { name: 'busy-elsewhere' } });
    await eventually(() => Number(informer.lastSyncResourceVersion())).toBeGreaterThanOrEqual(
      Number(node.metadata.resourceVersion),
    );
    expect(Number(informer.lastSyncResourceVersion())).toBeGreaterThan(before);
    expect(informer.store.size).toBe(0);
    abort.abort();
    await running;
  });

  it('relists after 410 Expired and reports deletes it missed while its watch was held back', async () => {
    await client.pods.create('default', pod('victim'));
    await client.pods.create('default', pod('survivor'));
    const log: string[] = [];
    const informer = createInformer(probe.client, 'pods', {
      watchTimeoutSeconds: 1,
      backoff: { initialMs: 20, jitter: 0 },
    });
    informer.addEventHandler({
      onAdd: (p) => log.push(`add ${p.metadata.name}`),
      onDelete: (p, unknown) => log.push(`delete ${p.metadata.name} ${unknown}`),
    });
    const running = informer.run(abort.signal);
    await informer.waitForSync();
    await eventually(() => probe.count('watch')).toBe(1);

    probe.holdWatches(); // the next watch (after the 1 s server timeout) waits here
    await eventually(() => probe.count('watch')).toBe(2);
    await client.pods.delete('default', 'victim', { gracePeriodSeconds: 0 });
    // Push the deletion out of the apiserver's 20-event window.
    for (let i = 0; i < 25; i++) {
      await client.pods.patch('default', 'survivor', 'merge', { metadata: { labels: { n: String(i) } } });
    }
    probe.releaseWatches();

    await eventually(() => probe.count('list')).toBe(2);
    await eventually(() => log).toContain('delete victim true');
    expect(informer.store.keys()).toEqual(['default/survivor']);
    expect(informer.store.get('default/survivor')!.metadata.labels?.n).toBe('24');
    abort.abort();
    await running;
  });
});

describe('shared informers, work queue and workers against the apiserver', () => {
  it('a level-triggered controller converges every pod, including ones created while it runs', async () => {
    for (let i = 0; i < 5; i++) await client.pods.create('default', pod(`c-${i}`, { app: 'web' }));
    const factory = createInformerFactory(client);
    const pods = factory.informer('pods', { labelSelector: 'app=web' });
    const queue = createWorkQueue({ name: 'labeler' });
    pods.addEventHandler({
      onAdd: (p) => queue.add(metaNamespaceKey(p)),
      onUpdate: (_, p) => queue.add(metaNamespaceKey(p)),
    });
    let syncs = 0;
    const sync = async (key: string) => {
      syncs++;
      const cached = pods.store.get(key);
      if (!cached || cached.metadata.labels?.seen === 'yes') return;
      const { namespace, name } = splitMetaNamespaceKey(key);
      await client.pods.patch(namespace!, name, 'merge', { metadata: { labels: { seen: 'yes' } } });
    };
    factory.start(abort.signal);
    expect(await factory.waitForSync(abort.signal)).toBe(true);
    const workers = runWorkers(queue, 3, sync, abort.signal);
    for (let i = 5; i < 10; i++) await client.pods.create('default', pod(`c-${i}`, { app: 'web' }));

    await eventually(async () => {
      const list = await client.pods.list({ namespace: 'default', labelSelector: 'app=web,seen=yes' });
      return list.items.length;
    }).toBe(10);
    expect(syncs).toBeGreaterThanOrEqual(10);
    abort.abort();
    await workers;
    await factory.stopped();
  });

  it('many node-scoped informers on one client each see only their own pods', async () => {
    const nodes = Array.from({ length: 40 }, (_, i) => `node-${i}`);
    const informers = nodes.map((n) =>
      createInformer(client, 'pods', { fieldSelector: `spec.nodeName=${n}` }),
    );
    const runs = informers.map((i) => i.run(abort.signal));
    for (const i of informers) await i.waitForSync(abort.signal);
    for (const [i, n] of nodes.entries()) await client.pods.create('default', pod(`p-${i}`, {}, n));
    for (const [i, informer] of informers.entries()) {
      await eventually(() => informer.store.keys()).toEqual([`default/p-${i}`]);
    }
    // Ordinary requests still flow while 40 watches hold their connections.
    expect((await client.pods.list()).items).toHaveLength(40);
    abort.abort();
    await Promise.all(runs);
  });
});
