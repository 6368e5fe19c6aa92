import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../util/clock.js';
import { startCompactor } from './compactor.js';
import { createMemoryStorage } from './memory/memory-store.js';

const settle = () => new Promise((r) => setImmediate(r));

describe('startCompactor', () => {
  it('compacts each interval to the revision seen one interval before, keeping a minimum of history', async () => {
    const store = createMemoryStorage();
    const write = async (n: number) => {
      for (let i = 0; i < n; i++) await store.create(`/registry/x/ns/k${Math.random()}`, new Uint8Array(1));
    };
    await write(30);
    const clock = new FakeClock();
    const compactor = startCompactor(store, { intervalMs: 60_000, minRetainedRevisions: 5, clock });
    await settle(); // the first round only remembers revision 30
    await write(20);
    clock.advance(60_000);
    await settle();
    expect(await store.compactedRevision()).toBe(30);
    await write(2);
    clock.advance(60_000);
    await settle();
    // Seen one interval ago: 50, but at most current - 5 = 47.
    expect(await store.compactedRevision()).toBe(47);
    compactor.stop();
    await write(10);
    clock.advance(600_000);
    await settle();
    expect(await store.compactedRevision()).toBe(47);
    expect(clock.pendingTimers()).toBe(0);
    await store.close();
  });

  it('does nothing with interval 0 except on demand', async () => {
    const store = createMemoryStorage();
    const compactor = startCompactor(store, {
      intervalMs: 0,
      minRetainedRevisions: 0,
      clock: new FakeClock(),
    });
    await store.create('/a', new Uint8Array(1));
    expect(await compactor.runOnce()).toBeUndefined();
    await store.create('/b', new Uint8Array(1));
    expect(await compactor.runOnce()).toBe(1);
    expect(await store.compactedRevision()).toBe(1);
    await store.close();
  });
});
