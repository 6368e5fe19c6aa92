// The score plugins: NodeResourcesLeastAllocated and SelectorSpread.
import { describe, expect, it } from 'vitest';
import type { Service } from '../../api/types.js';
import { ControllerIndex } from '../framework/controller-index.js';
import { CycleState } from '../framework/cycle-state.js';
import type { PreScorePlugin, ScorePlugin } from '../framework/interface.js';
import { NodeInfo } from '../framework/node-info.js';
import { newPodInfo } from '../framework/pod-info.js';
import { makeNode, makePod } from '../testing/objects.js';
import { createLeastAllocated, leastRequestedScore } from './least-allocated.js';
import { createSelectorSpread } from './selector-spread.js';

function node(name: string, cpu = '4', memory = '8Gi') {
  const n = new NodeInfo(name);
  n.setNode(makeNode(name, { cpu, memory }));
  return n;
}

describe('NodeResourcesLeastAllocated', () => {
  const plugin = createLeastAllocated();
  it('scores the free share of cpu and memory after placing the pod, integer arithmetic', () => {
    expect(leastRequestedScore(1000, 4000)).toBe(75);
    expect(leastRequestedScore(3333, 10000)).toBe(66);
    expect(leastRequestedScore(5000, 4000)).toBe(0);
    expect(leastRequestedScore(0, 0)).toBe(0);
    const n = node('n1', '4', '8Gi');
    const pod = newPodInfo(makePod('p', { cpu: '1', memory: '4Gi' }));
    expect(plugin.score(new CycleState(), pod, n)).toBe(Math.floor((75 + 50) / 2));
  });
  it('prefers the emptier node and counts request-less pods as 100m/200Mi', () => {
    const empty = node('a');
    const busy = node('b');
    busy.addPod(newPodInfo(makePod('x', { nodeName: 'b' })));
    const pod = newPodInfo(makePod('p'));
    expect(pod.nonZeroRequests).toEqual({ milliCpu: 100, memory: 200 * 1024 * 1024 });
    expect(plugin.score(new CycleState(), pod, empty)).toBeGreaterThan(
      plugin.score(new CycleState(), pod, busy),
    );
  });
});

describe('SelectorSpread', () => {
  it('prefers nodes with fewer pods of the same controller, normalized to 0..100', () => {
    const controllers = new ControllerIndex();
    const plugin = createSelectorSpread({ controllers });
    const nodes = ['a', 'b', 'c'].map((name) => {
      const n = new NodeInfo(name, controllers);
      n.setNode(makeNode(name));
      return n;
    });
    nodes[0]!.addPod(newPodInfo(makePod('r1', { nodeName: 'a', controllerUid: 'rc1' })));
    nodes[0]!.addPod(newPodInfo(makePod('r2', { nodeName: 'a', controllerUid: 'rc1' })));
    nodes[1]!.addPod(newPodInfo(makePod('r3', { nodeName: 'b', controllerUid: 'rc1' })));
    nodes[2]!.addPod(newPodInfo(makePod('o', { nodeName: 'c', controllerUid: 'other' })));
    const pod = newPodInfo(makePod('new', { controllerUid: 'rc1' }));
    const state = new CycleState();
    expect(plugin.preScore(state, pod, nodes, 3).code).toBe('Success');
    const scores = Float64Array.from(nodes.map((n) => plugin.score(state, pod, n)));
    expect([...scores]).toEqual([2, 1, 0]);
    plugin.normalizeScore!(state, pod, scores, 3);
    expect([...scores]).toEqual([0, 50, 100]);
    // A controller with no pods anywhere scores all nodes alike: nothing to do.
    expect(
      plugin.preScore(state, newPodInfo(makePod('first', { controllerUid: 'new-rc' })), nodes, 3).code,
    ).toBe('Skip');
  });

  it('groups pods without a controller by the services selecting them', () => {
    const svc: Service = {
      metadata: { name: 's', namespace: 'default' },
      spec: { selector: { app: 'web' } },
    };
    const plugin = createSelectorSpread({ services: () => [svc] });
    const a = node('a');
    a.addPod(newPodInfo(makePod('w1', { nodeName: 'a', labels: { app: 'web' } })));
    a.addPod(newPodInfo(makePod('w2', { nodeName: 'a', labels: { app: 'web' }, namespace: 'other' })));
    a.addPod(newPodInfo(makePod('d', { nodeName: 'a', labels: { app: 'db' } })));
    const pod = newPodInfo(makePod('w3', { labels: { app: 'web' } }));
    const state = new CycleState();
    plugin.preScore(state, pod, [a], 1);
    expect(plugin.score(state, pod, a)).toBe(1);
  });

  it('skips pods that belong to no group', () => {
    const plugin = createSelectorSpread({ services: () => [] });
    expect(plugin.preScore(new CycleState(), newPodInfo(makePod('lone')), [], 0).code).toBe('Skip');
  });
});

describe('batch scoring', () => {
  it('gives the same numbers as scoring node by node', () => {
    const controllers = new ControllerIndex();
    const svc: Service = {
      metadata: { name: 's', namespace: 'default' },
      spec: { selector: { app: 'web' } },
    };
    const nodes = ['a', 'b', 'c', 'd'].map((name, i) => {
      const n = new NodeInfo(name, controllers);
      n.setNode(makeNode(name, { cpu: String(2 + i), memory: `${4 + i}Gi` }));
      for (let k = 0; k < i; k++) {
        n.addPod(
          newPodInfo(
            makePod(`${name}-${k}`, {
              nodeName: name,
              cpu: '300m',
              controllerUid: 'rc',
              labels: { app: 'web' },
            }),
          ),
        );
      }
      return n;
    });
    const spread = createSelectorSpread({ controllers, services: () => [svc] });
    const plugins: Array<ScorePlugin & Partial<PreScorePlugin>> = [createLeastAllocated(), spread];
    for (const pod of [
      newPodInfo(makePod('x', { controllerUid: 'rc', cpu: '100m' })),
      newPodInfo(makePod('y', { labels: { app: 'web' } })),
    ]) {
      for (const plugin of plugins) {
        const state = new CycleState();
        plugin.preScore?.(state, pod, nodes, nodes.length);
        const batch = new Float64Array(nodes.length);
        plugin.scoreAll!(state, pod, nodes, nodes.length, batch);
        expect([...batch]).toEqual(nodes.map((n) => plugin.score(state, pod, n)));
      }
    }
  });
});
