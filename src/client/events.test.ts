import { describe, expect, it } from 'vitest';
import type { Event, Pod } from '../api/types.js';
import { FakeClock } from '../util/clock.js';
import { createEventRecorder } from './events.js';
import { useFakeApiServer } from './testing/fixture.js';

const fx = useFakeApiServer();

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'prod', uid: 'uid-1', resourceVersion: '42' },
  spec: { containers: [] },
};

async function events(): Promise<Event[]> {
  return (await fx.client.events.list()).items;
}

describe('event recorder', () => {
  it('creates a core/v1 Event with the involved object, source, timestamps and count', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    const recorder = createEventRecorder(fx.client, {
      component: 'default-scheduler',
      host: 'node-1',
      clock,
    });
    recorder.record(pod, 'Normal', 'Scheduled', 'Successfully assigned prod/web-1 to node-1');
    await recorder.flush();
    const [event, ...rest] = await events();
    expect(rest).toEqual([]);
    expect(event!.metadata.name).toMatch(/^web-1\.[0-9a-f]+$/);
    expect(event!.metadata.namespace).toBe('prod');
    expect(event).toMatchObject({
      involvedObject: {
        kind: 'Pod',
        apiVersion: 'v1',
        namespace: 'prod',
        name: 'web-1',
        uid: 'uid-1',
        resourceVersion: '42',
      },
      type: 'Normal',
      reason: 'Scheduled',
      message: 'Successfully assigned prod/web-1 to node-1',
      source: { component: 'default-scheduler', host: 'node-1' },
      firstTimestamp: '2026-01-02T03:04:05Z',
      lastTimestamp: '2026-01-02T03:04:05Z',
      count: 1,
      reportingComponent: 'default-scheduler',
      reportingInstance: 'node-1',
    });
  });

  it('puts events about cluster-scoped objects in "default"', async () => {
    const recorder = createEventRecorder(fx.client, { component: 'kubelet' });
    recorder.record(
      { kind: 'Node', apiVersion: 'v1', metadata: { name: 'node-1' } },
      'Normal',
      'Starting',
      'hi',
    );
    await recorder.flush();
    expect((await events())[0]!.metadata.namespace).toBe('default');
  });

  it('aggregates repeats into one Event: count and lastTimestamp by PATCH, repeats in flight folded', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const recorder = createEventRecorder(fx.client, { component: 'kubelet', clock });
    recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    clock.advance(5_000);
    recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    await recorder.flush();
    let all = await events();
    expect(all).toHaveLength(1);
    expect(all[0]!.count).toBe(3);
    expect(all[0]!.firstTimestamp).toBe('2026-01-01T00:00:00Z');
    expect(all[0]!.lastTimestamp).toBe('2026-01-01T00:00:05Z');
    expect(fx.server.count({ resource: 'events', method: 'POST' })).toBe(1);
    expect(fx.server.count({ resource: 'events', method: 'PATCH' })).toBe(1); // the two repeats, one write

    clock.advance(60_000);
    recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    await recorder.flush();
    all = await events();
    expect(all[0]!.count).toBe(4);
    expect(all[0]!.lastTimestamp).toBe('2026-01-01T00:01:05Z');
  });

  it('keeps events with another message, reason, type or object apart', async () => {
    const recorder = createEventRecorder(fx.client, { component: 'kubelet' });
    recorder.record(pod, 'Normal', 'Pulled', 'image a');
    recorder.record(pod, 'Normal', 'Pulled', 'image b');
    recorder.record(pod, 'Normal', 'Created', 'image a');
    recorder.record(pod, 'Warning', 'Pulled', 'image a');
    recorder.record({ ...pod, metadata: { ...pod.metadata, name: 'web-2' } }, 'Normal', 'Pulled', 'image a');
    await recorder.flush();
    expect(await events()).toHaveLength(5);
  });

  it('starts a new Event once the aggregation window has passed', async () => {
    const clock = new FakeClock();
    const recorder = createEventRecorder(fx.client, {
      component: 'kubelet',
      clock,
      aggregationWindowMs: 1000,
    });
    recorder.record(pod, 'Normal', 'Started', 'x');
    await recorder.flush();
    clock.advance(1001);
    recorder.record(pod, 'Normal', 'Started', 'x');
    await recorder.flush();
    expect((await events()).map((e) => e.count)).toEqual([1, 1]);
  });

  it('re-creates the Event when the one it would patch is gone', async () => {
    const recorder = createEventRecorder(fx.client, { component: 'kubelet' });
    recorder.record(pod, 'Normal', 'Started', 'x');
    await recorder.flush();
    const [first] = await events();
    fx.server.remove('events', 'prod', first!.metadata.name!);
    recorder.record(pod, 'Normal', 'Started', 'x');
    await recorder.flush();
    const all = await events();
    expect(all).toHaveLength(1);
    expect(all[0]!.metadata.name).not.toBe(first!.metadata.name);
    expect(all[0]!.count).toBe(2);
  });

  it('never throws or blocks the caller when the server fails; the next record tries again', async () => {
    const recorder = createEventRecorder(fx.client, { component: 'kubelet' });
    fx.server.failNext({ resource: 'events', method: 'POST', code: 500 });
    expect(recorder.record(pod, 'Normal', 'Started', 'x')).toBeUndefined();
    await recorder.flush();
    expect(await events()).toEqual([]);
    recorder.record(pod, 'Normal', 'Started', 'x');
    await recorder.flush();
    expect((await events()).map((e) => e.count)).toEqual([1]);
  });

  it('drops distinct events beyond the queue bound instead of growing', async () => {
    const recorder = createEventRecorder(fx.client, { component: 'kubelet', queueSize: 3, concurrency: 1 });
    for (let i = 0; i < 10; i++) recorder.record(pod, 'Normal', 'Started', `message ${i}`);
    await recorder.flush();
    // One write starts at once; three wait; the other six are dropped.
    expect(await events()).toHaveLength(4);
  });
});
