// Watch fan-out for stores that keep their own change log (memory, embedded). A new watch first
// replays the log from its revision, in chunks so a long history never blocks the event loop, then
// switches to live events; the switch happens synchronously once the replay has reached the last
// published revision, so nothing is lost and nothing is repeated. Every watcher keeps a cursor (the
// last revision it was given) and live delivery only hands it events above the cursor.
import { expiredError } from './errors.js';
import type { StorageEvent, StorageWatch, WatchHandlers } from './types.js';

export interface EventLog {
  /**
   * Committed events with afterRevision < revision <= upToRevision under `prefix`, in revision
   * order: the first `limit` of them or fewer (e.g. to bound memory), but none only if there are none.
   */
  readEvents(prefix: string, afterRevision: number, upToRevision: number, limit: number): StorageEvent[];
}

export interface WatchHubOptions {
  log: EventLog;
  /** History at or below this revision may be gone: a replay that falls under it fails as Expired. */
  compactedRevision: () => number;
  /** The last revision already published (the store's committed revision when the hub starts). */
  headRevision: number;
  /** Events read from the log per step of a replay. */
  replayChunk?: number;
}

interface Watcher {
  readonly prefix: string;
  readonly handlers: WatchHandlers;
  cursor: number;
  live: boolean;
  closed: boolean;
}

export class WatchHub {
  private head: number;
  private readonly watchers = new Set<Watcher>();
  private readonly replayChunk: number;

  constructor(private readonly options: WatchHubOptions) {
    this.head = options.headRevision;
    this.replayChunk = options.replayChunk ?? 1000;
  }

  /** The last revision published to live watchers. */
  get headRevision(): number {
    return this.head;
  }

  get size(): number {
    return this.watchers.size;
  }

  /** Hands committed events (in revision order, newer than any published before) to live watchers. */
  publish(events: readonly StorageEvent[]): void {
    if (events.length === 0) return;
    this.head = events[events.length - 1]!.revision;
    for (const w of this.watchers) {
      if (w.live) this.deliver(w, events);
    }
  }

  /** Registers a watch; the caller has already checked `fromRevision` against compaction. */
  add(prefix: string, fromRevision: number, handlers: WatchHandlers): StorageWatch {
    const w: Watcher = {
      prefix,
      handlers,
      cursor: fromRevision,
      live: fromRevision >= this.head,
      closed: false,
    };
    this.watchers.add(w);
    if (!w.live) setImmediate(() => this.replayStep(w));
    return { close: () => this.remove(w) };
  }

  /** Ends every watch with `error` (the store is closing or failed). */
  closeAll(error: Error): void {
    for (const w of [...this.watchers]) this.fail(w, error);
  }

  private replayStep(w: Watcher): void {
    if (w.closed) return;
    const upTo = this.head;
    let events: StorageEvent[];
    try {
      this.checkRetained(w);
      events = this.options.log.readEvents(w.prefix, w.cursor, upTo, this.replayChunk);
      // A compaction that started during the read may have removed rows the read needed.
      this.checkRetained(w);
    } catch (err) {
      this.fail(w, err as Error);
      return;
    }
    if (events.length > 0) {
      this.deliver(w, events);
      if (!w.closed) setImmediate(() => this.replayStep(w));
      return;
    }
    // Nothing left up to `upTo`; `head` cannot have moved during this synchronous step.
    w.cursor = Math.max(w.cursor, upTo);
    if (upTo === this.head) w.live = true;
    else setImmediate(() => this.replayStep(w));
  }

  private checkRetained(w: Watcher): void {
    const compacted = this.options.compactedRevision();
    if (w.cursor < compacted) throw expiredError(w.cursor, compacted);
  }

  private deliver(w: Watcher, events: readonly StorageEvent[]): void {
    let batch: readonly StorageEvent[] = events;
    if (events[0]!.revision <= w.cursor || w.prefix !== '') {
      batch = events.filter((e) => e.revision > w.cursor && e.key.startsWith(w.prefix));
    }
    w.cursor = Math.max(w.cursor, events[events.length - 1]!.revision);
    if (batch.length === 0) return;
    try {
      w.handlers.onEvents(batch);
    } catch (err) {
      this.fail(w, err instanceof Error ? err : new Error(String(err)));
    }
  }

  private remove(w: Watcher): void {
    w.closed = true;
    this.watchers.delete(w);
  }

  private fail(w: Watcher, error: Error): void {
    if (w.closed) return;
    this.remove(w);
    try {
      w.handlers.onError(error);
    } catch {
      // A handler must not throw; there is nobody left to tell.
    }
  }
}
