import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { errorOf } from '../validation/testing.js';
import { applyPatch, jsonPatch } from './index.js';

const rc = () => ({
  metadata: { name: 'web', labels: { app: 'web', 'example.com/team': 'a' } },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
});

describe('jsonPatch (RFC 6902)', () => {
  it('applies every operation', () => {
    const result = jsonPatch(rc(), [
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/metadata/labels/tier', value: 'fe' },
      { op: 'remove', path: '/metadata/labels/example.com~1team' },
      { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'side', image: 'busybox' } },
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copy' },
      { op: 'move', from: '/metadata/labels/copy', path: '/metadata/labels/moved' },
      { op: 'test', path: '/spec/replicas', value: 3 },
    ]);
    expect(result).toEqual({
      metadata: { name: 'web', labels: { app: 'web', tier: 'fe', moved: 'web' } },
      spec: {
        replicas: 3,
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'nginx' },
              { name: 'side', image: 'busybox' },
            ],
          },
        },
      },
    });
  });

  it('never mutates the original', () => {
    const original = rc();
    jsonPatch(original, [{ op: 'replace', path: '/spec/replicas', value: 9 }]);
    expect(original.spec.replicas).toBe(1);
  });

  it.each([
    [[{ op: 'test', path: '/spec/replicas', value: 2 }], 'testing value /spec/replicas failed: test failed'],
    [
      [{ op: 'remove', path: '/metadata/labels/nope' }],
      'remove operation does not apply: doc is missing path: "/metadata/labels/nope": missing value',
    ],
    [
      [{ op: 'replace', path: '/spec/nope', value: 1 }],
      'replace operation does not apply: doc is missing path: "/spec/nope": missing value',
    ],
    [
      [{ op: 'add', path: '/status/replicas', value: 1 }],
      'add operation does not apply: doc is missing path: "/status/replicas": missing value',
    ],
    [
      [{ op: 'add', path: '/spec/template/spec/containers/5', value: {} }],
      'Unable to access invalid index: 5: invalid index referenced',
    ],
    [
      [{ op: 'move', from: '/nope', path: '/x' }],
      'move operation does not apply: doc is missing from path: /nope: missing value',
    ],
    [[{ op: 'frobnicate', path: '/spec' }], 'Unexpected kind: frobnicate'],
    [
      [{ op: 'add', path: 'spec/replicas', value: 1 }],
      'add operation does not apply: doc is missing path: "spec/replicas": missing value',
    ],
  ])('%j fails with 422 Invalid', (ops, detail) => {
    const e = errorOf(() => jsonPatch(rc(), ops));
    expect(e.reason).toBe('Invalid');
    expect(e.httpCode).toBe(422);
    expect(e.message).toBe('the server rejected our request due to an error in our request');
    expect(e.details?.causes).toEqual([{ reason: 'UnexpectedServerResponse', message: detail }]);
  });

  it('fails atomically: nothing of a failing patch is applied', () => {
    const original = rc();
    expect(() =>
      jsonPatch(original, [
        { op: 'replace', path: '/spec/replicas', value: 7 },
        { op: 'test', path: '/metadata/name', value: 'other' },
      ]),
    ).toThrow(ApiError);
    expect(original.spec.replicas).toBe(1);
  });

  it('rejects malformed patch bodies with 400 BadRequest', () => {
    expect(errorOf(() => jsonPatch(rc(), { op: 'add' })).message).toBe(
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
    expect(errorOf(() => jsonPatch(rc(), ['x'])).reason).toBe('BadRequest');
    expect(errorOf(() => applyPatch('json', 'Pod', rc(), '[{"op":')).reason).toBe('BadRequest');
  });

  it('limits the number of operations like kube-apiserver (413)', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/spec/replicas', value: 1 }));
    const e = errorOf(() => jsonPatch(rc(), ops));
    expect(e.reason).toBe('RequestEntityTooLarge');
    expect(e.httpCode).toBe(413);
    expect(e.message).toBe('The allowed maximum operations in a JSON patch is 10000, got 10001');
  });

  it('refuses prototype pollution', () => {
    expect(() => jsonPatch({}, [{ op: 'add', path: '/__proto__/polluted', value: true }])).toThrow(ApiError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is what client-node sends by default for replace', () => {
    expect(
      applyPatch('json', 'ReplicationController', rc(), [
        { op: 'replace', path: '/spec/replicas', value: 4 },
      ]),
    ).toMatchObject({
      spec: { replicas: 4 },
    });
  });
});
