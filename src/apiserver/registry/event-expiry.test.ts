import { afterAll, describe, expect, it } from 'vitest';
import { resourceByName } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { FakeClock, rfc3339 } from '../../util/clock.js';
import { silentLogger } from '../../util/log.js';
import { createMemoryStorage } from '../storage/memory/memory-store.js';
import { CachedObject } from '../watchcache/cached-object.js';
import { EventExpiry } from './event-expiry.js';
import { ObjectStore } from './object-store.js';

const storage = createMemoryStorage();
const store = new ObjectStore(storage, resourceByName('events')!);
afterAll(() => storage.close());

function event(name: string, lastTimestamp?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'default', creationTimestamp: lastTimestamp },
    involvedObject: { kind: 'Pod', name: 'p' },
    lastTimestamp,
  };
}

async function stored(obj: KubeObject): Promise<CachedObject> {
  const created = (await store.get('default', obj.metadata.name!)) ?? (await store.mustCreate(obj));
  return CachedObject.fromObject(
    'events',
    store.key('default', obj.metadata.name!),
    created,
    Number(created.metadata.resourceVersion),
  );
}

const settle = () => new Promise((r) => setImmediate(r));

describe('EventExpiry', () => {
  it('deletes an event ttl after its last write, re-arming on each change', async () => {
    const clock = new FakeClock();
    const expiry = new EventExpiry(store, clock, 60_000, silentLogger);
    const first = await stored(event('e1'));
    expiry.observe(first, 'ADDED');
    clock.advance(40_000);
    const updated = await store.guaranteedUpdate('default', 'e1', (o) => ({ ...o, count: 2 }));
    expiry.observe(
      CachedObject.fromObject(
        'events',
        first.key,
        updated.object,
        Number(updated.object.metadata.resourceVersion),
      ),
      'MODIFIED',
    );
    clock.advance(40_000);
    await settle();
    expect(await store.get('default', 'e1')).toBeDefined();
    clock.advance(20_000);
    await settle();
    expect(await store.get('default', 'e1')).toBeUndefined();
    expect(expiry.scheduled).toBe(0);
  });

  it('arms from timestamps after a restart and forgets deleted events', async () => {
    const clock = new FakeClock();
    const expiry = new EventExpiry(store, clock, 60_000, silentLogger);
    const old = await stored(event('old', rfc3339(clock.now() - 50_000)));
    const gone = await stored(event('gone', rfc3339(clock.now())));
    expiry.restore([old, gone]);
    expiry.observe(gone, 'DELETED');
    expect(expiry.scheduled).toBe(1);
    clock.advance(10_000);
    await settle();
    expect(await store.get('default', 'old')).toBeUndefined();
    expect(await store.get('default', 'gone')).toBeDefined();
    expiry.stop();
  });
});
