import { describe, expect, it } from 'vitest';
import { testMachine } from '../testing.js';
import { readMachineInfo } from './machine.js';
import { nodeObject, nodeStatus, nodeStatusChanged } from './node-status.js';

const machine = testMachine;
const facts = {
  nodeName: 'node-1',
  address: '127.0.1.1',
  port: 10250,
  machine,
  maxPods: 110,
  containerRuntimeVersion: 'docker://20.10.24',
  podCidr: '127.1.0.0/24',
};

describe('node object', () => {
  it('registers addresses, capacity, nodeInfo, endpoint and conditions', () => {
    const t = Date.parse('2030-01-01T00:00:00Z');
    const node = nodeObject(facts, t);
    expect(node.metadata.labels).toMatchObject({
      'kubernetes.io/hostname': 'node-1',
      'kubernetes.io/os': 'linux',
    });
    expect(node.spec).toEqual({ podCIDR: '127.1.0.0/24', podCIDRs: ['127.1.0.0/24'] });
    const s = node.status!;
    expect(s.capacity).toEqual({
      cpu: '2',
      memory: '4194304Ki',
      pods: '110',
      'ephemeral-storage': '10485760Ki',
    });
    expect(s.allocatable).toEqual(s.capacity);
    expect(s.addresses).toEqual([
      { type: 'InternalIP', address: '127.0.1.1' },
      { type: 'Hostname', address: 'node-1' },
    ]);
    expect(s.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    expect(s.nodeInfo).toMatchObject({
      kubeletVersion: 'v1.32.0-kubelite',
      containerRuntimeVersion: 'docker://20.10.24',
    });
    expect(s.conditions!.find((c) => c.type === 'Ready')).toEqual({
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
      lastHeartbeatTime: '2030-01-01T00:00:00Z',
      lastTransitionTime: '2030-01-01T00:00:00Z',
    });
  });

  it('a later status moves lastHeartbeatTime and keeps lastTransitionTime', () => {
    const t = Date.parse('2030-01-01T00:00:00Z');
    const first = nodeStatus(facts, undefined, t);
    const later = nodeStatus(facts, first, t + 10_000).conditions!;
    expect(later.every((c) => c.lastHeartbeatTime === '2030-01-01T00:00:10Z')).toBe(true);
    expect(later.every((c) => c.lastTransitionTime === '2030-01-01T00:00:00Z')).toBe(true);
  });

  it('a status changes only through what it says, not its times or key order', () => {
    const t = Date.parse('2030-01-01T00:00:00Z');
    const stored = nodeStatus(facts, undefined, t);
    const next = nodeStatus(facts, stored, t + 60_000);
    expect(nodeStatusChanged(undefined, next)).toBe(true);
    expect(nodeStatusChanged(stored, next)).toBe(false);
    // As the API may write it: other key order, an equal quantity in another form, others' conditions.
    const reordered = JSON.parse(JSON.stringify({ ...stored, addresses: stored.addresses }));
    reordered.nodeInfo = Object.fromEntries(Object.entries(stored.nodeInfo!).reverse());
    reordered.capacity.memory = '4Gi';
    reordered.conditions.push({ type: 'NetworkUnavailable', status: 'False' });
    expect(nodeStatusChanged(reordered, next)).toBe(false);

    const unknown = structuredClone(stored);
    unknown.conditions!.find((c) => c.type === 'Ready')!.status = 'Unknown';
    expect(nodeStatusChanged(unknown, next)).toBe(true);
    expect(nodeStatusChanged({ ...stored, capacity: { ...stored.capacity, cpu: '4' } }, next)).toBe(true);
    expect(nodeStatusChanged({ ...stored, addresses: [] }, next)).toBe(true);
    expect(
      nodeStatusChanged({ ...stored, nodeInfo: { ...stored.nodeInfo!, kubeletVersion: 'v0' } }, next),
    ).toBe(true);
  });

  it('reads real machine facts', () => {
    const m = readMachineInfo('/');
    expect(m.cpuCores).toBeGreaterThan(0);
    expect(m.memoryBytes).toBeGreaterThan(0);
    expect(m.architecture).not.toBe('x64');
  });
});
