import { describe, expect, it } from 'vitest';
import { fitErrorMessage } from './fit-error.js';
import { type Status, unresolvable, unschedulable } from './framework/status.js';

function messageFor(numAllNodes: number, counts: Array<[Status, number]>): string {
  return fitErrorMessage({ numAllNodes, statusCounts: new Map(counts), unschedulablePlugins: new Set() });
}

describe('fitErrorMessage', () => {
  it('phrases per-reason counts as Kubernetes does', () => {
    const cpu = unschedulable('NodeResourcesFit', 'Insufficient cpu');
    const sel = unresolvable('NodeSelector', "node(s) didn't match Pod's node affinity/selector");
    expect(
      messageFor(3, [
        [sel, 2],
        [cpu, 1],
      ]),
    ).toBe(
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.",
    );
  });

  it('counts every reason of a node and sorts the entries as strings (like Go sort.Strings)', () => {
    const both = unschedulable('NodeResourcesFit', 'Insufficient cpu', 'Insufficient memory');
    const cpu = unschedulable('NodeResourcesFit', 'Insufficient cpu');
    const cordoned = unresolvable('NodeUnschedulable', 'node(s) were unschedulable');
    expect(
      messageFor(14, [
        [both, 2],
        [cpu, 10],
        [cordoned, 2],
      ]),
    ).toBe(
      '0/14 nodes are available: 12 Insufficient cpu, 2 Insufficient memory, 2 node(s) were unschedulable.',
    );
  });

  it('uses the PreFilter message when a PreFilter rejected the pod, and Kubernetes wording for no nodes', () => {
    const d = { numAllNodes: 5, statusCounts: new Map(), unschedulablePlugins: new Set<string>() };
    expect(fitErrorMessage({ ...d, preFilterMessage: 'pod has unbound claims' })).toBe(
      '0/5 nodes are available: pod has unbound claims.',
    );
    expect(messageFor(0, [])).toBe('no nodes available to schedule pods');
  });
});
