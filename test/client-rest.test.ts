// Black-box: the client library against a live apiserver (in-process, memory and embedded storage).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/errors.js';
import type { Event, Pod, ReplicationController } from '../src/api/types.js';
import {
  createClient,
  createEventRecorder,
  isAlreadyExists,
  isConflict,
  isInvalid,
  isNotFound,
  type KubeClient,
  retryOnConflict,
} from '../src/client/index.js';
import { type Backend, type StartedApiServer, startApiServer } from './harness/apiserver.js';

const backends: Backend[] = ['memory', 'embedded'];

function pod(name: string, labels: Record<string, string> = { app: 'web' }): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  };
}

describe.each(backends)('client against the apiserver (%s)', (backend) => {
  let api: StartedApiServer;
  let client: KubeClient;

  beforeAll(async () => {
    api = await startApiServer({ storage: backend });
    client = createClient({ server: api.url });
  });
  afterAll(async () => {
    await client?.close();
    await api?.stop();
  });

  it('creates, reads, lists by selector, updates and deletes pods', async () => {
    const created = await client.pods.create('default', pod('rest-1'));
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.status?.phase).toBe('Pending');
    await client.pods.create('default', pod('rest-2', { app: 'db' }));

    const web = await client.pods.list({ namespace: 'default', labelSelector: 'app in (web)' });
    expect(web.items.map((p) => p.metadata.name)).toEqual(['rest-1']);
    expect(web.items[0]!.kind).toBe('Pod');
    const byName = await client.pods.list({ fieldSelector: 'metadata.name=rest-2' });
    expect(byName.items.map((p) => p.metadata.namespace)).toEqual(['default']);

    const got = await client.pods.get('default', 'rest-1');
    got.metadata.labels = { ...got.metadata.labels, tier: 'front' };
    const updated = await client.pods.update('default', got);
    expect(updated.metadata.labels?.tier).toBe('front');

    await client.pods.delete('default', 'rest-2', { gracePeriodSeconds: 0 });
    await expect(client.pods.get('default', 'rest-2')).rejects.toSatisfy(isNotFound);
  });

  it('throws ApiError with the server reason: AlreadyExists, Conflict, Invalid, NotFound', async () => {
    await client.pods.create('default', pod('err-1'));
    const dup = (await client.pods.create('default', pod('err-1')).catch((e: unknown) => e)) as ApiError;
    expect(isAlreadyExists(dup)).toBe(true);
    expect(dup.message).toBe('pods "err-1" already exists');
    expect(dup.details).toMatchObject({ name: 'err-1', kind: 'pods' });

    const first = await client.pods.get('default', 'err-1');
    await client.pods.patch('default', 'err-1', 'merge', { metadata: { labels: { x: '1' } } });
    await expect(client.pods.update('default', first)).rejects.toSatisfy(isConflict);

    const bad = (await client.pods
      .create('default', { metadata: { name: 'Bad_Name' }, spec: { containers: [] } })
      .catch((e: unknown) => e)) as ApiError;
    expect(bad).toBeInstanceOf(ApiError);
    expect(isInvalid(bad)).toBe(true);
    expect(bad.httpCode).toBe(422);
    expect(bad.details?.causes?.length).toBeGreaterThan(0);

    await expect(client.pods.create('no-such-ns', pod('x'))).rejects.toSatisfy(isNotFound);
  });

  it('retryOnConflict converges concurrent read-modify-writes', async () => {
    await client.pods.create('default', pod('counter'));
    const bump = (i: number) =>
      retryOnConflict(
        async () => {
          const p = await client.pods.get('default', 'counter');
          p.metadata.annotations = { ...p.metadata.annotations, [`writer-${i}`]: 'done' };
          return client.pods.update('default', p);
        },
        { steps: 20 },
      );
    await Promise.all([0, 1, 2, 3, 4].map(bump));
    const final = await client.pods.get('default', 'counter');
    expect(Object.keys(final.metadata.annotations ?? {}).sort()).toEqual([
      'writer-0',
      'writer-1',
      'writer-2',
      'writer-3',
      'writer-4',
    ]);
  });

  it('patches with merge, JSON, strategic and apply patches, and the status subresource', async () => {
    await client.pods.create('default', pod('patch-1'));
    let p = await client.pods.patch('default', 'patch-1', 'merge', { metadata: { labels: { m: '1' } } });
    expect(p.metadata.labels).toMatchObject({ app: 'web', m: '1' });
    p = await client.pods.patch('default', 'patch-1', 'json', [{ op: 'remove', path: '/metadata/labels/m' }]);
    expect(p.metadata.labels).toEqual({ app: 'web' });
    p = await client.pods.patch('default', 'patch-1', 'strategic', {
      spec: { containers: [{ name: 'c', image: 'busybox:2' }] },
    });
    expect(p.spec.containers).toHaveLength(1);
    expect(p.spec.containers[0]!.image).toBe('busybox:2');
    p = await client.pods.patch(
      'default',
      'patch-1',
      'apply',
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'patch-1', annotations: { applied: 'yes' } } },
      { fieldManager: 'client-test', force: true },
    );
    expect(p.metadata.annotations?.applied).toBe('yes');
    p = await client.pods.patch(
      'default',
      'patch-1',
      'merge',
      { status: { phase: 'Running' } },
      { subresource: 'status' },
    );
    expect(p.status?.phase).toBe('Running');
    const dry = await client.pods.patch(
      'default',
      'patch-1',
      'merge',
      { metadata: { labels: { dry: 'run' } } },
      { dryRun: true },
    );
    expect(dry.metadata.labels?.dry).toBe('run');
    expect((await client.pods.get('default', 'patch-1')).metadata.labels?.dry).toBeUndefined();
  });

  it('binds pods, scales replication controllers, and handles cluster-scoped resources', async () => {
    await client.nodes.create({ metadata: { name: `node-${backend}` } });
    expect((await client.nodes.get(`node-${backend}`)).metadata.name).toBe(`node-${backend}`);
    await client.namespaces.create({ metadata: { name: `ns-${backend}` } });
    expect((await client.namespaces.list()).items.map((n) => n.metadata.name)).toContain(`ns-${backend}`);

    await client.pods.create('default', pod('bind-1'));
    const status = await client.bind('default', 'bind-1', `node-${backend}`);
    expect(status).toMatchObject({ kind: 'Status', status: 'Success' });
    expect((await client.pods.get('default', 'bind-1')).spec.nodeName).toBe(`node-${backend}`);
    await expect(client.bind('default', 'bind-1', 'elsewhere')).rejects.toSatisfy(isConflict);

    const rc: ReplicationController = {
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { app: 'rc-web' },
        template: {
          metadata: { labels: { app: 'rc-web' } },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    };
    await client.replicationControllers.create('default', rc);
    const scale = await client.scale('default', 'web', 4);
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 4 } });
    expect((await client.getScale('default', 'web')).status.selector).toBe('app=rc-web');
    expect((await client.replicationControllers.get('default', 'web')).spec.replicas).toBe(4);
  });

  it('deletes a collection by label, and raw requests reach any path', async () => {
    for (const n of ['dc-1', 'dc-2']) await client.pods.create('default', pod(n, { batch: 'dc' }));
    await client.pods.deleteCollection('default', { labelSelector: 'batch=dc', gracePeriodSeconds: 0 });
    expect((await client.pods.list({ namespace: 'default', labelSelector: 'batch=dc' })).items).toEqual([]);
    expect(await client.raw('GET', '/version')).toMatchObject({ major: '1', minor: '32' });
    expect(await client.raw('GET', '/healthz')).toBe('ok');
  });

  it('records aggregated events that the apiserver serves by involvedObject field selectors', async () => {
    const target = await client.pods.create('default', pod('evented'));
    const recorder = createEventRecorder(client, { component: 'client-test', host: 'here' });
    for (let i = 0; i < 3; i++)
      recorder.record(target, 'Warning', 'BackOff', 'Back-off restarting failed container');
    recorder.record(target, 'Normal', 'Pulled', 'Container image "busybox" already present on machine');
    await recorder.flush();
    const events = await client.events.list({
      namespace: 'default',
      fieldSelector: `involvedObject.name=evented,involvedObject.kind=Pod`,
    });
    const byReason = Object.fromEntries(events.items.map((e: Event) => [e.reason, e]));
    expect(Object.keys(byReason).sort()).toEqual(['BackOff', 'Pulled']);
    expect(byReason.BackOff!.count).toBe(3);
    expect(byReason.BackOff!.involvedObject.uid).toBe(target.metadata.uid);
    expect(byReason.BackOff!.source).toEqual({ component: 'client-test', host: 'here' });
  });
});
