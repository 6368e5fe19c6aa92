import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { FakeClock } from '../../util/clock.js';
import type { WriteQuery } from '../http/query.js';
import { createMemoryStorage } from '../storage/memory/memory-store.js';
import type { Storage } from '../storage/types.js';
import { deleteObject } from './deletion.js';
import { ObjectStore } from './object-store.js';
import { ResourceRest } from './rest.js';
import { strategies } from './strategies.js';

const write: WriteQuery = { dryRun: false, fieldManager: undefined, fieldValidation: 'Ignore', force: false };
const dry: WriteQuery = { ...write, dryRun: true };

function rc(name: string, replicas = 1): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { app: name },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  };
}

function pod(name: string, extra: Partial<KubeObject['metadata']> = {}, nodeName?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...extra },
    spec: { containers: [{ name: 'c', image: 'busybox' }], nodeName },
  };
}

describe('ResourceRest (strategies, concurrency, deletion)', () => {
  let storage: Storage;
  let clock: FakeClock;
  const restFor = (resource: string) =>
    new ResourceRest(
      new ObjectStore(storage, strategies.get(resource)!.resource),
      strategies.get(resource)!,
      {
        clock,
        admission: [],
      },
    );

  beforeEach(() => {
    storage = createMemoryStorage();
    clock = new FakeClock(Date.parse('2026-01-02T03:04:05Z'));
  });
  afterEach(() => storage.close());

  it('fills server metadata and defaults on create; dry runs store nothing', async () => {
    const rcs = restFor('replicationcontrollers');
    const { object } = await rcs.create('default', rc('web'), write);
    expect(object.metadata).toMatchObject({ generation: 1, creationTimestamp: '2026-01-02T03:04:05Z' });
    expect(object.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(object.status).toEqual({ replicas: 0 });
    const dryRun = await rcs.create('default', rc('dry'), dry);
    expect(dryRun.object.metadata.uid).toBeDefined();
    expect(await rcs.store.get('default', 'dry')).toBeUndefined();
  });

  it('bumps generation on spec changes only, keeps status and identity on main updates', async () => {
    const rcs = restFor('replicationcontrollers');
    const created = (await rcs.create('default', rc('web'), write)).object;
    const labelsOnly = structuredClone(created);
    labelsOnly.metadata.labels = { a: 'b' };
    delete labelsOnly.metadata.uid;
    labelsOnly.status = { replicas: 9 };
    const updated = (await rcs.update('default', 'web', labelsOnly, write, 'main')).object;
    expect(updated.metadata.generation).toBe(1);
    expect(updated.metadata.uid).toBe(created.metadata.uid);
    expect(updated.status).toEqual({ replicas: 0 });
    const specChange = { ...structuredClone(updated), spec: { ...(updated.spec as object), replicas: 3 } };
    expect((await rcs.update('default', 'web', specChange, write, 'main')).object.metadata.generation).toBe(
      2,
    );
    const status = { ...structuredClone(updated), status: { replicas: 3 } };
    status.metadata.resourceVersion = undefined;
    const afterStatus = (await rcs.update('default', 'web', status, write, 'status')).object;
    expect(afterStatus.status).toEqual({ replicas: 3 });
    expect((afterStatus.spec as { replicas: number }).replicas).toBe(3);
    expect(afterStatus.metadata.generation).toBe(2);
  });

  it('answers a stale resourceVersion with 409 and an unchanged update without a write', async () => {
    const rcs = restFor('replicationcontrollers');
    const created = (await rcs.create('default', rc('web'), write)).object;
    await rcs.update(
      'default',
      'web',
      { ...structuredClone(created), spec: { ...(created.spec as object), replicas: 2 } },
      write,
      'main',
    );
    await expect(rcs.update('default', 'web', created, write, 'main')).rejects.toMatchObject({
      reason: 'Conflict',
      message: expect.stringContaining('the object has been modified'),
    });
    const current = (await rcs.store.mustGet('default', 'web')) as KubeObject;
    const same = await rcs.update('default', 'web', structuredClone(current), write, 'main');
    expect(same.object.metadata.resourceVersion).toBe(current.metadata.resourceVersion);
  });

  it('retries generateName on collisions and rejects invalid objects with 422', async () => {
    const pods = restFor('pods');
    const names = new Set<string>();
    for (let i = 0; i < 20; i++) {
      names.add((await pods.create('default', pod('', { generateName: 'x-' }), write)).object.metadata.name!);
    }
    expect(names.size).toBe(20);
    const bad = pod('bad');
    (bad.spec as { containers: unknown[] }).containers = [];
    await expect(pods.create('default', bad, write)).rejects.toMatchObject({
      reason: 'Invalid',
      httpCode: 422,
    });
  });

  it('deletes bound pods gracefully and lets a zero grace period finish it', async () => {
    const pods = restFor('pods');
    await pods.create('default', pod('p', {}, 'node-1'), write);
    const first = await deleteObject(pods, 'default', 'p', {}, false);
    expect(first.deleted).toBe(false);
    expect(first.object.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(first.object.metadata.deletionTimestamp).toBe('2026-01-02T03:04:35Z');
    const again = await deleteObject(pods, 'default', 'p', {}, false);
    expect(again.object.metadata.resourceVersion).toBe(first.object.metadata.resourceVersion);
    const final = await deleteObject(pods, 'default', 'p', { gracePeriodSeconds: 0 }, false);
    expect(final.deleted).toBe(true);
    expect(await pods.store.get('default', 'p')).toBeUndefined();
  });

  it('holds objects with finalizers until the last one is removed; Orphan adds the orphan finalizer', async () => {
    const pods = restFor('pods');
    await pods.create('default', pod('f', { finalizers: ['x/y'] }), write);
    const held = await deleteObject(pods, 'default', 'f', { propagationPolicy: 'Orphan' }, false);
    expect(held.deleted).toBe(false);
    expect(held.object.metadata.finalizers).toEqual(['x/y', 'orphan']);
    const cleared = structuredClone(held.object);
    cleared.metadata.finalizers = [];
    const result = await pods.update('default', 'f', cleared, write, 'main');
    expect(result.object.metadata.name).toBe('f');
    expect(await pods.store.get('default', 'f')).toBeUndefined();
  });

  it('checks delete preconditions', async () => {
    const pods = restFor('pods');
    const created = (await pods.create('default', pod('p'), write)).object;
    await expect(
      deleteObject(pods, 'default', 'p', { preconditions: { uid: 'other' } }, false),
    ).rejects.toMatchObject({
      reason: 'Conflict',
    });
    await expect(
      deleteObject(pods, 'default', 'p', { preconditions: { uid: created.metadata.uid } }, true),
    ).resolves.toMatchObject({ deleted: true });
    expect(await pods.store.get('default', 'p')).toBeDefined();
  });

  it('treats a uid in a PUT body as a precondition (409) and refuses a patch that changes it (422)', async () => {
    const pods = restFor('pods');
    const created = (await pods.create('default', pod('u'), write)).object;
    const uid = created.metadata.uid!;
    for (const target of ['main', 'status'] as const) {
      const forged = structuredClone(created);
      forged.metadata.uid = 'forged';
      await expect(pods.update('default', 'u', forged, write, target)).rejects.toMatchObject({
        reason: 'Conflict',
        httpCode: 409,
        message: `Operation cannot be fulfilled on pods "u": Precondition failed: UID in precondition: forged, UID in object meta: ${uid}`,
      });
    }
    // The uid precondition comes before the resourceVersion check, as in Kubernetes.
    const staleAndForged = { ...structuredClone(created), metadata: { ...created.metadata, uid: 'x' } };
    await pods.patch('default', 'u', 'merge', { metadata: { labels: { a: 'b' } } }, write, 'main');
    await expect(pods.update('default', 'u', staleAndForged, write, 'main')).rejects.toMatchObject({
      message: expect.stringContaining('UID in precondition: x'),
    });
    for (const target of ['main', 'status'] as const) {
      await expect(
        pods.patch('default', 'u', 'merge', { metadata: { uid: 'forged' } }, write, target),
      ).rejects.toMatchObject({
        reason: 'Invalid',
        httpCode: 422,
        message: 'Pod "u" is invalid: metadata.uid: Invalid value: "forged": field is immutable',
      });
    }
    const same = structuredClone((await pods.store.mustGet('default', 'u')) as KubeObject);
    same.metadata.labels = { ok: 'yes' };
    expect((await pods.update('default', 'u', same, write, 'main')).object.metadata).toMatchObject({
      uid,
      labels: { ok: 'yes' },
    });
    expect(
      (await pods.patch('default', 'u', 'merge', { metadata: { uid } }, write, 'main')).object.metadata.uid,
    ).toBe(uid);
  });

  it('computes the QoS class from defaulted resources (requests default to limits)', async () => {
    const pods = restFor('pods');
    const withResources = (name: string, ...resources: object[]) => {
      const p = pod(name);
      (p.spec as { containers: object[] }).containers = resources.map((r, i) => ({
        name: `c${i}`,
        image: 'busybox',
        resources: r,
      }));
      return p;
    };
    const cases: Array<[KubeObject, string]> = [
      [withResources('limits-only', { limits: { cpu: '500m', memory: '64Mi' } }), 'Guaranteed'],
      [
        withResources('other-units', {
          requests: { cpu: '0.5', memory: '67108864' },
          limits: { cpu: '500m', memory: '64Mi' },
        }),
        'Guaranteed',
      ],
      [withResources('cpu-limit-only', { limits: { cpu: '1' } }), 'Burstable'],
      [
        withResources('requests-below', { requests: { cpu: '1' }, limits: { cpu: '2', memory: '1Gi' } }),
        'Burstable',
      ],
      [withResources('none', {}), 'BestEffort'],
    ];
    for (const [p, qos] of cases) {
      const created = (await pods.create('default', p, write)).object;
      expect([created.metadata.name, (created.status as { qosClass: string }).qosClass]).toEqual([
        p.metadata.name,
        qos,
      ]);
    }
  });

  it("keeps a namespace's spec.finalizers from the stored object on updates and patches", async () => {
    const namespaces = restFor('namespaces');
    await namespaces.create('', { metadata: { name: 'kept' } }, write);
    const changed = structuredClone((await namespaces.store.mustGet('', 'kept')) as KubeObject);
    changed.spec = { finalizers: ['other'] };
    expect((await namespaces.update('', 'kept', changed, write, 'main')).object.spec).toEqual({
      finalizers: ['kubernetes'],
    });
    // Stored without finalizers (written before defaults existed, or finalized): none are added back.
    await namespaces.store.mustCreate({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'bare', uid: 'u1' },
    });
    const bare = (
      await namespaces.patch('', 'bare', 'merge', { metadata: { labels: { a: 'b' } } }, write, 'main')
    ).object;
    expect(bare.spec).toEqual({ finalizers: [] });
    expect(bare.metadata.labels).toEqual({ a: 'b' });
    await namespaces.update(
      '',
      'kept',
      { metadata: { name: 'kept' }, spec: { finalizers: [] } },
      write,
      'finalize',
    );
    const afterFinalize = await namespaces.update('', 'kept', { metadata: { name: 'kept' } }, write, 'main');
    expect(afterFinalize.object.spec).toEqual({ finalizers: [] });
  });

  it('drops empty metadata maps and lists, as Kubernetes never shows them', async () => {
    const pods = restFor('pods');
    const p = pod('empty', { labels: {}, annotations: {}, finalizers: [], ownerReferences: [] });
    const created = (await pods.create('default', p, write)).object;
    expect(Object.keys(created.metadata).sort()).toEqual([
      'creationTimestamp',
      'generation',
      'name',
      'namespace',
      'resourceVersion',
      'uid',
    ]);
    const patched = await pods.patch(
      'default',
      'empty',
      'strategic',
      { metadata: { annotations: {}, labels: { a: 'b' } } },
      write,
      'main',
    );
    expect(patched.object.metadata.annotations).toBeUndefined();
    expect(patched.object.metadata.labels).toEqual({ a: 'b' });
  });
});
