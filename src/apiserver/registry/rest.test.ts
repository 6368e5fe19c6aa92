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
    labelsOnly.metadata.uid = 'forged';
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
});
