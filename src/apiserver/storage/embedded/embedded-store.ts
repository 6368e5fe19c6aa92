// The embedded Storage (the default): one directory on local disk, no external process. Writes go
// through group commit to a single writer (by default in a worker thread) that appends them to a
// SQLite log in one durable transaction per batch; reads and watch replays use the event loop's own
// connection; live watch events come straight from the commit path, never from polling the table.
import { type Compactor, type CompactorOptions, startCompactor } from '../compactor.js';
import { closedError, expiredError, futureRevisionError } from '../errors.js';
import { deleteEvent, putEvent } from '../events.js';
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
import { CommitQueue } from './commit-queue.js';
import { type DirLock, lockDir } from './dir-lock.js';
import { LogReader } from './log-reader.js';
import { openDatabase, readRevisions, type SqliteDatabase } from './schema.js';
import { ThreadWriter } from './thread-writer.js';
import type { WriteOp, WriteOutcome } from './write-ops.js';
import { InlineWriter, type LogWriterPort, type WriterOptions } from './writer-port.js';

export interface EmbeddedStorageOptions {
  /** The directory holding the database (created if missing). One process per directory. */
  dir: string;
  /** Commit in a worker thread so fsync never blocks the event loop. Default true. */
  writerThread?: boolean;
  /** SQLite page cache per connection, in KiB. Default 64 MiB. */
  cacheSizeKiB?: number;
  /** Revisions compacted per transaction. */
  compactStepRevisions?: number;
  /** Events read per step when a watch replays history. */
  replayChunk?: number;
  /** Periodic compaction; omitted or intervalMs 0: none (call compact() yourself). */
  compaction?: CompactorOptions;
}

export async function openEmbeddedStorage(options: EmbeddedStorageOptions): Promise<Storage> {
  const lock = lockDir(options.dir);
  let db: SqliteDatabase | undefined;
  let writer: LogWriterPort;
  try {
    // The reader's connection creates the schema before the writer opens its own.
    db = openDatabase(options.dir, options);
    const writerOptions: WriterOptions = options;
    writer =
      options.writerThread === false ? new InlineWriter(writerOptions) : new ThreadWriter(writerOptions);
  } catch (err) {
    db?.close();
    lock.release();
    throw err;
  }
  const store = new EmbeddedStorage(db, writer, lock, options);
  if (options.compaction?.intervalMs) store.startCompaction(options.compaction);
  return store;
}

const empty = new Uint8Array(0);

class EmbeddedStorage implements Storage {
  private readonly reader: LogReader;
  private readonly hub: WatchHub;
  private readonly commits: CommitQueue;
  /** The last acknowledged revision: every read is bounded by it. */
  private head: number;
  /** Lists and watches below this are Expired (set when a compaction starts). */
  private compactTarget: number;
  private closed = false;
  private compactor: Compactor | undefined;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly writer: LogWriterPort,
    private readonly lock: DirLock,
    options: EmbeddedStorageOptions,
  ) {
    const revisions = readRevisions(db);
    this.head = revisions.current;
    this.compactTarget = revisions.compacted;
    this.reader = new LogReader(db);
    this.hub = new WatchHub({
      log: this.reader,
      compactedRevision: () => this.compactTarget,
      headRevision: this.head,
      replayChunk: options.replayChunk,
    });
    this.commits = new CommitQueue(writer, (ops, outcomes) => this.committed(ops, outcomes));
  }

  startCompaction(options: CompactorOptions): void {
    this.compactor = startCompactor(this, options);
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.head;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    return this.reader.get(key, this.head);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const at = options.revision ?? this.head;
    if (at < this.compactTarget) throw expiredError(at, this.compactTarget);
    if (at > this.head) throw futureRevisionError(at, this.head);
    return { items: this.reader.list(prefix, at), revision: at };
  }

  async create(key: string, value: Uint8Array): Promise<WriteResult> {
    return writeResult(await this.submit({ kind: 'create', key, value: value.slice() }));
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult> {
    return writeResult(
      await this.submit({ kind: 'update', key, value: value.slice(), expected: expectedModRevision }),
    );
  }

  async delete(key: string, expectedModRevision?: number): Promise<DeleteResult> {
    const outcome = await this.submit({ kind: 'delete', key, expected: expectedModRevision });
    if (outcome.status === 'ok') {
      const prev: KeyValue = {
        key,
        value: outcome.prevValue ?? empty,
        createRevision: outcome.createRevision,
        modRevision: outcome.prevModRevision,
      };
      return { ok: true, revision: outcome.revision, prev };
    }
    if (outcome.status === 'exists') throw new Error('delete cannot answer "exists"');
    return outcome.status === 'notFound'
      ? { ok: false, reason: 'notFound' }
      : { ok: false, reason: 'conflict', current: outcome.current };
  }

  async watch(prefix: string, fromRevision: number, handlers: WatchHandlers): Promise<StorageWatch> {
    this.checkOpen();
    if (fromRevision < this.compactTarget) throw expiredError(fromRevision, this.compactTarget);
    return this.hub.add(prefix, fromRevision, handlers);
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.head) throw futureRevisionError(revision, this.head);
    if (revision <= this.compactTarget) return;
    this.compactTarget = revision;
    await this.writer.compact(revision);
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compactTarget;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.compactor?.stop();
    await this.commits.drain();
    this.hub.closeAll(closedError());
    try {
      await this.writer.close();
    } finally {
      this.db.close();
      this.lock.release();
    }
  }

  private submit(op: WriteOp): Promise<WriteOutcome> {
    if (this.closed) return Promise.reject(closedError());
    return this.commits.submit(op);
  }

  private committed(ops: readonly WriteOp[], outcomes: readonly WriteOutcome[]): void {
    const events: StorageEvent[] = [];
    outcomes.forEach((o, i) => {
      if (o.status !== 'ok') return;
      events.push(toEvent(ops[i]!, o));
    });
    if (events.length === 0) return;
    this.head = events[events.length - 1]!.revision;
    this.hub.publish(events);
  }

  private checkOpen(): void {
    if (this.closed) throw closedError();
  }
}

function toEvent(op: WriteOp, o: WriteOutcome & { status: 'ok' }): StorageEvent {
  const prev =
    o.prevModRevision === 0 ? undefined : { value: o.prevValue ?? empty, modRevision: o.prevModRevision };
  if (op.kind === 'delete') return deleteEvent(op.key, o.revision, o.createRevision, prev!);
  return putEvent(op.key, o.revision, o.createRevision, op.value, prev);
}

function writeResult(o: WriteOutcome): WriteResult {
  if (o.status === 'ok') return { ok: true, revision: o.revision };
  if (o.status === 'notFound') return { ok: false, reason: 'notFound' };
  return { ok: false, reason: o.status, current: o.current };
}
