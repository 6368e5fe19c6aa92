// Objects in storage are JSON without metadata.resourceVersion: the resourceVersion IS the key's
// modRevision, filled in when an object is read (as Kubernetes' etcd3 store does).
import type { KubeObject } from '../../api/types.js';

const encoder = new TextEncoder();

export function encodeObject(obj: KubeObject): Uint8Array {
  const rv = obj.metadata.resourceVersion;
  if (rv === undefined) return encoder.encode(JSON.stringify(obj));
  delete obj.metadata.resourceVersion;
  try {
    return encoder.encode(JSON.stringify(obj));
  } finally {
    obj.metadata.resourceVersion = rv;
  }
}

export function decodeObject(value: Uint8Array, modRevision: number): KubeObject {
  const obj = JSON.parse(
    Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8'),
  ) as KubeObject;
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(modRevision);
  return obj;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** A deep copy through JSON: objects from the API are plain JSON, so this is exact. */
export function cloneObject<T>(obj: T): T {
  return JSON.parse(JSON.stringify(obj)) as T;
}

/** JSON with object keys sorted at every level: equal documents give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}
