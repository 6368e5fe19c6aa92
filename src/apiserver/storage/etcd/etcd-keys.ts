// Key encoding for etcd: the store's optional prefix plus the Storage key, as bytes.
import type { IKeyValue } from 'etcd3';
import type { KeyValue } from '../types.js';

export class EtcdKeys {
  private readonly prefix: Buffer;

  constructor(prefix: string) {
    this.prefix = Buffer.from(prefix);
  }

  key(key: string): Buffer {
    return Buffer.concat([this.prefix, Buffer.from(key)]);
  }

  /** The [start, end) byte range of every key under `prefix`. */
  range(prefix: string): { start: Buffer; end: Buffer } {
    const start = this.key(prefix);
    return { start, end: rangeEnd(start) };
  }

  name(key: Buffer): string {
    return key.subarray(this.prefix.length).toString();
  }

  keyValue(kv: IKeyValue): KeyValue {
    return {
      key: this.name(kv.key),
      value: kv.value,
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }
}

/** etcd's range end for a prefix: the prefix with its last byte below 0xff incremented. */
function rangeEnd(start: Buffer): Buffer {
  for (let i = start.length - 1; i >= 0; i--) {
    if (start[i]! < 0xff) {
      const end = Buffer.from(start.subarray(0, i + 1));
      end[i]!++;
      return end;
    }
  }
  // No upper bound: "\0" means every key from start on.
  return Buffer.from([0]);
}
