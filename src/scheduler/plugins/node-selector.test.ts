import { describe, expect, it } from 'vitest';
import { CycleState } from '../framework/cycle-state.js';
import { NodeInfo } from '../framework/node-info.js';
import { newPodInfo } from '../framework/pod-info.js';
import { makeNode, makePod, type PodSpecOptions } from '../testing/objects.js';
import { createNodeSelector, errNodeSelector } from './node-selector.js';

const plugin = createNodeSelector();

function check(labels: Record<string, string>, pod: PodSpecOptions, nodeName = 'n1') {
  const node = new NodeInfo(nodeName);
  node.setNode(makeNode(nodeName, { labels }));
  const state = new CycleState();
  const info = newPodInfo(makePod('p', pod));
  const pre = plugin.preFilter(state, info);
  if (pre.code === 'Skip') return 'skip';
  return plugin.filter(state, info, node);
}

const required = (terms: unknown[]) => ({
  nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
});

describe('NodeSelector', () => {
  it('skips pods without a selector or required affinity', () => {
    expect(check({}, {})).toBe('skip');
  });

  it('requires every nodeSelector pair', () => {
    const ok = check({ disk: 'ssd', zone: 'a' }, { nodeSelector: { disk: 'ssd' } });
    expect(ok !== 'skip' && ok.isSuccess()).toBe(true);
    const bad = check({ disk: 'hdd' }, { nodeSelector: { disk: 'ssd' } });
    expect(bad !== 'skip' && bad.code).toBe('UnschedulableAndUnresolvable');
    expect(bad !== 'skip' && bad.reasons).toEqual([errNodeSelector]);
  });

  it('matches required node affinity terms (ORed terms, ANDed expressions)', () => {
    const affinity = required([
      {
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['a', 'b'] },
          { key: 'gpu', operator: 'DoesNotExist' },
        ],
      },
      { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] },
    ]);
    const pass = (labels: Record<string, string>) => {
      const s = check(labels, { affinity });
      return s !== 'skip' && s.isSuccess();
    };
    expect(pass({ zone: 'a' })).toBe(true);
    expect(pass({ zone: 'a', gpu: 'yes' })).toBe(false);
    expect(pass({ zone: 'c' })).toBe(false);
    expect(pass({ cores: '16' })).toBe(true);
    expect(pass({ cores: '4' })).toBe(false);
  });

  it('supports matchFields on metadata.name and treats an empty term as matching nothing', () => {
    const byName = required([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }]);
    const a = check({}, { affinity: byName }, 'n1');
    const b = check({}, { affinity: byName }, 'n2');
    expect(a !== 'skip' && a.isSuccess()).toBe(false);
    expect(b !== 'skip' && b.isSuccess()).toBe(true);
    const empty = check({ any: 'x' }, { affinity: required([{}]) });
    expect(empty !== 'skip' && empty.isSuccess()).toBe(false);
  });
});
