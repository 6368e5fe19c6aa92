// Reads of the embedded store's log on the event loop's own connection. WAL lets these run while the
// writer commits; every read is bounded by a revision the store has acknowledged, so a reader never
// sees a write before its writer was told it succeeded.
import { deleteEvent, putEvent } from '../events.js';
import { prefixEnd } from '../keys.js';
import type { KeyValue, StorageEvent } from '../types.js';
import type { LogRow, SqliteDatabase } from './schema.js';

const empty = new Uint8Array(0);

type KeyValueRow = Pick<LogRow, 'id' | 'name' | 'create_revision' | 'value'>;

export class LogReader {
  private readonly getAt;
  private readonly listBounded;
  private readonly listFrom;
  private readonly eventsBounded;
  private readonly eventsFrom;

  constructor(db: SqliteDatabase) {
    this.getAt = db.prepare<[string, number], Omit<KeyValueRow, 'name'> & { deleted: number }>(
      'SELECT id, deleted, create_revision, value FROM log WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1',
    );
    // The newest row of each key at or below the revision, unless it is a tombstone.
    const listSql = (bound: string) => `
      SELECT l.id, l.name, l.create_revision, l.value FROM log l
      JOIN (SELECT MAX(id) AS id FROM log WHERE ${bound} AND id <= ? GROUP BY name) m ON l.id = m.id
      WHERE l.deleted = 0 ORDER BY l.name`;
    this.listBounded = db.prepare<[string, string, number], KeyValueRow>(listSql('name >= ? AND name < ?'));
    this.listFrom = db.prepare<[string, number], KeyValueRow>(listSql('name >= ?'));
    // An update's previous value is its prev_revision row (kept by compaction while the update is).
    const eventsSql = (bound: string) => `
      SELECT l.id, l.name, l.created, l.deleted, l.create_revision, l.prev_revision, l.value,
        COALESCE(l.old_value, p.value) AS old_value
      FROM log l LEFT JOIN log p ON p.id = l.prev_revision AND l.created = 0 AND l.deleted = 0
      WHERE l.id > ? AND l.id <= ? AND ${bound.replaceAll('name', 'l.name')} ORDER BY l.id LIMIT ?`;
    this.eventsBounded = db.prepare<[number, number, string, string, number], LogRow>(
      eventsSql('name >= ? AND name < ?'),
    );
    this.eventsFrom = db.prepare<[number, number, string, number], LogRow>(eventsSql('name >= ?'));
  }

  get(key: string, atRevision: number): KeyValue | undefined {
    const row = this.getAt.get(key, atRevision);
    if (!row || row.deleted) return undefined;
    return { key, value: row.value ?? empty, createRevision: row.create_revision, modRevision: row.id };
  }

  list(prefix: string, atRevision: number): KeyValue[] {
    const end = prefixEnd(prefix);
    const rows =
      end === undefined
        ? this.listFrom.all(prefix, atRevision)
        : this.listBounded.all(prefix, end, atRevision);
    return rows.map((r) => ({
      key: r.name,
      value: r.value ?? empty,
      createRevision: r.create_revision,
      modRevision: r.id,
    }));
  }

  /** At most `limit` events, and fewer once they hold `maxBytes` of values (at least one event). */
  readEvents(
    prefix: string,
    after: number,
    upTo: number,
    limit: number,
    maxBytes = 32 << 20,
  ): StorageEvent[] {
    const end = prefixEnd(prefix);
    const rows =
      end === undefined
        ? this.eventsFrom.iterate(after, upTo, prefix, limit)
        : this.eventsBounded.iterate(after, upTo, prefix, end, limit);
    const events: StorageEvent[] = [];
    let bytes = 0;
    for (const row of rows) {
      events.push(rowToEvent(row));
      bytes += (row.value?.byteLength ?? 0) + (row.old_value?.byteLength ?? 0);
      if (bytes >= maxBytes) break;
    }
    return events;
  }
}

export function rowToEvent(row: LogRow): StorageEvent {
  const prev = row.created ? undefined : { value: row.old_value ?? empty, modRevision: row.prev_revision };
  if (row.deleted) return deleteEvent(row.name, row.id, row.create_revision, prev!);
  return putEvent(row.name, row.id, row.create_revision, row.value ?? empty, prev);
}
