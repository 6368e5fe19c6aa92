import { describe, expect, it } from 'vitest';
import { createCauses, type Mutable, messageOf, summary, updateCauses } from './testing.js';

const validNode = (): Mutable => ({
  metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
  spec: { podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
  status: { capacity: { cpu: '2', memory: '4Gi', pods: '110' } },
});
const node = (mutate: (n: Mutable) => void) => createCauses('nodes', validNode(), mutate);

describe('node validation', () => {
  it('accepts a valid node', () => {
    expect(node(() => {})).toEqual([]);
  });

  it.each<[string, (n: Mutable) => void, string[]]>([
    ['name is a DNS subdomain', (n) => (n.metadata.name = 'Node_1'), ['metadata.name FieldValueInvalid']],
    [
      'cluster-scoped: no namespace',
      (n) => (n.metadata.namespace = 'default'),
      ['metadata.namespace FieldValueForbidden'],
    ],
    [
      'taint effect required',
      (n) => delete n.spec.taints[0].effect,
      ['spec.taints[0].effect FieldValueRequired'],
    ],
    [
      'taint effect values',
      (n) => (n.spec.taints[0].effect = 'NoRun'),
      ['spec.taints[0].effect FieldValueNotSupported'],
    ],
    ['taint key', (n) => (n.spec.taints[0].key = 'bad key'), ['spec.taints[0].key FieldValueInvalid']],
    [
      'taints unique by key and effect',
      (n) => n.spec.taints.push({ key: 'dedicated', value: 'web', effect: 'NoSchedule' }),
      ['spec.taints[1] FieldValueDuplicate'],
    ],
    [
      'capacity quantities (allocatable defaults to capacity)',
      (n) => (n.status.capacity.cpu = 'two'),
      ['status.capacity[cpu] FieldValueInvalid', 'status.allocatable[cpu] FieldValueInvalid'],
    ],
    ['pod CIDRs', (n) => (n.spec.podCIDRs = ['10.244.1.0']), ['spec.podCIDRs[0] FieldValueInvalid']],
  ])('%s', (_name, mutate, expected) => {
    expect(summary(node(mutate))).toEqual(expected);
  });

  it('uses the Kubernetes message for a forbidden namespace', () => {
    expect(
      messageOf(
        node((n) => (n.metadata.namespace = 'x')),
        'metadata.namespace',
      ),
    ).toBe('Forbidden: not allowed on this type');
  });

  it('lets a pod CIDR be set once, and cordon toggle unschedulable', () => {
    const bare = validNode();
    delete bare.spec.podCIDRs;
    expect(updateCauses('nodes', bare, (n) => (n.spec.podCIDRs = ['10.244.2.0/24']))).toEqual([]);
    expect(summary(updateCauses('nodes', validNode(), (n) => (n.spec.podCIDRs = ['10.244.9.0/24'])))).toEqual(
      ['spec.podCIDRs FieldValueForbidden'],
    );
    expect(updateCauses('nodes', validNode(), (n) => (n.spec.unschedulable = true))).toEqual([]);
  });
});
