// A bounds-checked reader for the protobuf wire format (varints, fixed 32/64, length-delimited).
// Every read checks the remaining length first, so truncated or hostile bytes end in a WireError,
// never an out-of-range read or an endless loop.

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

export const WireType = { varint: 0, fixed64: 1, bytes: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

export type WireValue =
  | { field: number; wireType: 0; varint: bigint }
  | { field: number; wireType: 2; bytes: Uint8Array }
  | { field: number; wireType: 1 | 5 };

/** Reads one varint (at most 10 bytes) as an unsigned 64-bit bigint. */
function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new WireError('truncated varint');
    const byte = buf[pos++]!;
    result |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) return [BigInt.asUintN(64, result), pos];
  }
  throw new WireError('varint longer than 10 bytes');
}

/** Iterates the fields of one message; groups (wire types 3 and 4) are rejected as Kubernetes never sends them. */
export function* readFields(buf: Uint8Array): Generator<WireValue> {
  let pos = 0;
  while (pos < buf.length) {
    const [key, afterKey] = readVarint(buf, pos);
    pos = afterKey;
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0 || field > 536_870_911) throw new WireError(`invalid field number ${field}`);
    switch (wireType) {
      case WireType.varint: {
        const [varint, next] = readVarint(buf, pos);
        pos = next;
        yield { field, wireType, varint };
        break;
      }
      case WireType.bytes: {
        const [length, next] = readVarint(buf, pos);
        if (length > BigInt(buf.length - next))
          throw new WireError(`field ${field}: length ${length} past the end`);
        pos = next + Number(length);
        yield { field, wireType, bytes: buf.subarray(next, pos) };
        break;
      }
      case WireType.fixed64:
      case WireType.fixed32: {
        const size = wireType === WireType.fixed64 ? 8 : 4;
        if (pos + size > buf.length) throw new WireError(`field ${field}: truncated fixed${size * 8}`);
        pos += size;
        yield { field, wireType };
        break;
      }
      default:
        throw new WireError(`field ${field}: unsupported wire type ${wireType}`);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new WireError('invalid UTF-8 in a string field');
  }
}

/** A signed 64-bit varint as a number; values beyond 2^53 are refused rather than silently rounded. */
export function toInt64(v: bigint): number {
  const signed = BigInt.asIntN(64, v);
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new WireError(`integer ${signed} out of range`);
  }
  return Number(signed);
}

/** int32 fields carry negative values sign-extended to 64 bits. */
export function toInt32(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}
