import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { apiBytesOf, decodeObject, decodeWithBytes, encodeObject, rememberApiBytes } from './codec.js';

const objects: KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', labels: { a: 'b' }, resourceVersion: '7' },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
    status: {},
  },
  // The last metadata value is an empty object, the object's last value too.
  { metadata: { name: 'x', annotations: {} }, kind: 'ConfigMap', spec: {} } as unknown as KubeObject,
  // Empty metadata, unicode, escapes, numbers.
  {
    kind: 'Event',
    metadata: {},
    message: 'é ü — 日本 "quoted" \\ \n \u0000 \ud800',
    count: 1e21,
    x: -0,
  } as unknown as KubeObject,
];

describe('codec', () => {
  it('stores JSON with metadata last and no resourceVersion', () => {
    const stored = encodeObject(objects[0]!).toString();
    expect(Object.keys(JSON.parse(stored))).toEqual(['apiVersion', 'kind', 'spec', 'status', 'metadata']);
    expect(JSON.parse(stored).metadata).toEqual({ name: 'p', namespace: 'default', labels: { a: 'b' } });
    expect(objects[0]!.metadata.resourceVersion).toBe('7');
  });

  it.each(objects.map((o, i) => [i, o] as const))(
    'splices the resourceVersion into stored bytes exactly as serializing would (%i)',
    (_, obj) => {
      const stored = encodeObject(obj);
      const { object, bytes } = decodeWithBytes(stored, 42);
      expect(object.metadata.resourceVersion).toBe('42');
      expect(bytes.toString()).toBe(JSON.stringify(object));
      expect(decodeObject(stored, 42)).toEqual(object);
      const written = structuredClone(obj);
      rememberApiBytes(written, stored, 42);
      expect(JSON.parse(apiBytesOf(written).toString())).toEqual({
        ...JSON.parse(JSON.stringify(obj)),
        metadata: { ...JSON.parse(JSON.stringify(obj.metadata)), resourceVersion: '42' },
      });
    },
  );

  it('reads other stored forms (metadata first, a stored resourceVersion, spaces) by serializing', () => {
    const forms = [
      '{"metadata":{"name":"a"},"kind":"Pod","spec":{"x":{}}}',
      '{"kind":"Pod","metadata":{"name":"a","resourceVersion":"3"}}',
      '{"kind":"Pod","metadata":{"name":"a"} }',
      '{"kind":"Pod","status":{}}',
    ];
    for (const text of forms) {
      const { object, bytes } = decodeWithBytes(Buffer.from(text), 9);
      expect(object.metadata.resourceVersion).toBe('9');
      expect(JSON.parse(bytes.toString())).toEqual(object);
    }
  });

  it('serializes objects it did not write', () => {
    const obj = objects[0]!;
    expect(apiBytesOf(obj).toString()).toBe(JSON.stringify(obj));
  });
});
