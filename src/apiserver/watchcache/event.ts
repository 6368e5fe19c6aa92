// One change as the watch cache keeps it, with its wire forms memoized: whatever number of watchers
// receive it, each (event type, object, format) combination is serialized exactly once and the same
// Buffer — already framed as an HTTP/1.1 chunk — is written to every socket.
import type { WatchEventType } from '../../api/types.js';
import type { CachedObject } from './cached-object.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** How a watcher wants objects on the wire: plain JSON or a one-row Table per event. */
export interface WatchFormat {
  /** Distinguishes memoized serializations ("json", "table:Metadata", …). */
  readonly key: string;
  encode(object: CachedObject): string | Buffer;
}

export const jsonFormat: WatchFormat = { key: 'json', encode: (o) => o.bytes };

/**
 * One watch event on the wire: `line` is the JSON line; `chunk` is the same bytes framed as an
 * HTTP/1.1 chunk (size line, JSON line, CRLF), so a chunked watch response costs one socket write per
 * event and watcher, with no per-watcher framing. `line` is a view into `chunk`.
 */
export class WireEvent {
  readonly chunk: Buffer;
  readonly line: Buffer;

  /** The event `prefix + body + suffix` (one JSON line), framed. */
  constructor(prefix: string, body: string | Buffer = '', suffix = '') {
    const bodyLength = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    const length = Buffer.byteLength(prefix) + bodyLength + Buffer.byteLength(suffix);
    const head = `${length.toString(16)}\r\n`;
    const chunk = Buffer.allocUnsafe(head.length + length + 2);
    let at = chunk.write(head, 0, 'latin1');
    at += chunk.write(prefix, at, 'utf8');
    at += typeof body === 'string' ? chunk.write(body, at, 'utf8') : body.copy(chunk, at);
    at += chunk.write(suffix, at, 'utf8');
    chunk.write('\r\n', at, 'latin1');
    this.chunk = chunk;
    this.line = chunk.subarray(head.length, head.length + length);
  }
}

export function eventBytes(type: WatchEventType, object: string | Buffer): WireEvent {
  return new WireEvent(`{"type":"${type}","object":`, object, '}\n');
}

export class CacheEvent {
  /** The common case: the event's own type as plain JSON (every unfiltered JSON watcher). */
  private plain: WireEvent | undefined;
  private memo: Map<string, WireEvent> | undefined;

  constructor(
    readonly type: ChangeType,
    /** The object after the change; for DELETED the removed object at the deletion's revision. */
    readonly object: CachedObject,
    /** The object before the change (undefined for ADDED). */
    readonly prev: CachedObject | undefined,
    readonly revision: number,
  ) {}

  /**
   * The bytes of this event as a watcher sees it: `type` may differ from the event's own type when
   * the object started matching (ADDED) or stopped matching (DELETED, with the previous object at
   * this revision) the watcher's selectors.
   */
  bytes(type: ChangeType, format: WatchFormat, onSerialize?: (format: string) => void): WireEvent {
    const plain = type === this.type && format === jsonFormat;
    if (plain && this.plain !== undefined) return this.plain;
    const memoKey = `${type}|${format.key}`;
    this.memo ??= new Map();
    let bytes = this.memo.get(memoKey);
    if (bytes === undefined) {
      const object =
        type === 'DELETED' && this.type !== 'DELETED' ? this.prev!.withRevision(this.revision) : this.object;
      bytes = eventBytes(type, format.encode(object));
      this.memo.set(memoKey, bytes);
      onSerialize?.(format.key);
    }
    if (plain) this.plain = bytes;
    return bytes;
  }
}
