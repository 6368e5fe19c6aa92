// The single writer of the embedded store's log. `apply` runs a whole batch of writes in ONE
// transaction (one fsync for all of them: group commit), deciding each compare-and-swap against the
// log as the batch has left it, and assigning consecutive revisions. Synchronous: it runs either on
// the event loop or in the writer thread.
import type { KeyValue } from '../types.js';
import { type LogRow, readRevisions, type SqliteDatabase } from './schema.js';
import type { WriteOp, WriteOutcome } from './write-ops.js';

type LatestRow = Pick<LogRow, 'id' | 'deleted' | 'create_revision' | 'value'>;

const empty = new Uint8Array(0);

export class LogWriter {
  private revision: number;
  private compacted: number;
  private readonly latest;
  private readonly insert;
  private readonly deleteSuperseded;
  private readonly deleteTombstones;
  private readonly saveCompacted;
  private readonly applyInTransaction;
  private readonly compactInTransaction;

  constructor(db: SqliteDatabase) {
    const revisions = readRevisions(db);
    this.revision = revisions.current;
    this.compacted = revisions.compacted;
    this.latest = db.prepare<[string], LatestRow>(
      'SELECT id, deleted, create_revision, value FROM log WHERE name = ? ORDER BY id DESC LIMIT 1',
    );
    this.insert = db.prepare<
      [number, string, number, number, number, number, Uint8Array | null, Uint8Array | null]
    >(
      'INSERT INTO log (id, name, created, deleted, create_revision, prev_revision, value, old_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.deleteSuperseded = db.prepare<[number, number]>(
      'DELETE FROM log WHERE id IN (SELECT prev_revision FROM log WHERE id > ? AND id <= ? AND prev_revision > 0)',
    );
    this.deleteTombstones = db.prepare<[number, number]>(
      'DELETE FROM log WHERE deleted = 1 AND id > ? AND id <= ?',
    );
    this.saveCompacted = db.prepare<[number]>(
      "INSERT INTO meta (name, value) VALUES ('compact_revision', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    );
    this.applyInTransaction = db.transaction((ops: readonly WriteOp[]) => ops.map((op) => this.applyOne(op)));
    this.compactInTransaction = db.transaction((from: number, to: number) => {
      this.deleteSuperseded.run(from, to);
      this.deleteTombstones.run(from, to);
      this.saveCompacted.run(to);
    });
  }

  get currentRevision(): number {
    return this.revision;
  }

  get compactedRevision(): number {
    return this.compacted;
  }

  /** Applies `ops` in order in one durable transaction; on failure none of them happened. */
  apply(ops: readonly WriteOp[]): WriteOutcome[] {
    const before = this.revision;
    try {
      return this.applyInTransaction.immediate(ops);
    } catch (err) {
      this.revision = before;
      throw err;
    }
  }

  /**
   * Compacts towards `target` by at most `maxRevisions` revisions in one transaction, so writes can
   * run between steps. Returns the revision compacted to.
   */
  compactStep(target: number, maxRevisions: number): number {
    if (target > this.revision)
      throw new Error(`cannot compact to ${target}: the log ends at ${this.revision}`);
    const from = this.compacted;
    const to = Math.min(target, from + maxRevisions);
    if (to <= from) return from;
    this.compactInTransaction.immediate(from, to);
    this.compacted = to;
    return to;
  }

  private applyOne(op: WriteOp): WriteOutcome {
    const row = this.latest.get(op.key);
    const live = row !== undefined && row.deleted === 0 ? row : undefined;
    if (op.kind === 'create') {
      if (live) return { status: 'exists', current: toKeyValue(op.key, live) };
      const revision = ++this.revision;
      this.insert.run(revision, op.key, 1, 0, revision, row?.id ?? 0, op.value, null);
      return { status: 'ok', revision, createRevision: revision, prevModRevision: 0 };
    }
    if (!live) return { status: 'notFound' };
    if (op.expected !== undefined && live.id !== op.expected) {
      return { status: 'conflict', current: toKeyValue(op.key, live) };
    }
    const revision = ++this.revision;
    const prevValue = live.value ?? empty;
    if (op.kind === 'update') {
      this.insert.run(revision, op.key, 0, 0, live.create_revision, live.id, op.value, null);
    } else {
      this.insert.run(revision, op.key, 0, 1, live.create_revision, live.id, null, prevValue);
    }
    return {
      status: 'ok',
      revision,
      createRevision: live.create_revision,
      prevModRevision: live.id,
      prevValue,
    };
  }
}

function toKeyValue(key: string, row: LatestRow): KeyValue {
  return { key, value: row.value ?? empty, createRevision: row.create_revision, modRevision: row.id };
}
