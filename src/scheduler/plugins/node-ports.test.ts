import { describe, expect, it } from 'vitest';
import { CycleState } from '../framework/cycle-state.js';
import { NodeInfo } from '../framework/node-info.js';
import { newPodInfo } from '../framework/pod-info.js';
import { makeNode, makePod } from '../testing/objects.js';
import { createNodePorts, errNodePorts } from './node-ports.js';

const plugin = createNodePorts();

function nodeUsing(...ports: Array<{ hostPort: number; hostIP?: string; protocol?: 'TCP' | 'UDP' }>) {
  const node = new NodeInfo('n1');
  node.setNode(makeNode('n1'));
  for (const [i, p] of ports.entries()) {
    node.addPod(newPodInfo(makePod(`b${i}`, { nodeName: 'n1', ports: [{ containerPort: 80, ...p }] })));
  }
  return node;
}

function fits(
  node: NodeInfo,
  ...ports: Array<{ hostPort: number; hostIP?: string; protocol?: 'TCP' | 'UDP' }>
) {
  const info = newPodInfo(makePod('p', { ports: ports.map((p) => ({ containerPort: 80, ...p })) }));
  const state = new CycleState();
  if (plugin.preFilter(state, info).code === 'Skip') return 'skip';
  return plugin.filter(state, info, node).isSuccess();
}

describe('NodePorts', () => {
  it('skips pods without host ports', () => {
    expect(fits(nodeUsing({ hostPort: 80 }))).toBe('skip');
  });

  it('rejects the same protocol and port with the Kubernetes reason', () => {
    expect(fits(nodeUsing({ hostPort: 8080 }), { hostPort: 8080 })).toBe(false);
    const info = newPodInfo(makePod('p', { hostPorts: [8080] }));
    expect(plugin.filter(new CycleState(), info, nodeUsing({ hostPort: 8080 })).reasons).toEqual([
      errNodePorts,
    ]);
  });

  it('allows another port, another protocol, or distinct addresses', () => {
    expect(fits(nodeUsing({ hostPort: 8080 }), { hostPort: 8081 })).toBe(true);
    expect(fits(nodeUsing({ hostPort: 53, protocol: 'UDP' }), { hostPort: 53, protocol: 'TCP' })).toBe(true);
    expect(
      fits(nodeUsing({ hostPort: 80, hostIP: '127.0.0.1' }), { hostPort: 80, hostIP: '127.0.0.2' }),
    ).toBe(true);
  });

  it('treats the wildcard address as overlapping every address', () => {
    expect(fits(nodeUsing({ hostPort: 80, hostIP: '127.0.0.1' }), { hostPort: 80 })).toBe(false);
    expect(fits(nodeUsing({ hostPort: 80 }), { hostPort: 80, hostIP: '127.0.0.1' })).toBe(false);
  });

  it('frees the port when the pod leaves', () => {
    const node = nodeUsing({ hostPort: 80 });
    node.removePod(newPodInfo(makePod('b0', { nodeName: 'n1', hostPorts: [80] })));
    expect(fits(node, { hostPort: 80 })).toBe(true);
  });
});
