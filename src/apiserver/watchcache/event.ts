// One change as the watch cache keeps it, with its wire forms memoized: whatever number of watchers
// receive it, each (event type, object, format) combination is serialized exactly once and the same
// Buffer is written to every socket.
import type { WatchEventType } from '../../api/types.js';
import type { CachedObject } from './cached-object.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** How a watcher wants objects on the wire: plain JSON or a one-row Table per event. */
export interface WatchFormat {
  /** Distinguishes memoized serializations ("json", "table:Metadata", …). */
  readonly key: string;
  encode(object: CachedObject): string;
}

export const jsonFormat: WatchFormat = { key: 'json', encode: (o) => o.json };

export function eventBytes(type: WatchEventType, objectJson: string): Buffer {
  return Buffer.from(`{"type":"${type}","object":${objectJson}}\n`);
}

export class CacheEvent {
  private memo: Map<string, Buffer> | undefined;

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
  bytes(type: ChangeType, format: WatchFormat, onSerialize?: (format: string) => void): Buffer {
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
    return bytes;
  }
}
