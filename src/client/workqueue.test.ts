import { describe, expect, it } from 'vitest';
import { createRegistry } from '../metrics/registry.js';
import { FakeClock } from '../util/clock.js';
import { eventually } from './testing/eventually.js';
import { runWorkers } from './workers.js';
import { createWorkQueue } from './workqueue.js';

/** Settles pending promise callbacks. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('work queue', () => {
  it('coalesces duplicate keys and hands them out in FIFO order', async () => {
    const q = createWorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('never hands a key to two workers: a key added while processing is queued again after done', async () => {
    const q = createWorkQueue();
    q.add('a');
    expect(await q.get()).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0); // held back while 'a' is processing
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await tick();
    expect(second).toBeUndefined();
    q.done('a');
    await tick();
    expect(second).toBe('a'); // exactly once, the two adds coalesced
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('wakes a waiting get() when a key arrives', async () => {
    const q = createWorkQueue<number>();
    const next = q.get();
    q.add(7);
    expect(await next).toBe(7);
  });

  it('adds after a delay; of two delays for one key the earlier wins', async () => {
    const clock = new FakeClock();
    const q = createWorkQueue({ clock });
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('a', 500);
    q.addAfter('now', 0);
    expect(q.len()).toBe(1);
    clock.advance(49);
    expect(q.len()).toBe(1);
    clock.advance(1);
    expect(q.len()).toBe(2);
    clock.advance(1000);
    expect(q.len()).toBe(2); // the later delays were dropped
  });

  it('backs off per key exponentially up to the maximum, and forget resets it', () => {
    const clock = new FakeClock();
    const scheduled: number[] = [];
    const q = createWorkQueue({
      clock: {
        now: () => clock.now(),
        setTimeout: (fn, ms) => {
          scheduled.push(ms);
          return clock.setTimeout(fn, ms);
        },
      },
      baseDelayMs: 5,
      maxDelayMs: 100,
    });
    for (let i = 0; i < 7; i++) {
      q.addRateLimited('a');
      clock.advance(1000); // lets each delayed add land, so the next one is a fresh schedule
    }
    expect(scheduled).toEqual([5, 10, 20, 40, 80, 100, 100]);
    expect(q.numRequeues('a')).toBe(7);
    q.addRateLimited('b');
    expect(scheduled.at(-1)).toBe(5); // independent per key
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
    q.addRateLimited('a');
    expect(scheduled.at(-1)).toBe(5);
  });

  it('on shutdown wakes idle workers with undefined, drains queued keys, and ignores new ones', async () => {
    const clock = new FakeClock();
    const q = createWorkQueue({ clock });
    const idle = q.get();
    q.shutdown();
    expect(await idle).toBeUndefined();

    const q2 = createWorkQueue({ clock });
    q2.add('queued');
    q2.addAfter('delayed', 10);
    q2.shutdown();
    q2.add('late');
    expect(q2.isShuttingDown()).toBe(true);
    expect(await q2.get()).toBe('queued');
    clock.advance(100);
    expect(await q2.get()).toBeUndefined();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('exports depth, adds, retries and durations on the registry', async () => {
    const registry = createRegistry({ component: 'test' });
    const clock = new FakeClock();
    const q = createWorkQueue({ clock, registry, name: 'rc' });
    createWorkQueue({ registry, name: 'endpoints' }); // a second queue shares the metrics
    q.add('a');
    q.add('b');
    q.add('a');
    clock.advance(250);
    const key = (await q.get())!;
    q.addRateLimited(key);
    q.done(key);
    const text = await registry.metrics();
    // One sample line of a metric for queue "rc" (label order is prom-client's business).
    const sample = (metric: string, extra = '') =>
      text
        .split('\n')
        .find((l) => l.startsWith(`${metric}{`) && l.includes('name="rc"') && l.includes(extra));
    expect(sample('workqueue_adds_total')).toMatch(/ 2$/);
    expect(sample('workqueue_depth')).toMatch(/ 1$/);
    expect(sample('workqueue_retries_total')).toMatch(/ 1$/);
    expect(sample('workqueue_queue_duration_seconds_bucket', 'le="0.1"')).toMatch(/ 0$/);
    expect(sample('workqueue_queue_duration_seconds_bucket', 'le="0.25"')).toMatch(/ 1$/);
    expect(sample('workqueue_work_duration_seconds_count')).toMatch(/ 1$/);
  });
});

describe('runWorkers', () => {
  it('processes keys concurrently but never one key twice at once, and forgets on success', async () => {
    const q = createWorkQueue();
    const ac = new AbortController();
    const active = new Set<string>();
    let maxParallel = 0;
    let overlap = false;
    const synced: string[] = [];
    const release: Array<() => void> = [];
    const sync = async (key: string) => {
      if (active.has(key)) overlap = true;
      active.add(key);
      maxParallel = Math.max(maxParallel, active.size);
      await new Promise<void>((resolve) => release.push(resolve));
      active.delete(key);
      synced.push(key);
    };
    const running = runWorkers(q, 3, sync, ac.signal);
    q.add('a');
    q.add('b');
    q.add('c');
    await eventually(() => release.length).toBe(3);
    q.add('a'); // re-added while processing
    await tick();
    expect(release.length).toBe(3);
    for (const r of release.splice(0)) r();
    await eventually(() => release.length).toBe(1); // 'a' again, after its first sync finished
    for (const r of release.splice(0)) r();
    await eventually(() => synced.length).toBe(4);
    expect(overlap).toBe(false);
    expect(maxParallel).toBe(3);
    ac.abort();
    await running;
  });

  it('requeues a failing key with backoff until it succeeds, then forgets its failures', async () => {
    const clock = new FakeClock();
    const q = createWorkQueue({ clock, baseDelayMs: 10 });
    const ac = new AbortController();
    let calls = 0;
    const running = runWorkers(
      q,
      1,
      async () => {
        calls++;
        if (calls < 3) throw new Error('not yet');
      },
      ac.signal,
    );
    q.add('k');
    await eventually(() => calls).toBe(1);
    await eventually(() => q.numRequeues('k')).toBe(1);
    clock.advance(9);
    await tick();
    expect(calls).toBe(1);
    clock.advance(1);
    await eventually(() => calls).toBe(2);
    await eventually(() => q.numRequeues('k')).toBe(2);
    clock.advance(20);
    await eventually(() => calls).toBe(3);
    await eventually(() => q.numRequeues('k')).toBe(0);
    ac.abort();
    await running;
  });

  it('drops a key after maxRetries failures', async () => {
    const clock = new FakeClock();
    const q = createWorkQueue({ clock, baseDelayMs: 1 });
    const ac = new AbortController();
    let calls = 0;
    const running = runWorkers(
      q,
      1,
      async () => {
        calls++;
        throw new Error('always');
      },
      ac.signal,
      { maxRetries: 2 },
    );
    q.add('k');
    for (let i = 0; i < 5; i++) {
      await tick();
      clock.advance(100);
    }
    await tick();
    expect(calls).toBe(3);
    expect(q.numRequeues('k')).toBe(0);
    ac.abort();
    await running;
  });

  it('returns once aborted, after the in-flight sync', async () => {
    const q = createWorkQueue();
    const ac = new AbortController();
    let finish!: () => void;
    const running = runWorkers(q, 2, () => new Promise<void>((r) => (finish = r)), ac.signal);
    q.add('x');
    await eventually(() => finish !== undefined).toBe(true);
    ac.abort();
    let returned = false;
    void running.then(() => (returned = true));
    await tick();
    expect(returned).toBe(false);
    finish();
    await running;
    expect(q.isShuttingDown()).toBe(true);
  });
});
