import { describe, expect, it } from 'vitest';
import { applyPatch } from './index.js';
import { jsonMergePatch } from './merge.js';

describe('jsonMergePatch (RFC 7386 appendix A)', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j → %j', (original, patch, expected) => {
    expect(jsonMergePatch(original, patch)).toEqual(expected);
  });

  it('applies kubectl label --overwrite, label removal, annotate and scale patches', () => {
    const pod = {
      metadata: { name: 'web', labels: { app: 'web', tier: 'fe' }, annotations: { a: '1' } },
      spec: {},
    };
    expect(applyPatch('merge', 'Pod', pod, { metadata: { labels: { app: 'v2' } } })).toEqual({
      metadata: { name: 'web', labels: { app: 'v2', tier: 'fe' }, annotations: { a: '1' } },
      spec: {},
    });
    expect(applyPatch('merge', 'Pod', pod, { metadata: { labels: { tier: null } } })).toMatchObject({
      metadata: { labels: { app: 'web' } },
    });
    expect(applyPatch('merge', 'Pod', pod, { metadata: { annotations: { b: 'x' } } })).toMatchObject({
      metadata: { annotations: { a: '1', b: 'x' } },
    });
    const scale = { kind: 'Scale', spec: { replicas: 1 }, status: { replicas: 1 } };
    expect(applyPatch('merge', 'Scale', scale, { spec: { replicas: 5 } })).toEqual({
      kind: 'Scale',
      spec: { replicas: 5 },
      status: { replicas: 1 },
    });
  });

  it('replaces lists wholesale and never mutates its inputs', () => {
    const original = Object.freeze({
      spec: Object.freeze({ containers: Object.freeze([Object.freeze({ name: 'a' })]) }),
    });
    const patch = Object.freeze({ spec: Object.freeze({ containers: [{ name: 'b' }] }) });
    expect(jsonMergePatch(original, patch)).toEqual({ spec: { containers: [{ name: 'b' }] } });
    expect(original).toEqual({ spec: { containers: [{ name: 'a' }] } });
  });

  it('treats "__proto__" as an ordinary key', () => {
    const result = jsonMergePatch({}, JSON.parse('{"__proto__":{"polluted":true}}')) as Record<
      string,
      unknown
    >;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(JSON.stringify(result)).toBe('{"__proto__":{"polluted":true}}');
  });

  it('parses patches given as text', () => {
    expect(applyPatch('merge', 'Pod', { a: 1 }, '{"b":2}')).toEqual({ a: 1, b: 2 });
    expect(() => applyPatch('merge', 'Pod', { a: 1 }, '{"b":')).toThrow(/error decoding patch/);
  });
});
