// An in-memory Storage for fast unit tests of the apiserver and the watch cache. Not durable and
// never the default. It keeps the current value of every key plus the change log since the last
// compaction; a list at an older revision undoes the newer log entries.
import { closedError, expiredError, futureRevisionError } from '../errors.js';
import { deleteEvent, putEvent } from '../events.js';
import { compareKeys } from '../keys.js';
import type {
  DeleteResult,
  KeyValue,
  ListOptions,
  ListResult,
  Storage,
  StorageEvent,
  StorageWatch,
  WatchHandlers,
  WriteResult,
} from '../types.js';
import { WatchHub } from '../watch-hub.js';

export interface MemoryStorageOptions {
  /** Revision to start from (as if that many writes had happened and been compacted). Default 0. */
  initialRevision?: number;
}

export function createMemoryStorage(options: MemoryStorageOptions = {}): Storage {
  return new MemoryStorage(options.initialRevision ?? 0);
}

class MemoryStorage implements Storage {
  private readonly current = new Map<string, KeyValue>();
  /** Events with revision > compacted, oldest first. */
  private log: StorageEvent[] = [];
  private revision: number;
  private compacted: number;
  private unpublished: StorageEvent[] = [];
  private closed = false;
  private readonly hub: WatchHub;

  constructor(initialRevision: number) {
    this.revision = initialRevision;
    this.compacted = initialRevision;
    this.hub = new WatchHub({
      log: { readEvents: (prefix, after, upTo, limit) => this.readEvents(prefix, after, upTo, limit) },
      compactedRevision: () => this.compacted,
      headRevision: initialRevision,
    });
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.revision;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    return this.current.get(key);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const at = options.revision ?? this.revision;
    if (at < this.compacted) throw expiredError(at, this.compacted);
    if (at > this.revision) throw futureRevisionError(at, this.revision);
    const state = new Map<string, KeyValue>();
    for (const [key, kv] of this.current) if (key.startsWith(prefix)) state.set(key, kv);
    // Undo, newest first, every change made after `at`.
    for (let i = this.log.length - 1; i >= 0 && this.log[i]!.revision > at; i--) {
      const e = this.log[i]!;
      if (!e.key.startsWith(prefix)) continue;
      if (e.prevValue === undefined) state.delete(e.key);
      else state.set(e.key, previousOf(e));
    }
    const items = [...state.values()].sort((a, b) => compareKeys(a.key, b.key));
    return { items, revision: at };
  }

  async create(key: string, value: Uint8Array): Promise<WriteResult> {
    this.checkOpen();
    const existing = this.current.get(key);
    if (existing) return { ok: false, reason: 'exists', current: existing };
    const revision = ++this.revision;
    const kv: KeyValue = { key, value: value.slice(), createRevision: revision, modRevision: revision };
    this.current.set(key, kv);
    this.record(putEvent(key, revision, revision, kv.value));
    return { ok: true, revision };
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult> {
    this.checkOpen();
    const existing = this.current.get(key);
    if (!existing) return { ok: false, reason: 'notFound' };
    if (existing.modRevision !== expectedModRevision)
      return { ok: false, reason: 'conflict', current: existing };
    const revision = ++this.revision;
    const kv: KeyValue = {
      key,
      value: value.slice(),
      createRevision: existing.createRevision,
      modRevision: revision,
    };
    this.current.set(key, kv);
    this.record(putEvent(key, revision, kv.createRevision, kv.value, existing));
    return { ok: true, revision };
  }

  async delete(key: string, expectedModRevision?: number): Promise<DeleteResult> {
    this.checkOpen();
    const existing = this.current.get(key);
    if (!existing) return { ok: false, reason: 'notFound' };
    if (expectedModRevision !== undefined && existing.modRevision !== expectedModRevision) {
      return { ok: false, reason: 'conflict', current: existing };
    }
    const revision = ++this.revision;
    this.current.delete(key);
    this.record(deleteEvent(key, revision, existing.createRevision, existing));
    return { ok: true, revision, prev: existing };
  }

  async watch(prefix: string, fromRevision: number, handlers: WatchHandlers): Promise<StorageWatch> {
    this.checkOpen();
    if (fromRevision < this.compacted) throw expiredError(fromRevision, this.compacted);
    return this.hub.add(prefix, fromRevision, handlers);
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.revision) throw futureRevisionError(revision, this.revision);
    if (revision <= this.compacted) return;
    // Watchers must have seen every event before it leaves the log.
    this.publish();
    this.compacted = revision;
    const keep = this.log.findIndex((e) => e.revision > revision);
    this.log = keep < 0 ? [] : this.log.slice(keep);
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.publish();
    this.closed = true;
    this.hub.closeAll(closedError());
  }

  private record(event: StorageEvent): void {
    this.log.push(event);
    this.unpublished.push(event);
    // Publish after the writer's synchronous code, so a watcher that writes from its handler never
    // re-enters the fan-out.
    if (this.unpublished.length === 1) queueMicrotask(() => this.publish());
  }

  private publish(): void {
    const events = this.unpublished;
    if (events.length === 0) return;
    this.unpublished = [];
    this.hub.publish(events);
  }

  private readEvents(prefix: string, after: number, upTo: number, limit: number): StorageEvent[] {
    const out: StorageEvent[] = [];
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid]!.revision <= after) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.log.length && out.length < limit; i++) {
      const e = this.log[i]!;
      if (e.revision > upTo) break;
      if (e.key.startsWith(prefix)) out.push(e);
    }
    return out;
  }

  private checkOpen(): void {
    if (this.closed) throw closedError();
  }
}

function previousOf(e: StorageEvent): KeyValue {
  return {
    key: e.key,
    value: e.prevValue!,
    createRevision: e.createRevision,
    modRevision: e.prevModRevision!,
  };
}
