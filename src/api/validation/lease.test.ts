import { describe, expect, it } from 'vitest';
import { createCauses, type Mutable, messageOf, summary } from './testing.js';

const validLease = (): Mutable => ({
  metadata: { name: 'node-1', namespace: 'kube-node-lease' },
  spec: {
    holderIdentity: 'node-1',
    leaseDurationSeconds: 40,
    renewTime: '2024-01-02T03:04:05.678000Z',
    leaseTransitions: 0,
  },
});
const lease = (mutate: (l: Mutable) => void) => createCauses('leases', validLease(), mutate);

describe('lease validation', () => {
  it('accepts a node lease and an empty spec', () => {
    expect(lease(() => {})).toEqual([]);
    expect(lease((l) => delete l.spec)).toEqual([]);
  });

  it.each<[string, (l: Mutable) => void, string[]]>([
    ['name is a DNS subdomain', (l) => (l.metadata.name = 'Node_1'), ['metadata.name FieldValueInvalid']],
    ['namespaced', (l) => delete l.metadata.namespace, ['metadata.namespace FieldValueRequired']],
    [
      'duration > 0',
      (l) => (l.spec.leaseDurationSeconds = 0),
      ['spec.leaseDurationSeconds FieldValueInvalid'],
    ],
    ['transitions ≥ 0', (l) => (l.spec.leaseTransitions = -1), ['spec.leaseTransitions FieldValueInvalid']],
    ['renewTime is a time', (l) => (l.spec.renewTime = 'yesterday'), ['spec.renewTime FieldValueInvalid']],
    ['acquireTime is a string', (l) => (l.spec.acquireTime = 5), ['spec.acquireTime FieldValueTypeInvalid']],
    ['known strategy', (l) => (l.spec.strategy = 'Newest'), ['spec.strategy FieldValueNotSupported']],
    [
      'preferredHolder needs a strategy',
      (l) => (l.spec.preferredHolder = 'node-2'),
      ['spec.preferredHolder FieldValueForbidden'],
    ],
  ])('%s', (_name, mutate, expected) => {
    expect(summary(lease(mutate))).toEqual(expected);
  });

  it('accepts the built-in and qualified custom strategies with a preferred holder', () => {
    expect(
      lease((l) => Object.assign(l.spec, { strategy: 'OldestEmulationVersion', preferredHolder: 'a' })),
    ).toEqual([]);
    expect(lease((l) => (l.spec.strategy = 'example.com/mine'))).toEqual([]);
    expect(
      messageOf(
        lease((l) => (l.spec.leaseDurationSeconds = -3)),
        'spec.leaseDurationSeconds',
      ),
    ).toBe('Invalid value: -3: must be greater than 0');
  });
});
