import { describe, expect, it } from 'vitest';
import type { Endpoints, Pod } from '../api/types.js';
import { createRegistry } from '../metrics/registry.js';
import { createControllerManager } from './manager.js';
import { createFakeCluster } from './testing/fake-cluster.js';
import { makeRc, makeService } from './testing/objects.js';

describe('controller manager', () => {
  it('runs the enabled controllers on one informer factory', () => {
    const cluster = createFakeCluster();
    const all = createControllerManager({
      client: cluster.client,
      informerFactory: cluster.factory,
      clock: cluster.clock,
    });
    expect(all.controllers.map((c) => c.name)).toEqual([
      'replication',
      'endpoints',
      'nodelifecycle',
      'garbagecollector',
    ]);
    const some = createControllerManager({
      client: cluster.client,
      informerFactory: cluster.factory,
      clock: cluster.clock,
      controllers: { endpoints: false, garbageCollector: false },
    });
    expect(some.controllers.map((c) => c.name)).toEqual(['replication', 'nodelifecycle']);
  });

  it('converges an RC and a service, then stops on abort', async () => {
    const cluster = createFakeCluster();
    const registry = createRegistry({ component: 'test' });
    const cm = createControllerManager({
      client: cluster.client,
      informerFactory: cluster.factory,
      clock: cluster.clock,
      registry,
    });
    const stop = new AbortController();
    const done = cm.run(stop.signal);
    cluster.put('replicationcontrollers', makeRc('web', { replicas: 2 }));
    cluster.put('services', makeService('web'));
    await expect.poll(() => cluster.list<Pod>('pods').length).toBe(2);
    await expect.poll(() => cluster.get<Endpoints>('endpoints', 'default', 'web')?.metadata.name).toBe('web');
    expect(cm.hasSynced()).toBe(true);
    stop.abort();
    await done;
    const text = await registry.metrics();
    expect(text).toMatch(/replication_controller_sync_duration_seconds_count\{[^}]*result="success"/);
    expect(text).toMatch(/endpoint_controller_sync_duration_seconds_count/);
    expect(text).toMatch(/workqueue_adds_total\{name="garbage_collector"/);
  });
});
