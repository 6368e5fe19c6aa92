// Objects in storage are JSON without metadata.resourceVersion: the resourceVersion IS the key's
// modRevision, filled in when an object is read (as Kubernetes' etcd3 store does). The stored JSON
// has `metadata` as its last key, so the API form — the same object with its resourceVersion — is
// the stored bytes with `,"resourceVersion":"N"}}` in place of the final `}}`: reads, watch events
// and write responses splice instead of serializing again.
import type { KubeObject } from '../../api/types.js';

export function encodeObject(obj: KubeObject): Buffer {
  const { metadata, ...rest } = obj;
  const { resourceVersion: _, ...meta } = metadata ?? {};
  return Buffer.from(JSON.stringify({ ...rest, metadata: meta }));
}

export function decodeObject(value: Uint8Array, modRevision: number): KubeObject {
  return decodeWithBytes(value, modRevision, false).object;
}

/**
 * The object and, when `withBytes`, its API JSON: spliced from the stored bytes when they are in the
 * stored form (metadata last, no resourceVersion, no trailing space), else serialized.
 */
export function decodeWithBytes(
  value: Uint8Array,
  modRevision: number,
  withBytes = true,
): { object: KubeObject; bytes: Buffer } {
  const stored = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const obj = JSON.parse(stored.toString('utf8')) as KubeObject;
  const meta = obj.metadata as unknown;
  let spliceable =
    withBytes &&
    meta !== null &&
    typeof meta === 'object' &&
    !Array.isArray(meta) &&
    !('resourceVersion' in meta) &&
    lastKey(obj) === 'metadata';
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(modRevision);
  if (!withBytes) return { object: obj, bytes: emptyBuffer };
  spliceable &&= endsWithTwoBraces(stored);
  return { object: obj, bytes: spliceable ? withResourceVersion(stored, modRevision) : encodeApi(obj) };
}

const emptyBuffer = Buffer.alloc(0);

/**
 * The API JSON of an object whose stored bytes are `stored` (in the stored form) at `revision`.
 * `{}}` at the end means empty metadata: no other metadata value can end in `{` before the `}}`.
 */
export function withResourceVersion(stored: Buffer, revision: number): Buffer {
  const emptyMetadata = stored[stored.length - 3] === 0x7b;
  const tail = `${emptyMetadata ? '' : ','}"resourceVersion":"${revision}"}}`;
  const cut = stored.length - 2;
  const out = Buffer.allocUnsafe(cut + tail.length);
  stored.copy(out, 0, 0, cut);
  out.write(tail, cut, 'latin1');
  return out;
}

function encodeApi(obj: KubeObject): Buffer {
  return Buffer.from(JSON.stringify(obj));
}

function lastKey(obj: object): string | undefined {
  let last: string | undefined;
  for (const key in obj) last = key;
  return last;
}

function endsWithTwoBraces(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[bytes.length - 1] === 0x7d && bytes[bytes.length - 2] === 0x7d;
}

// The API bytes of objects this server just wrote, so the write's response needs no serialization.
// Only objects the registry returns unchanged after the write are remembered (ObjectStore).
const apiBytes = new WeakMap<KubeObject, Buffer>();

/** `stored` must be encodeObject(obj)'s output, and `obj` must not change afterwards. */
export function rememberApiBytes(obj: KubeObject, stored: Buffer, revision: number): void {
  apiBytes.set(obj, withResourceVersion(stored, revision));
}

/** The API JSON of `obj` (remembered from its write, or serialized now). */
export function apiBytesOf(obj: KubeObject): Buffer {
  return apiBytes.get(obj) ?? encodeApi(obj);
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
