import { describe, expect, it } from 'vitest';
import { CycleState } from '../framework/cycle-state.js';
import { NodeInfo } from '../framework/node-info.js';
import { newPodInfo } from '../framework/pod-info.js';
import { makeNode, makePod, type NodeSpecOptions } from '../testing/objects.js';
import { createNodeResourcesFit } from './node-resources-fit.js';

const fit = createNodeResourcesFit();

function nodeWith(o: NodeSpecOptions, ...bound: Array<{ cpu?: string; memory?: string }>): NodeInfo {
  const n = new NodeInfo('n1');
  n.setNode(makeNode('n1', o));
  for (const [i, r] of bound.entries()) n.addPod(newPodInfo(makePod(`bound-${i}`, { ...r, nodeName: 'n1' })));
  return n;
}

function run(node: NodeInfo, pod: { cpu?: string; memory?: string }) {
  return fit.filter(new CycleState(), newPodInfo(makePod('p', pod)), node);
}

describe('NodeResourcesFit', () => {
  it('admits a pod that fits in allocatable minus bound requests', () => {
    const node = nodeWith({ cpu: '2', memory: '4Gi' }, { cpu: '1', memory: '1Gi' });
    expect(run(node, { cpu: '1', memory: '3Gi' }).isSuccess()).toBe(true);
  });

  it('reports Insufficient cpu with Kubernetes wording', () => {
    const node = nodeWith({ cpu: '2' }, { cpu: '1500m' });
    const s = run(node, { cpu: '600m' });
    expect(s.code).toBe('Unschedulable');
    expect(s.reasons).toEqual(['Insufficient cpu']);
    expect(s.plugin).toBe('NodeResourcesFit');
  });

  it('reports every resource that is short', () => {
    const node = nodeWith({ cpu: '1', memory: '1Gi' });
    expect(run(node, { cpu: '2', memory: '2Gi' }).reasons).toEqual([
      'Insufficient cpu',
      'Insufficient memory',
    ]);
  });

  it('counts pods against the pods capacity', () => {
    const node = nodeWith({ pods: 2 }, {}, {});
    expect(run(node, {}).reasons).toEqual(['Too many pods']);
    expect(nodeWith({ pods: 2 }, {}).podCount).toBe(1);
    expect(run(nodeWith({ pods: 2 }, {}), {}).isSuccess()).toBe(true);
  });

  it('lets a pod with no requests onto a full node (only the pod count matters)', () => {
    const node = nodeWith({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' });
    expect(run(node, {}).isSuccess()).toBe(true);
  });

  it('frees resources when a pod leaves the node', () => {
    const node = nodeWith({ cpu: '1' }, { cpu: '1' });
    expect(run(node, { cpu: '500m' }).isSuccess()).toBe(false);
    node.removePod(newPodInfo(makePod('bound-0', { cpu: '1', nodeName: 'n1' })));
    expect(run(node, { cpu: '500m' }).isSuccess()).toBe(true);
  });

  it('checks extended resources by name', () => {
    const n = new NodeInfo('n1');
    const node = makeNode('n1');
    node.status!.allocatable!['example.com/gpu'] = '1';
    n.setNode(node);
    const pod = makePod('p');
    pod.spec.containers[0]!.resources = { requests: { 'example.com/gpu': '2' } };
    expect(fit.filter(new CycleState(), newPodInfo(pod), n).reasons).toEqual([
      'Insufficient example.com/gpu',
    ]);
  });

  it('uses limits when a container gives no request, and the largest init container', () => {
    const node = nodeWith({ cpu: '1' });
    const pod = makePod('p');
    pod.spec.containers[0]!.resources = { limits: { cpu: '600m' } };
    pod.spec.initContainers = [{ name: 'init', resources: { requests: { cpu: '1500m' } } }];
    const info = newPodInfo(pod);
    expect(info.requests.milliCpu).toBe(1500);
    expect(fit.filter(new CycleState(), info, node).reasons).toEqual(['Insufficient cpu']);
  });
});
