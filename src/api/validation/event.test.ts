import { describe, expect, it } from 'vitest';
import { createCauses, type Mutable, messageOf, summary } from './testing.js';

const validEvent = (): Mutable => ({
  metadata: { name: 'web-1.17f3a2b4c5d6e7f8', namespace: 'default' },
  involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1' },
  reason: 'Scheduled',
  message: 'Successfully assigned default/web-1 to node-1',
  source: { component: 'default-scheduler' },
  type: 'Normal',
  count: 1,
});
const ev = (mutate: (e: Mutable) => void) => createCauses('events', validEvent(), mutate);

describe('event validation (core/v1 rules)', () => {
  it('accepts a valid event, and the loose events old clients send', () => {
    expect(ev(() => {})).toEqual([]);
    expect(ev((e) => (e.involvedObject = {}))).toEqual([]);
  });

  it.each<[string, (e: Mutable) => void, string[]]>([
    [
      'namespaces agree',
      (e) => (e.involvedObject.namespace = 'other'),
      ['involvedObject.namespace FieldValueInvalid'],
    ],
    ['names are path segments', (e) => (e.metadata.name = 'a/b'), ['metadata.name FieldValueInvalid']],
    [
      'namespace required',
      (e) => delete e.metadata.namespace,
      [
        'metadata.namespace FieldValueRequired',
        'involvedObject.namespace FieldValueInvalid',
        'namespace FieldValueInvalid',
      ],
    ],
    [
      'new-style events name reporter, instance and action',
      (e) => {
        e.eventTime = '2024-01-01T00:00:00.000000Z';
        delete e.reason;
      },
      [
        'reportingComponent FieldValueRequired',
        // an empty qualified name breaks two rules (non-empty, and the pattern), as in Kubernetes
        'reportingComponent FieldValueInvalid',
        'reportingComponent FieldValueInvalid',
        'reportingInstance FieldValueRequired',
        'action FieldValueRequired',
        'reason FieldValueRequired',
      ],
    ],
  ])('%s', (_name, mutate, expected) => {
    expect(summary(ev(mutate))).toEqual(expected);
  });

  it('uses Kubernetes messages', () => {
    expect(
      messageOf(
        ev((e) => (e.involvedObject.namespace = 'other')),
        'involvedObject.namespace',
      ),
    ).toBe('Invalid value: "other": does not match event.namespace');
    expect(
      messageOf(
        ev((e) => (e.metadata.name = 'a%b')),
        'metadata.name',
      ),
    ).toBe('Invalid value: "a%b": may not contain \'%\'');
  });
});
