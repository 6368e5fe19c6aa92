// Black-box: @kubernetes/client-node 1.x, used as a user would (public API only), against a live
// apiserver on the embedded store and on etcd (an etcd URL without a key prefix).
import {
  ApiException,
  CoreV1Api,
  type CoreV1Event,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1Node,
  type V1Pod,
  type V1Service,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStorageUrl, type StartedApiServer, startApiServer } from './harness/apiserver.js';
import { startTcpProxy, type TcpProxy } from './harness/tcp-proxy.js';

const backends = ['embedded', 'etcd'] as const;
const eventually = <T>(read: () => T | Promise<T>, timeout = 20_000) =>
  expect.poll(read, { timeout, interval: 25 });

/** A kubeconfig for a plain-HTTP server (client-node refuses http:// unless skipTLSVerify is set). */
function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'kubelite', server, skipTLSVerify: true }],
    users: [{ name: 'tester' }],
    contexts: [{ name: 'kubelite', cluster: 'kubelite', user: 'tester', namespace: 'default' }],
    currentContext: 'kubelite',
  });
  return kc;
}

const pod = (name: string, labels: Record<string, string> = { app: 'web' }): V1Pod => ({
  metadata: { name, labels },
  spec: { containers: [{ name: 'main', image: 'busybox', ports: [{ containerPort: 80 }] }] },
});

/** The Status a failed call carried (client-node puts the response body, as text, on ApiException). */
async function failure(call: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> {
  try {
    await call;
  } catch (e) {
    if (!(e instanceof ApiException)) throw e;
    const status = JSON.parse(String(e.body)) as { reason: string; message: string };
    return { code: e.code, reason: status.reason, message: status.message };
  }
  throw new Error('the call succeeded');
}

describe.each(backends)('@kubernetes/client-node 1.x against kubelite (%s)', (backend) => {
  let api: StartedApiServer;
  let cleanupStorage: () => Promise<void>;
  let kc: KubeConfig;
  let core: CoreV1Api;

  beforeAll(async () => {
    const storage = await freshStorageUrl(backend);
    // etcd without a key prefix (etcd://host:port), as a dedicated etcd is often addressed.
    const url = backend === 'etcd' ? storage.url.replace(/\/kubelite$/, '') : storage.url;
    cleanupStorage = storage.cleanup;
    // A small event window, so that a watcher can fall behind it (410 Expired) in a test.
    api = await startApiServer({ storage: url, watchCacheCapacity: 64 });
    kc = kubeConfigFor(api.url);
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await api?.stop();
    await cleanupStorage?.();
  });

  it('creates, reads, replaces, lists and deletes pods, services, RCs, namespaces, nodes and events', async () => {
    const ns = await core.createNamespace({ body: { metadata: { name: 'crud' } } });
    expect(ns.status?.phase).toBe('Active');
    expect(ns.spec?.finalizers).toEqual(['kubernetes']);
    expect((await core.listNamespace()).items.map((n) => n.metadata?.name)).toContain('crud');

    const created = await core.createNamespacedPod({ namespace: 'crud', body: pod('p1') });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.status).toMatchObject({ phase: 'Pending', qosClass: 'BestEffort' });
    const read = await core.readNamespacedPod({ namespace: 'crud', name: 'p1' });
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    read.metadata!.labels = { ...read.metadata!.labels, replaced: 'yes' };
    const replaced = await core.replaceNamespacedPod({ namespace: 'crud', name: 'p1', body: read });
    expect(replaced.metadata?.labels).toEqual({ app: 'web', replaced: 'yes' });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(
      Number(read.metadata?.resourceVersion),
    );
    const withStatus = await core.replaceNamespacedPodStatus({
      namespace: 'crud',
      name: 'p1',
      body: { ...replaced, status: { ...replaced.status, phase: 'Running', podIP: '127.0.2.1' } },
    });
    expect(withStatus.status).toMatchObject({ phase: 'Running', podIP: '127.0.2.1' });

    const svc: V1Service = await core.createNamespacedService({
      namespace: 'crud',
      body: { metadata: { name: 's1' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    });
    expect(svc.spec?.clusterIP).toMatch(/^127\.10\.\d+\.\d+$/);
    expect(svc.spec?.ports?.[0]).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 80 });
    const svcRead = await core.readNamespacedService({ namespace: 'crud', name: 's1' });
    svcRead.metadata!.labels = { tier: 'front' };
    const svcReplaced = await core.replaceNamespacedService({ namespace: 'crud', name: 's1', body: svcRead });
    expect(svcReplaced.spec?.clusterIP).toBe(svc.spec?.clusterIP);
    expect(svcReplaced.metadata?.labels).toEqual({ tier: 'front' });

    const rc = await core.createNamespacedReplicationController({
      namespace: 'crud',
      body: {
        metadata: { name: 'rc1' },
        spec: { replicas: 2, selector: { app: 'rc' }, template: pod('', { app: 'rc' }) },
      },
    });
    expect(rc.status?.replicas).toBe(0);
    const scale = await core.readNamespacedReplicationControllerScale({ namespace: 'crud', name: 'rc1' });
    expect(scale).toMatchObject({ spec: { replicas: 2 }, status: { selector: 'app=rc' } });
    await core.patchNamespacedReplicationControllerScale(
      { namespace: 'crud', name: 'rc1', body: { spec: { replicas: 4 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(
      (await core.readNamespacedReplicationController({ namespace: 'crud', name: 'rc1' })).spec?.replicas,
    ).toBe(4);

    const node: V1Node = await core.createNode({
      body: {
        metadata: { name: 'node-a', labels: { zone: 'z1' } },
        status: {
          capacity: { cpu: '2', memory: '4Gi', pods: '110' },
          conditions: [{ type: 'Ready', status: 'True' }],
          addresses: [{ type: 'InternalIP', address: '127.0.1.1' }],
        },
      },
    });
    expect(node.status?.capacity).toMatchObject({ cpu: '2', pods: '110' });
    const cordoned = await core.patchNode(
      { name: 'node-a', body: { spec: { unschedulable: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(cordoned.spec?.unschedulable).toBe(true);
    const heartbeat = await core.readNode({ name: 'node-a' });
    heartbeat.status!.conditions = [{ type: 'Ready', status: 'False', reason: 'KubeletDown' }];
    const notReady = await core.replaceNodeStatus({ name: 'node-a', body: heartbeat });
    expect(notReady.status?.conditions?.[0]).toMatchObject({ status: 'False', reason: 'KubeletDown' });
    expect((await core.listNode({ labelSelector: 'zone=z1' })).items.map((n) => n.metadata?.name)).toEqual([
      'node-a',
    ]);

    const event: CoreV1Event = await core.createNamespacedEvent({
      namespace: 'crud',
      body: {
        metadata: { name: 'p1.1' },
        involvedObject: { kind: 'Pod', namespace: 'crud', name: 'p1', uid: created.metadata?.uid },
        reason: 'Scheduled',
        message: 'Successfully assigned crud/p1 to node-a',
        type: 'Normal',
        source: { component: 'default-scheduler' },
        count: 1,
      },
    });
    expect(event.involvedObject.name).toBe('p1');
    const events = await core.listNamespacedEvent({
      namespace: 'crud',
      fieldSelector: 'involvedObject.name=p1,involvedObject.kind=Pod',
    });
    expect(events.items.map((e) => e.reason)).toEqual(['Scheduled']);
    expect(
      (await core.listEventForAllNamespaces({ fieldSelector: 'involvedObject.name=nobody' })).items,
    ).toEqual([]);

    const deleted = await core.deleteNamespacedPod({ namespace: 'crud', name: 'p1' });
    expect(deleted.metadata?.name).toBe('p1');
    expect(await failure(core.readNamespacedPod({ namespace: 'crud', name: 'p1' }))).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'pods "p1" not found',
    });
    await core.deleteNamespacedService({ namespace: 'crud', name: 's1' });
    await core.deleteNamespacedReplicationController({ namespace: 'crud', name: 'rc1' });
    await core.deleteNode({ name: 'node-a' });
    expect((await core.listNode()).items).toEqual([]);

    // client-node types the answer as a V1Status; the server returns the Terminating namespace.
    const terminating = (await core.deleteNamespace({ name: 'crud' })) as unknown as {
      status?: { phase?: string };
    };
    expect(terminating.status?.phase).toBe('Terminating');
    await eventually(() => failure(core.readNamespace({ name: 'crud' })).then((f) => f.code)).toBe(404);
  });

  it('patches with JSON patch (the default), merge patch and strategic merge patch', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: pod('patched') });
    const json = await core.patchNamespacedPod({
      namespace: 'default',
      name: 'patched',
      body: [{ op: 'add', path: '/metadata/labels/json', value: '1' }],
    });
    expect(json.metadata?.labels).toEqual({ app: 'web', json: '1' });
    const merge = await core.patchNamespacedPod(
      { namespace: 'default', name: 'patched', body: { metadata: { labels: { app: null, merge: '2' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merge.metadata?.labels).toEqual({ json: '1', merge: '2' });
    // Strategic: containers merge by name (a merge patch would replace the list and lose the ports).
    const strategic = await core.patchNamespacedPod(
      {
        namespace: 'default',
        name: 'patched',
        body: { spec: { containers: [{ name: 'main', image: 'busybox:2' }] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(strategic.spec?.containers).toHaveLength(1);
    expect(strategic.spec?.containers[0]).toMatchObject({
      image: 'busybox:2',
      ports: [{ containerPort: 80 }],
    });
    const failed = await failure(
      core.patchNamespacedPod({
        namespace: 'default',
        name: 'patched',
        body: [{ op: 'test', path: '/metadata/labels/json', value: 'other' }],
      }),
    );
    expect(failed.code).toBe(422);
    const stale = await failure(
      core.patchNamespacedPod(
        {
          namespace: 'default',
          name: 'patched',
          body: { metadata: { resourceVersion: '1', labels: { x: 'y' } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(stale).toMatchObject({ code: 409, reason: 'Conflict' });
  });

  it('answers a replace with a stale resourceVersion with 409 Conflict', async () => {
    const first = await core.createNamespacedPod({ namespace: 'default', body: pod('stale') });
    const copy = structuredClone(first);
    first.metadata!.labels = { v: '2' };
    await core.replaceNamespacedPod({ namespace: 'default', name: 'stale', body: first });
    copy.metadata!.labels = { v: 'lost update' };
    expect(
      await failure(core.replaceNamespacedPod({ namespace: 'default', name: 'stale', body: copy })),
    ).toEqual({
      code: 409,
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on pods "stale": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect((await core.readNamespacedPod({ namespace: 'default', name: 'stale' })).metadata?.labels).toEqual({
      v: '2',
    });
  });

  it('lists with label and field selectors', async () => {
    await core.createNamespace({ body: { metadata: { name: 'sel' } } });
    for (const [name, tier] of [
      ['a', 'front'],
      ['b', 'back'],
      ['c', 'front'],
    ] as const) {
      await core.createNamespacedPod({ namespace: 'sel', body: pod(name, { app: 'shop', tier }) });
    }
    const names = async (q: { labelSelector?: string; fieldSelector?: string }) =>
      (await core.listNamespacedPod({ namespace: 'sel', ...q })).items.map((p) => p.metadata?.name);
    expect(await names({ labelSelector: 'tier=front' })).toEqual(['a', 'c']);
    expect(await names({ labelSelector: 'tier in (back),app=shop' })).toEqual(['b']);
    expect(await names({ labelSelector: '!tier' })).toEqual([]);
    expect(await names({ fieldSelector: 'metadata.name=b' })).toEqual(['b']);
    expect(await names({ fieldSelector: 'metadata.name!=b,status.phase=Pending' })).toEqual(['a', 'c']);
    expect(await names({ labelSelector: 'tier=front', fieldSelector: 'metadata.name!=a' })).toEqual(['c']);
    const everywhere = await core.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace=sel' });
    expect(everywhere.items).toHaveLength(3);
    expect(Number(everywhere.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(
      await failure(core.listNamespacedPod({ namespace: 'sel', fieldSelector: 'spec.nope=x' })),
    ).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('Watch (Accept: */*) delivers ADDED, MODIFIED and DELETED in order', async () => {
    await core.createNamespace({ body: { metadata: { name: 'watched' } } });
    const list = await core.listNamespacedPod({ namespace: 'watched' });
    const seen: Array<[string, string, string]> = [];
    let ended: unknown = 'open';
    const watch = new Watch(kc);
    const controller = await watch.watch(
      '/api/v1/namespaces/watched/pods',
      { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
      (type, obj: V1Pod) => {
        if (type !== 'BOOKMARK') seen.push([type, obj.metadata!.name!, obj.metadata!.labels?.step ?? '']);
      },
      (err) => {
        ended = err;
      },
    );
    try {
      await core.createNamespacedPod({ namespace: 'watched', body: pod('w1', { step: '1' }) });
      await core.patchNamespacedPod(
        { namespace: 'watched', name: 'w1', body: { metadata: { labels: { step: '2' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await core.createNamespacedPod({ namespace: 'watched', body: pod('w2', { step: '1' }) });
      await core.deleteNamespacedPod({ namespace: 'watched', name: 'w1' });
      await eventually(() => seen.length).toBe(4);
      expect(seen).toEqual([
        ['ADDED', 'w1', '1'],
        ['MODIFIED', 'w1', '2'],
        ['ADDED', 'w2', '1'],
        ['DELETED', 'w1', '2'],
      ]);
      expect(ended).toBe('open');
    } finally {
      controller.abort();
    }
  });

  it('makeInformer lists, then follows creates, updates and deletes', async () => {
    await core.createNamespace({ body: { metadata: { name: 'informed' } } });
    await core.createNamespacedPod({ namespace: 'informed', body: pod('before') });
    const informer = makeInformer(kc, '/api/v1/namespaces/informed/pods', () =>
      core.listNamespacedPod({ namespace: 'informed' }),
    );
    const log: string[] = [];
    informer.on('add', (p) => log.push(`add ${p.metadata?.name}`));
    informer.on('update', (p) => log.push(`update ${p.metadata?.name} ${p.metadata?.labels?.v ?? ''}`));
    informer.on('delete', (p) => log.push(`delete ${p.metadata?.name}`));
    const errors: unknown[] = [];
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    try {
      expect(informer.list('informed').map((p) => p.metadata?.name)).toEqual(['before']);
      await core.createNamespacedPod({ namespace: 'informed', body: pod('after') });
      await core.patchNamespacedPod(
        { namespace: 'informed', name: 'before', body: { metadata: { labels: { v: '2' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await core.deleteNamespacedPod({ namespace: 'informed', name: 'after' });
      await eventually(() => log.length).toBe(4);
      expect(log).toEqual(['add before', 'add after', 'update before 2', 'delete after']);
      expect(informer.get('before', 'informed')?.metadata?.labels?.v).toBe('2');
      expect(errors).toEqual([]);
    } finally {
      await informer.stop();
    }
  });

  it('makeInformer recovers from 410 Expired: it relists and converges; a list RV is never 410', async () => {
    await core.createNamespace({ body: { metadata: { name: 'expiring' } } });
    for (let i = 0; i < 5; i++)
      await core.createNamespacedPod({ namespace: 'expiring', body: pod(`keep-${i}`) });
    // The informer reaches the apiserver through a proxy that can cut it off (a network partition).
    const proxy: TcpProxy = await startTcpProxy(api.url);
    const viaProxy = kubeConfigFor(proxy.url);
    const proxied = viaProxy.makeApiClient(CoreV1Api);
    const informer = makeInformer(viaProxy, '/api/v1/namespaces/expiring/pods', () =>
      proxied.listNamespacedPod({ namespace: 'expiring' }),
    );
    // A broken connection stops a client-node informer; users restart it from the error handler.
    let restarts = 0;
    informer.on('error', () => {
      restarts++;
      setTimeout(() => void informer.start().catch(() => {}), 50);
    });
    const names = () =>
      informer
        .list('expiring')
        .map((p) => `${p.metadata?.name}:${p.metadata?.labels?.v ?? ''}`)
        .sort();
    await informer.start();
    try {
      await eventually(() => names()).toEqual(['keep-0:', 'keep-1:', 'keep-2:', 'keep-3:', 'keep-4:']);
      proxy.hold();
      // More pod events than the window holds (64) while the informer is cut off.
      for (let i = 0; i < 40; i++)
        await core.createNamespacedPod({ namespace: 'expiring', body: pod(`new-${i}`) });
      for (let i = 0; i < 40; i += 2)
        await core.deleteNamespacedPod({ namespace: 'expiring', name: `new-${i}` });
      await core.deleteNamespacedPod({ namespace: 'expiring', name: 'keep-0' });
      for (let i = 1; i < 5; i++) {
        await core.patchNamespacedPod(
          { namespace: 'expiring', name: `keep-${i}`, body: { metadata: { labels: { v: 'x' } } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      }
      proxy.release();
      const want = [
        ...[1, 2, 3, 4].map((i) => `keep-${i}:x`),
        ...Array.from({ length: 20 }, (_, i) => `new-${2 * i + 1}:`),
      ].sort();
      await eventually(() => names()).toEqual(want);
      // Cut off, client-node either re-watches from its old resourceVersion (answered with one 410
      // Expired event, then a relist) or, when the cut surfaces as a socket error, stops; the error
      // handler then restarts it with a fresh list. Which one is a race in the client; both converge.
      const recovered = () => ({ expired: proxy.expiredEvents, restarted: restarts });
      expect([
        { expired: 1, restarted: 0 },
        { expired: 0, restarted: 1 },
        { expired: 1, restarted: 1 },
      ]).toContainEqual(recovered());
      // It kept following changes after the relist, from the list's resourceVersion.
      await core.createNamespacedPod({ namespace: 'expiring', body: pod('latest') });
      await eventually(() => names().includes('latest:')).toBe(true);
      const watches = proxy.requests.filter((r) => r.includes('watch=true'));
      const lists = proxy.requests.filter((r) => !r.includes('watch=true'));
      expect(lists.length).toBeGreaterThanOrEqual(2);
      expect(watches.length).toBeGreaterThanOrEqual(3);
      expect(restarts).toBeLessThanOrEqual(1);
      expect(proxy.expiredEvents).toBeLessThanOrEqual(1);
    } finally {
      await informer.stop();
      await proxy.close();
    }
  });

  it('never answers 410 to the resourceVersion a list just returned, under a write storm', async () => {
    await core.createNamespace({ body: { metadata: { name: 'storm' } } });
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await core.createNamespacedPod({ namespace: 'storm', body: pod(`s-${i}`) });
        if (i >= 2) await core.deleteNamespacedPod({ namespace: 'storm', name: `s-${i - 2}` });
      }
    })();
    try {
      const watch = new Watch(kc);
      for (let round = 0; round < 30; round++) {
        const list = await core.listNamespacedPod({ namespace: 'storm' });
        const first = await new Promise<string>((resolve, reject) => {
          let outcome: string | undefined;
          let controller: AbortController | undefined;
          const settle = (what: string) => {
            outcome ??= what;
            controller?.abort();
            resolve(outcome);
          };
          watch
            .watch(
              '/api/v1/namespaces/storm/pods',
              { resourceVersion: list.metadata!.resourceVersion },
              (type, obj: { code?: number }) => settle(type === 'ERROR' ? `ERROR ${obj.code}` : 'event'),
              (err) => (err && outcome === undefined ? reject(err) : settle('closed')),
            )
            .then((c) => {
              controller = c;
              if (outcome !== undefined) c.abort();
            }, reject);
        });
        expect(first).toBe('event');
      }
    } finally {
      writing = false;
      await writer;
    }
  });
});
