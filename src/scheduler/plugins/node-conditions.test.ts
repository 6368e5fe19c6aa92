// NodeReady, NodeUnschedulable and TaintToleration: the node-state filters.
import { describe, expect, it } from 'vitest';
import type { Taint, Toleration } from '../../api/types.js';
import { CycleState } from '../framework/cycle-state.js';
import { NodeInfo } from '../framework/node-info.js';
import { newPodInfo } from '../framework/pod-info.js';
import { makeNode, makePod, type NodeSpecOptions } from '../testing/objects.js';
import { createNodeReady, errNodeNotReady } from './node-ready.js';
import { createNodeUnschedulable, errNodeUnschedulable } from './node-unschedulable.js';
import { createTaintToleration } from './taint-toleration.js';
import { toleratesTaint } from './tolerations.js';

function run(plugin: ReturnType<typeof createNodeReady>, node: NodeSpecOptions, tolerations?: Toleration[]) {
  const info = new NodeInfo('n1');
  info.setNode(makeNode('n1', node));
  return plugin.filter(new CycleState(), newPodInfo(makePod('p', { tolerations })), info);
}

describe('NodeReady', () => {
  const plugin = createNodeReady();
  it('passes Ready nodes and rejects others', () => {
    expect(run(plugin, {}).isSuccess()).toBe(true);
    const s = run(plugin, { ready: false });
    expect([s.code, ...s.reasons]).toEqual(['UnschedulableAndUnresolvable', errNodeNotReady]);
  });
  it('rejects a node without any Ready condition', () => {
    const info = new NodeInfo('n1');
    const node = makeNode('n1');
    node.status!.conditions = [];
    info.setNode(node);
    expect(plugin.filter(new CycleState(), newPodInfo(makePod('p')), info).isSuccess()).toBe(false);
  });
  it('admits pods tolerating the not-ready taint', () => {
    expect(
      run(plugin, { ready: false }, [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists' },
      ]).isSuccess(),
    ).toBe(true);
  });
});

describe('NodeUnschedulable', () => {
  const plugin = createNodeUnschedulable();
  it('rejects cordoned nodes', () => {
    expect(run(plugin, {}).isSuccess()).toBe(true);
    expect(run(plugin, { unschedulable: true }).reasons).toEqual([errNodeUnschedulable]);
  });
  it('admits pods tolerating the unschedulable taint', () => {
    const t: Toleration[] = [
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ];
    expect(run(plugin, { unschedulable: true }, t).isSuccess()).toBe(true);
  });
});

describe('TaintToleration', () => {
  const plugin = createTaintToleration();
  const taint: Taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
  it('rejects untolerated NoSchedule taints, naming the taint', () => {
    const s = run(plugin, { taints: [taint] });
    expect(s.code).toBe('UnschedulableAndUnresolvable');
    expect(s.reasons).toEqual(['node(s) had untolerated taint {dedicated: db}']);
  });
  it('ignores PreferNoSchedule taints', () => {
    expect(run(plugin, { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }).isSuccess()).toBe(true);
  });
  it('admits pods with a matching toleration', () => {
    expect(
      run(plugin, { taints: [taint] }, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]).isSuccess(),
    ).toBe(true);
    expect(run(plugin, { taints: [taint] }, [{ key: 'dedicated', value: 'web' }]).isSuccess()).toBe(false);
  });
  it('matches tolerations as Kubernetes does', () => {
    expect(toleratesTaint({ operator: 'Exists' }, taint)).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint)).toBe(false);
    expect(toleratesTaint({ key: 'dedicated', value: 'db' }, taint)).toBe(true);
    expect(toleratesTaint({ key: 'other', operator: 'Exists' }, taint)).toBe(false);
  });
});
