// One watch stream. The cache hands it shared, pre-serialized event bytes; the watcher only decides
// whether (and as which event type) an event concerns it and writes the bytes. A watcher whose socket
// cannot drain (unsent bytes above a bound) is closed: its client relists, memory stays bounded.
import type { CacheEvent, ChangeType, WatchFormat } from './event.js';
import { matchesFilter, type ObjectFilter } from './filter.js';

/** The part of a ServerResponse a watcher uses (tests pass a fake). */
export interface WatchSink {
  write(chunk: Buffer): unknown;
  readonly writableLength: number;
  end(): void;
  destroy(): void;
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
  writeBurst(chunks: readonly Buffer[], nowMs: number): void {
    let total = 0;
    for (const chunk of chunks) total += chunk.length;
    this.allowance = total;
    for (const chunk of chunks) this.sink.write(chunk);
    if (chunks.length > 0) this.lastWriteMs = nowMs;
  }

  /**
   * Returns false if the watcher is (now) closed. No explicit batching: ServerResponse corks its
   * socket until the next tick, so the events of one store batch leave in one writev per watcher.
   */
  write(chunk: Buffer, nowMs: number): boolean {
    if (this.closed) return false;
    this.sink.write(chunk);
    this.lastWriteMs = nowMs;
    const pending = this.sink.writableLength;
    if (pending <= this.allowance) this.allowance = pending;
    if (pending > this.init.maxBufferBytes + this.allowance) {
      this.close('slow');
      return false;
    }
    return true;
  }

  /** Ends the stream. A slow watcher's socket is destroyed: its buffered bytes are dropped at once. */
  close(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    if (reason === 'slow') this.sink.destroy();
    else if (reason !== 'client') this.sink.end();
    for (const listener of this.closeListeners) listener(reason);
  }
}
