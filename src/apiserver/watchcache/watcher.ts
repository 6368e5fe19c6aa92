// One watch stream. The cache hands it shared, pre-serialized event bytes; the watcher only decides
// whether (and as which event type) an event concerns it and writes the bytes. A watcher whose socket
// cannot drain (unsent bytes above a bound) is closed: its client relists, memory stays bounded.
import type { CacheEvent, ChangeType, WatchFormat, WireEvent } from './event.js';
import { matchesFilter, type ObjectFilter } from './filter.js';

/** Where a watcher's events go: a chunked HTTP response (handlers/watch.ts) or a fake in tests. */
export interface WatchSink {
  write(event: WireEvent): void;
  /** Bytes written but not yet taken by the kernel. */
  readonly writableLength: number;
  /** Hold writes until uncork() (several events in one socket write); optional. */
  cork?(): void;
  uncork?(): void;
  end(): void;
  destroy(): void;
}

/**
 * The watchers written to while one batch of store events is dispatched: each is corked at its first
 * write and uncorked at the end, so a batch leaves in one socket write per watcher.
 */
export class WriteBatch {
  private readonly corked: Watcher[] = [];

  add(watcher: Watcher): void {
    this.corked.push(watcher);
  }

  flush(): void {
    for (const watcher of this.corked) watcher.uncork();
    this.corked.length = 0;
  }
}

export type CloseReason = 'client' | 'timeout' | 'slow' | 'shutdown' | 'reset';

export interface WatcherInit {
  readonly resource: string;
  readonly filter: ObjectFilter;
  readonly format: WatchFormat;
  readonly allowBookmarks: boolean;
  /** The watcher is closed when its unsent bytes exceed this (live events only; see `allowance`). */
  readonly maxBufferBytes: number;
  /** The index bucket this watcher is registered under (see WatcherIndex). */
  readonly indexKey: string;
}

export class Watcher {
  closed = false;
  /** Clock time of the last write: idle watchers get bookmarks. */
  lastWriteMs = 0;
  /** The revision this watcher has seen everything up to (bookmarks carry it). */
  revision = 0;
  /** Extra buffer allowed for the initial burst (synthetic ADDED events or a replay). */
  private allowance = 0;
  private corked = false;
  private closeListeners: Array<(reason: CloseReason) => void> = [];

  constructor(
    readonly init: WatcherInit,
    private readonly sink: WatchSink,
  ) {}

  get filter(): ObjectFilter {
    return this.init.filter;
  }

  onClose(listener: (reason: CloseReason) => void): void {
    this.closeListeners.push(listener);
  }

  /** How this watcher sees an event: its own type, ADDED/DELETED on a selector transition, or nothing. */
  typeFor(event: CacheEvent): ChangeType | undefined {
    const filter = this.init.filter;
    const now = matchesFilter(filter, event.object);
    if (event.type === 'ADDED') return now ? 'ADDED' : undefined;
    if (event.type === 'DELETED') return now ? 'DELETED' : undefined;
    const before = event.prev !== undefined && matchesFilter(filter, event.prev);
    if (now) return before ? 'MODIFIED' : 'ADDED';
    return before ? 'DELETED' : undefined;
  }

  /** Writes an initial or replayed burst; its size does not count against the live-event bound. */
  writeBurst(events: readonly WireEvent[], nowMs: number): void {
    let total = 0;
    for (const event of events) total += event.chunk.length;
    this.allowance = total;
    if (events.length === 0) return;
    this.sink.cork?.();
    for (const event of events) this.sink.write(event);
    this.sink.uncork?.();
    this.lastWriteMs = nowMs;
  }

  /**
   * Returns false if the watcher is (now) closed. Within a `batch` the socket is corked at the first
   * write and uncorked when the batch is flushed.
   */
  write(event: WireEvent, nowMs: number, batch?: WriteBatch): boolean {
    if (this.closed) return false;
    if (batch !== undefined && !this.corked && this.sink.cork !== undefined) {
      this.corked = true;
      this.sink.cork();
      batch.add(this);
    }
    this.sink.write(event);
    this.lastWriteMs = nowMs;
    const pending = this.sink.writableLength;
    if (pending <= this.allowance) this.allowance = pending;
    if (pending > this.init.maxBufferBytes + this.allowance) {
      this.close('slow');
      return false;
    }
    return true;
  }

  uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    if (!this.closed) this.sink.uncork?.();
  }

  /** Ends the stream. A slow watcher's socket is destroyed: its buffered bytes are dropped at once. */
  close(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    if (this.corked) {
      this.corked = false;
      if (reason !== 'slow') this.sink.uncork?.();
    }
    if (reason === 'slow') this.sink.destroy();
    else if (reason !== 'client') this.sink.end();
    for (const listener of this.closeListeners) listener(reason);
  }
}
