// The loop against a fake API: assume-before-bind, bind failures, event-driven retries, events and
// the PodScheduled condition.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import type { Pod, PodCondition } from '../api/types.js';
import { createRegistry } from '../metrics/registry.js';
import { FakeClock } from '../util/clock.js';
import { silentLogger } from '../util/log.js';
import { createSchedulerMetrics } from './metrics.js';
import { createDefaultFramework } from './profile.js';
import { type SchedulerApi, SchedulerCore } from './scheduler.js';
import { makeNode, makePod } from './testing/objects.js';

class FakeApi implements SchedulerApi {
  binds: Array<{ pod: string; node: string; resolve: () => void; reject: (e: unknown) => void }> = [];
  conditions: Array<{ pod: string; condition: PodCondition }> = [];
  events: Array<{ pod: string; type: string; reason: string; message: string }> = [];
  autoBind = true;

  bind(pod: Pod, node: string): Promise<void> {
    if (this.autoBind) {
      this.binds.push({ pod: pod.metadata.name!, node, resolve: () => {}, reject: () => {} });
      return Promise.resolve();
    }
    return new Promise((resolve, reject) =>
      this.binds.push({ pod: pod.metadata.name!, node, resolve, reject }),
    );
  }
  async updatePodCondition(pod: Pod, condition: PodCondition): Promise<void> {
    this.conditions.push({ pod: pod.metadata.name!, condition });
  }
  event(pod: Pod, type: string, reason: string, message: string): void {
    this.events.push({ pod: pod.metadata.name!, type, reason, message });
  }
}

const controllers: AbortController[] = [];
afterEach(() => {
  for (const c of controllers.splice(0)) c.abort();
});

function setup(options: { unschedulableFlushMs?: number } = {}) {
  const api = new FakeApi();
  const clock = new FakeClock();
  const registry = createRegistry({ component: 'scheduler' });
  let core: SchedulerCore | undefined;
  const metrics = createSchedulerMetrics(registry, 'default-scheduler', () => core!.queue.lengths());
  core = new SchedulerCore({
    api,
    framework: createDefaultFramework('default-scheduler'),
    clock,
    logger: silentLogger,
    metrics,
    ...options,
  });
  const ac = new AbortController();
  controllers.push(ac);
  const running = core.run(ac.signal);
  return { api, clock, core, registry, running };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

describe('SchedulerCore', () => {
  it('binds pending pods and records Scheduled events', async () => {
    const { api, core, registry } = setup();
    core.onNode(makeNode('node-1'));
    core.onPod(makePod('web-1'));
    await settle();
    await core.whenIdle();
    expect(api.binds.map((b) => [b.pod, b.node])).toEqual([['web-1', 'node-1']]);
    expect(api.events).toEqual([
      {
        pod: 'web-1',
        type: 'Normal',
        reason: 'Scheduled',
        message: 'Successfully assigned default/web-1 to node-1',
      },
    ]);
    const text = await registry.metrics();
    expect(text).toMatch(
      /scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"[^}]*\} 1/,
    );
  });

  it('ignores pods of other schedulers, bound pods and pods being deleted', async () => {
    const { api, core } = setup();
    core.onNode(makeNode('node-1'));
    core.onPod(makePod('other', { schedulerName: 'my-scheduler' }));
    core.onPod(makePod('bound', { nodeName: 'node-1' }));
    const deleting = makePod('deleting');
    deleting.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
    core.onPod(deleting);
    await settle();
    expect(api.binds).toEqual([]);
    expect(core.queue.lengths()).toEqual({ active: 0, backoff: 0, unschedulable: 0 });
  });

  it('never over-commits a node while binds are in flight', async () => {
    const { api, core } = setup();
    api.autoBind = false;
    core.onNode(makeNode('node-1', { cpu: '2' }));
    core.onNode(makeNode('node-2', { cpu: '2' }));
    for (let i = 0; i < 5; i++) core.onPod(makePod(`p${i}`, { cpu: '1' }));
    await settle();
    // Four fit (two per node) with all binds still outstanding; the fifth waits.
    expect(api.binds.length).toBe(4);
    const perNode = new Map<string, number>();
    for (const b of api.binds) perNode.set(b.node, (perNode.get(b.node) ?? 0) + 1);
    expect([...perNode.values()]).toEqual([2, 2]);
    expect(core.bindsInFlight).toBe(4);
    expect(core.queue.lengths().unschedulable).toBe(1);
    const failed = api.events.find((e) => e.reason === 'FailedScheduling');
    expect(failed?.message).toBe('0/2 nodes are available: 2 Insufficient cpu.');
    expect(api.conditions[0]?.condition).toMatchObject({
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
    });
  });

  it('forgets the assumption when a bind fails, and retries the pod after backoff', async () => {
    const { api, clock, core } = setup();
    api.autoBind = false;
    core.onNode(makeNode('node-1', { cpu: '1' }));
    core.onPod(makePod('a', { cpu: '1' }));
    core.onPod(makePod('b', { cpu: '1' }));
    await settle();
    expect(api.binds.map((b) => b.pod)).toEqual(['a']);
    api.binds[0]!.reject(new ApiError('InternalError', 'etcd is sad'));
    await settle();
    // The freed room makes b worth a retry and a waits out its backoff; both after one second.
    expect(core.cache.getNode('node-1')!.podCount).toBe(0);
    expect(core.queue.queueOf('default/a')).toBe('backoff');
    expect(core.queue.queueOf('default/b')).toBe('backoff');
    expect(api.events.some((e) => e.pod === 'a' && e.message === 'Binding rejected: etcd is sad')).toBe(true);
    clock.advance(1000);
    await settle();
    // b has waited longer, so it goes first and takes the node.
    expect(api.binds.map((b) => b.pod)).toEqual(['a', 'b']);
    expect(core.queue.queueOf('default/a')).toBe('unschedulable');
  });

  it('drops the assumption on a conflict without retrying', async () => {
    const { api, core } = setup();
    api.autoBind = false;
    core.onNode(makeNode('node-1', { cpu: '1' }));
    core.onPod(makePod('a', { cpu: '1' }));
    await settle();
    api.binds[0]!.reject(new ApiError('Conflict', 'pod a is already assigned to node "node-2"'));
    await settle();
    expect(core.cache.getNode('node-1')!.podCount).toBe(0);
    expect(core.queue.queueOf('default/a')).toBeUndefined();
  });

  it('schedules an unschedulable pod as soon as a fitting node appears, not on heartbeats', async () => {
    const { api, clock, core } = setup();
    core.onNode(makeNode('small', { cpu: '1' }));
    core.onPod(makePod('big', { cpu: '2' }));
    await settle();
    expect(core.queue.queueOf('default/big')).toBe('unschedulable');
    // A heartbeat and an unrelated new small node change nothing for it.
    const beat = makeNode('small', { cpu: '1' });
    beat.status!.conditions![0]!.lastHeartbeatTime = '2030-01-01T00:00:00Z';
    core.onNode(beat);
    core.onNode(makeNode('small-2', { cpu: '1' }));
    expect(core.queue.queueOf('default/big')).toBe('unschedulable');
    core.onNode(makeNode('large', { cpu: '4' }));
    // Tried a moment ago: it first waits out its one-second backoff.
    expect(core.queue.queueOf('default/big')).toBe('backoff');
    clock.advance(1000);
    await settle();
    expect(api.binds.map((b) => [b.pod, b.node])).toEqual([['big', 'large']]);
  });

  it('retries a pod when a bound pod is deleted and frees its node', async () => {
    const { api, clock, core } = setup();
    core.onNode(makeNode('node-1', { cpu: '1' }));
    core.onPod(makePod('old', { cpu: '1', nodeName: 'node-1' }));
    core.onPod(makePod('new', { cpu: '1' }));
    await settle();
    expect(core.queue.queueOf('default/new')).toBe('unschedulable');
    clock.advance(2000);
    core.onPodDelete(makePod('old', { cpu: '1', nodeName: 'node-1' }));
    await settle();
    expect(api.binds.map((b) => b.pod)).toEqual(['new']);
  });

  it('records each failure but patches an unchanged PodScheduled condition only once', async () => {
    const { api, clock, core } = setup({ unschedulableFlushMs: 10_000 });
    core.onNode(makeNode('node-1', { cpu: '1' }));
    const pod = makePod('big', { cpu: '2' });
    core.onPod(pod);
    await settle();
    expect(api.conditions.length).toBe(1);
    // The informer shows our condition (a status-only change: the pod stays unschedulable).
    core.onPod({ ...pod, status: { phase: 'Pending', conditions: [api.conditions[0]!.condition] } });
    expect(core.queue.queueOf('default/big')).toBe('unschedulable');
    // Irrelevant changes do not retry it; the safety flush does.
    core.onNode(makeNode('node-1', { cpu: '1', labels: { x: 'y' } }));
    expect(core.queue.queueOf('default/big')).toBe('unschedulable');
    clock.advance(10_000);
    await settle();
    expect(api.events.filter((e) => e.reason === 'FailedScheduling').length).toBe(2);
    expect(api.conditions.length).toBe(1);
  });
});
