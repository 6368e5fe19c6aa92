import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../util/clock.js';
import { NodeInfo } from '../framework/node-info.js';
import { newPodInfo } from '../framework/pod-info.js';
import { makeNode, makePod, type PodSpecOptions } from '../testing/objects.js';
import { SchedulingQueue } from './scheduling-queue.js';

const pluginEvents = new Map([
  ['NodeResourcesFit', ['NodeAdd', 'NodeAllocatable', 'PodDelete'] as const],
  ['NodeSelector', ['NodeAdd', 'NodeLabel'] as const],
]);

function setup(o: { flushMs?: number } = {}) {
  const clock = new FakeClock();
  const queue = new SchedulingQueue({ clock, pluginEvents, unschedulableFlushMs: o.flushMs });
  const info = (name: string, p: PodSpecOptions = {}) => newPodInfo(makePod(name, p));
  return { clock, queue, info };
}

const node = () => {
  const n = new NodeInfo('n1');
  n.setNode(makeNode('n1'));
  return n;
};
const always = () => true;

describe('SchedulingQueue', () => {
  it('pops by priority, then by arrival', () => {
    const { clock, queue, info } = setup();
    queue.add(info('low-1'));
    clock.advance(1);
    queue.add(info('high', { priority: 10 }));
    clock.advance(1);
    queue.add(info('low-2'));
    expect([queue.pop(), queue.pop(), queue.pop()].map((q) => q?.info.key)).toEqual([
      'default/high',
      'default/low-1',
      'default/low-2',
    ]);
    expect(queue.pop()).toBeUndefined();
  });

  it('backs off failed pods 1 s, 2 s, 4 s … capped at 10 s', () => {
    const { clock, queue, info } = setup();
    queue.add(info('p'));
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const qp = queue.pop()!;
      expect(qp.attempts).toBe(attempt);
      queue.addBackoff(qp);
      let waited = 0;
      while (queue.lengths().active === 0) {
        clock.advance(100);
        waited += 100;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it('keeps unschedulable pods out until a relevant event, and never on a short timer', () => {
    const { clock, queue, info } = setup();
    queue.add(info('p'));
    queue.addUnschedulable(queue.pop()!, new Set(['NodeSelector']));
    clock.advance(60_000);
    expect(queue.lengths()).toEqual({ active: 0, backoff: 0, unschedulable: 1 });
    // NodeSelector does not care about allocatable changes or pod deletions.
    expect(queue.onClusterEvent({ kind: 'NodeAllocatable', node: node() }, always)).toBe(0);
    expect(queue.onClusterEvent({ kind: 'PodDelete', node: node() }, always)).toBe(0);
    // The hint decides: a labelled node that still does not match leaves it alone.
    expect(queue.onClusterEvent({ kind: 'NodeLabel', node: node() }, () => false)).toBe(0);
    expect(queue.onClusterEvent({ kind: 'NodeLabel', node: node() }, always)).toBe(1);
    expect(queue.lengths()).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
  });

  it('sends a moved pod to backoffQ while its backoff lasts', () => {
    const { clock, queue, info } = setup();
    queue.add(info('p'));
    queue.addUnschedulable(queue.pop()!, new Set(['NodeResourcesFit']));
    clock.advance(200);
    queue.onClusterEvent({ kind: 'NodeAdd', node: node() }, always);
    expect(queue.lengths()).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
    clock.advance(800);
    expect(queue.lengths()).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
  });

  it('flushes unschedulable pods after the safety period', () => {
    const { clock, queue, info } = setup({ flushMs: 300_000 });
    queue.add(info('p'));
    queue.addUnschedulable(queue.pop()!, new Set(['NodeSelector']));
    clock.advance(299_999);
    expect(queue.lengths().unschedulable).toBe(1);
    clock.advance(1);
    expect(queue.lengths()).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
  });

  it('retries an unschedulable pod whose spec changed, not one whose status changed', () => {
    const { clock, queue, info } = setup();
    queue.add(info('p'));
    queue.addUnschedulable(queue.pop()!, new Set(['NodeSelector']));
    clock.advance(5_000);
    const withStatus = makePod('p');
    withStatus.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] };
    queue.update(newPodInfo(withStatus));
    expect(queue.queueOf('default/p')).toBe('unschedulable');
    queue.update(info('p', { labels: { fixed: 'yes' } }));
    expect(queue.queueOf('default/p')).toBe('active');
  });

  it('reports why each pod entered which queue', () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    const queue = new SchedulingQueue({
      clock,
      pluginEvents,
      unschedulableFlushMs: 60_000,
      onIncoming: (q, event) => seen.push(`${q}:${event}`),
    });
    queue.add(newPodInfo(makePod('a')));
    queue.addUnschedulable(queue.pop()!, new Set(['NodeResourcesFit']));
    queue.onClusterEvent({ kind: 'PodDelete', node: node() }, always);
    clock.advance(1000);
    queue.addUnschedulable(queue.pop()!, new Set(['NodeResourcesFit']));
    clock.advance(60_000);
    expect(seen).toEqual([
      'active:PodAdd',
      'unschedulable:ScheduleAttemptFailure',
      'backoff:AssignedPodDelete',
      'active:BackoffComplete',
      'unschedulable:ScheduleAttemptFailure',
      'active:UnschedulableTimeout',
    ]);
  });

  it('removes deleted pods from every queue and wakes waiters on add', async () => {
    const { queue, info } = setup();
    const woke = queue.waitForPod();
    queue.add(info('a'));
    await woke;
    queue.delete('default/a');
    expect(queue.pop()).toBeUndefined();
    queue.add(info('b'));
    queue.addBackoff(queue.pop()!);
    queue.delete('default/b');
    expect(queue.lengths()).toEqual({ active: 0, backoff: 0, unschedulable: 0 });
  });
});
