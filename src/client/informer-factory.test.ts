import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pod } from '../api/types.js';
import { createInformerFactory } from './informer-factory.js';
import { eventually } from './testing/eventually.js';
import { useFakeApiServer } from './testing/fixture.js';

const fx = useFakeApiServer();
let abort: AbortController;

beforeEach(async () => {
  abort = new AbortController();
});

afterEach(async () => {
  abort.abort();
});

const pod = (name: string, nodeName: string): Pod => ({
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c' }], nodeName },
});

describe('shared informer factory', () => {
  it('hands every user of the same resource and selectors one informer, one list and one watch', async () => {
    fx.server.put('pods', pod('a', 'n1'));
    const factory = createInformerFactory(fx.client);
    const forScheduler = factory.informer('pods', { indexers: { node: (p) => [p.spec.nodeName ?? ''] } });
    const forEndpoints = factory.informer('pods', { indexers: { ns: (p) => [p.metadata.namespace ?? ''] } });
    const other = factory.informer('pods', { fieldSelector: 'spec.nodeName=n1' });
    expect(forEndpoints).toBe(forScheduler);
    expect(other).not.toBe(forScheduler);

    factory.start(abort.signal);
    expect(() => factory.start(abort.signal)).toThrow(/already started/);
    expect(await factory.waitForSync(abort.signal)).toBe(true);
    // The indexers of both users live in the one shared cache.
    expect(forScheduler.store.byIndex('node', 'n1')).toHaveLength(1);
    expect(forScheduler.store.byIndex('ns', 'default')).toHaveLength(1);
    await eventually(() => fx.server.openWatches()).toBe(2);
    expect(fx.server.count({ resource: 'pods', watch: false })).toBe(2);
    abort.abort();
    await factory.stopped();
  });

  it('starts informers requested after the factory started', async () => {
    fx.server.put('nodes', { metadata: { name: 'n1' } });
    const factory = createInformerFactory(fx.client);
    factory.start(abort.signal);
    const nodes = factory.informer('nodes');
    expect(await nodes.waitForSync(abort.signal)).toBe(true);
    expect(nodes.store.keys()).toEqual(['n1']);
  });
});
