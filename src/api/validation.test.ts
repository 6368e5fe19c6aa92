import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import {
  createCauses,
  type Mutable,
  messageOf,
  summary,
  updateCauses,
  validPod,
} from './validation/testing.js';
import { assertValid, validateCreate, validateName, validateUpdate } from './validation.js';

const pod = (mutate: (p: Mutable) => void) => createCauses('pods', validPod(), mutate);
const subdomainMessage =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('metadata validation', () => {
  it.each<[string, (p: Mutable) => void, string[]]>([
    ['name required', (p) => delete p.metadata.name, ['metadata.name FieldValueRequired']],
    ['name syntax', (p) => (p.metadata.name = 'Foo'), ['metadata.name FieldValueInvalid']],
    ['name length', (p) => (p.metadata.name = 'a'.repeat(254)), ['metadata.name FieldValueInvalid']],
    ['generateName may end in a dash', (p) => (p.metadata.generateName = 'web-'), []],
    [
      'generateName syntax',
      (p) => (p.metadata.generateName = 'Web-'),
      ['metadata.generateName FieldValueInvalid'],
    ],
    [
      'namespace required for namespaced kinds',
      (p) => delete p.metadata.namespace,
      ['metadata.namespace FieldValueRequired'],
    ],
    ['namespace syntax', (p) => (p.metadata.namespace = 'my.ns'), ['metadata.namespace FieldValueInvalid']],
    [
      'label keys',
      (p) => (p.metadata.labels = { 'example.com/app': 'x', '-bad': 'y' }),
      ['metadata.labels FieldValueInvalid'],
    ],
    [
      'label key prefix',
      (p) => (p.metadata.labels = { 'Example.com/app': 'x' }),
      ['metadata.labels FieldValueInvalid'],
    ],
    [
      'label key name part length',
      (p) => (p.metadata.labels = { ['k'.repeat(64)]: 'x' }),
      ['metadata.labels FieldValueInvalid'],
    ],
    [
      'label key prefix length',
      (p) => (p.metadata.labels = { [`${'p'.repeat(254)}/k`]: 'x' }),
      ['metadata.labels FieldValueInvalid'],
    ],
    ['label values', (p) => (p.metadata.labels = { app: 'web app' }), ['metadata.labels FieldValueInvalid']],
    [
      'label value length',
      (p) => (p.metadata.labels = { app: 'v'.repeat(64) }),
      ['metadata.labels FieldValueInvalid'],
    ],
    ['empty label values are fine', (p) => (p.metadata.labels = { app: '' }), []],
    [
      'label values must be strings',
      (p) => (p.metadata.labels = { replicas: 3 }),
      ['metadata.labels[replicas] FieldValueTypeInvalid'],
    ],
    [
      'annotation keys ignore case',
      (p) => (p.metadata.annotations = { 'Example.COM/Key': 'any value at all' }),
      [],
    ],
    [
      'annotation keys',
      (p) => (p.metadata.annotations = { 'a b': 'x' }),
      ['metadata.annotations FieldValueInvalid'],
    ],
    [
      'annotations at most 256 KiB in total',
      (p) => (p.metadata.annotations = { a: 'x'.repeat(128 * 1024), b: 'y'.repeat(128 * 1024) }),
      ['metadata.annotations FieldValueTooLong'],
    ],
    ['exactly 256 KiB is fine', (p) => (p.metadata.annotations = { a: 'x'.repeat(256 * 1024 - 1) }), []],
    [
      'generation not negative',
      (p) => (p.metadata.generation = -1),
      ['metadata.generation FieldValueInvalid'],
    ],
    [
      'standard finalizers',
      (p) => (p.metadata.finalizers = ['kubernetes', 'example.com/cleanup', 'orphan']),
      [],
    ],
    [
      'unqualified finalizers',
      (p) => (p.metadata.finalizers = ['cleanup']),
      ['metadata.finalizers[0] FieldValueInvalid'],
    ],
    [
      'orphan and foreground together',
      (p) => (p.metadata.finalizers = ['orphan', 'foregroundDeletion']),
      ['metadata.finalizers FieldValueInvalid'],
    ],
    [
      'owner references need kind, name, uid and version',
      (p) => (p.metadata.ownerReferences = [{ apiVersion: 'v1' }]),
      [
        'metadata.ownerReferences.kind FieldValueInvalid',
        'metadata.ownerReferences.name FieldValueInvalid',
        'metadata.ownerReferences.uid FieldValueInvalid',
      ],
    ],
    [
      'one controller reference at most',
      (p) =>
        (p.metadata.ownerReferences = [
          { apiVersion: 'v1', kind: 'ReplicationController', name: 'a', uid: '1', controller: true },
          { apiVersion: 'v1', kind: 'ReplicationController', name: 'b', uid: '2', controller: true },
        ]),
      ['metadata.ownerReferences FieldValueInvalid'],
    ],
  ])('%s', (_name, mutate, expected) => {
    expect(summary(pod(mutate))).toEqual(expected);
  });

  it('uses Kubernetes messages', () => {
    expect(
      messageOf(
        pod((p) => delete p.metadata.name),
        'metadata.name',
      ),
    ).toBe('Required value: name or generateName is required');
    expect(
      messageOf(
        pod((p) => (p.metadata.name = 'Foo')),
        'metadata.name',
      ),
    ).toBe(`Invalid value: "Foo": ${subdomainMessage}`);
    expect(
      messageOf(
        pod((p) => (p.metadata.annotations = { a: 'x'.repeat(256 * 1024) })),
        'metadata.annotations',
      ),
    ).toBe('Too long: may not be more than 262144 bytes');
    expect(
      messageOf(
        pod((p) => (p.metadata.labels = { app: 'v'.repeat(64) })),
        'metadata.labels',
      ),
    ).toBe(`Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`);
    expect(
      messageOf(
        pod((p) => (p.metadata.finalizers = ['cleanup'])),
        'metadata.finalizers[0]',
      ),
    ).toBe('Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified');
    expect(
      messageOf(
        pod(
          (p) =>
            (p.metadata.ownerReferences = [
              { apiVersion: 'v1', kind: 'ReplicationController', name: 'a', uid: '1', controller: true },
              { apiVersion: 'v1', kind: 'ReplicationController', name: 'b', uid: '2', controller: true },
            ]),
        ),
        'metadata.ownerReferences',
      ),
    ).toMatch(
      /Only one reference can have Controller set to true. Found "true" in references for ReplicationController\/a and ReplicationController\/b$/,
    );
  });

  it('rejects new finalizers on an object being deleted', () => {
    const deleting = validPod();
    deleting.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
    deleting.metadata.finalizers = ['example.com/a'];
    const causes = updateCauses('pods', deleting, (p) => p.metadata.finalizers.push('example.com/b'));
    expect(causes).toEqual([
      {
        reason: 'FieldValueForbidden',
        message:
          'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/b"}',
        field: 'metadata.finalizers',
      },
    ]);
    expect(updateCauses('pods', deleting, (p) => (p.metadata.finalizers = []))).toEqual([]);
  });

  it('rejects a decremented generation', () => {
    const stored = validPod();
    stored.metadata.generation = 3;
    expect(summary(updateCauses('pods', stored, (p) => (p.metadata.generation = 2)))).toEqual([
      'metadata.generation FieldValueInvalid',
    ]);
  });
});

describe('namespaces', () => {
  const ns = (mutate: (n: Mutable) => void) =>
    createCauses('namespaces', { metadata: { name: 'team-a' } }, mutate);
  it('accepts DNS labels only', () => {
    expect(ns(() => {})).toEqual([]);
    expect(
      messageOf(
        ns((n) => (n.metadata.name = 'team.a')),
        'metadata.name',
      ),
    ).toBe('Invalid value: "team.a": must not contain dots');
    expect(summary(ns((n) => (n.metadata.name = 'a'.repeat(64))))).toEqual([
      'metadata.name FieldValueInvalid',
    ]);
  });
  it('checks spec finalizers and refuses a namespace on itself', () => {
    expect(summary(ns((n) => (n.spec = { finalizers: ['custom'] })))).toEqual([
      'spec.finalizers FieldValueInvalid',
    ]);
    expect(ns((n) => (n.spec = { finalizers: ['kubernetes', 'example.com/x'] }))).toEqual([]);
    expect(summary(ns((n) => (n.metadata.namespace = 'default')))).toEqual([
      'metadata.namespace FieldValueForbidden',
    ]);
  });
});

describe('validateName', () => {
  it.each([
    ['pods', 'web-1.a', []],
    ['pods', 'Web', [subdomainMessage]],
    ['replicationcontrollers', 'a.b', []],
    ['nodes', 'node-1.example.com', []],
    ['endpoints', 'web', []],
    ['namespaces', 'a.b', ['must not contain dots']],
    ['services', 'web', []],
    [
      'services',
      'a.b',
      [
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      ],
    ],
    ['events', 'Web_1.Anything:goes', []],
    ['events', '..', ["may not be '..'"]],
    ['events', 'a/b%c', ["may not contain '/'", "may not contain '%'"]],
    ['widgets', 'x/y', ["may not contain '/'"]],
  ])('%s %j', (resource, name, messages) => {
    expect(validateName(resource, name)).toEqual(messages);
  });
});

describe('assertValid', () => {
  it('throws a 422 Invalid listing every cause', () => {
    const causes = validateCreate('pods', {
      metadata: { name: 'x', namespace: 'default' },
      spec: {},
    } as never);
    let error: unknown;
    try {
      assertValid('Pod', 'x', causes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    const status = (error as ApiError).toStatus();
    expect(status.code).toBe(422);
    expect(status.reason).toBe('Invalid');
    expect(status.details?.causes).toEqual(causes);
    expect(status.message).toMatch(
      /^Pod "x" is invalid: \[spec.terminationGracePeriodSeconds: Required value, /,
    );
  });

  it('does nothing without causes, and unknown resources are not validated', () => {
    expect(() => assertValid('Pod', 'x', [])).not.toThrow();
    expect(validateCreate('widgets', { metadata: {} })).toEqual([]);
    expect(validateUpdate('widgets', { metadata: {} }, { metadata: {} })).toEqual([]);
  });
});
