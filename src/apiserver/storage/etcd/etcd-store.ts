// Storage on a real etcd v3 cluster through the etcd3 client. Every write is one transaction guarded
// by a compare on the key's revisions, so compare-and-swap happens inside etcd; etcd's own revision
// is the Storage revision. Keys are the Storage keys, optionally under a prefix.
import { Etcd3, type IKeyValue, type IOptions, type IRangeRequest } from 'etcd3';
import { type Compactor, type CompactorOptions, startCompactor } from '../compactor.js';
import { closedError, futureRevisionError } from '../errors.js';
import {
  type DeleteResult,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Storage,
  StorageError,
  type StorageWatch,
  type WatchHandlers,
  type WriteResult,
} from '../types.js';
import {
  isCompactedError,
  isFutureRevisionError,
  isNotSentError,
  isRetriableRead,
  type RetryOptions,
  toStorageError,
  withRetry,
} from './etcd-errors.js';
import { EtcdKeys } from './etcd-keys.js';
import { type OpenWatch, openEtcdWatch } from './etcd-watch.js';

export interface EtcdStorageOptions {
  /** `host:port` or `http://host:port`, one per member. */
  endpoints: string[];
  /** Prepended to every key (e.g. `/tenant-a`); default none. */
  prefix?: string;
  /** Keys per page when listing. Default 500. */
  listPageSize?: number;
  /** Per-request deadline. Default 30 s. */
  requestTimeoutMs?: number;
  /** Retries of reads while etcd is unreachable, and of writes that never left. Default 3 × 100 ms. */
  retry?: RetryOptions;
  /** Periodic compaction; omitted or intervalMs 0: none. */
  compaction?: CompactorOptions;
  /** Extra etcd3 client options (TLS, auth). */
  client?: Partial<IOptions>;
}

// Writes must not be retried blindly (see etcd-errors.ts): the client's retry policy is replaced.
const noRetry = { execute: <T>(fn: (context: unknown) => T) => fn({ signal: new AbortController().signal }) };

export async function openEtcdStorage(options: EtcdStorageOptions): Promise<Storage> {
  if (options.endpoints.length === 0) throw new Error('etcd storage needs at least one endpoint');
  const client = new Etcd3({
    hosts: options.endpoints,
    dialTimeout: 10_000,
    ...options.client,
    faultHandling: { global: noRetry as never, ...options.client?.faultHandling },
    grpcOptions: {
      'grpc.max_receive_message_length': -1,
      'grpc.max_send_message_length': -1,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      ...options.client?.grpcOptions,
    },
  });
  const store = new EtcdStorage(client, options);
  try {
    await store.currentRevision();
  } catch (err) {
    client.close();
    throw err;
  }
  if (options.compaction?.intervalMs) store.startCompaction(options.compaction);
  return store;
}

class EtcdStorage implements Storage {
  private readonly keys: EtcdKeys;
  private readonly pageSize: number;
  private readonly retry: RetryOptions;
  private readonly callOptions: () => { deadline: Date };
  private readonly watches = new Set<OpenWatch>();
  /** A key read with count_only to learn the revision or whether a revision is compacted. */
  private readonly probeKey: Buffer;
  /** The highest revision known to be compacted (a lower bound for the search in etcd). */
  private knownCompacted = 0;
  private closed = false;
  private compactor: Compactor | undefined;

  constructor(
    private readonly client: Etcd3,
    options: EtcdStorageOptions,
  ) {
    this.keys = new EtcdKeys(options.prefix ?? '');
    this.probeKey = this.keys.key('/');
    this.pageSize = options.listPageSize ?? 500;
    this.retry = options.retry ?? { attempts: 3, backoffMs: 100 };
    const timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.callOptions = () => ({ deadline: new Date(Date.now() + timeoutMs) });
  }

  startCompaction(options: CompactorOptions): void {
    this.compactor = startCompactor(this, options);
  }

  async currentRevision(): Promise<number> {
    const res = await this.read('current revision', { key: this.probeKey, count_only: true });
    return Number(res.header.revision);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.read(`get ${key}`, { key: this.keys.key(key) });
    const kv = res.kvs[0];
    return kv ? this.keys.keyValue(kv) : undefined;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const { start, end } = this.keys.range(prefix);
    const items: KeyValue[] = [];
    let revision = options.revision ?? 0;
    for (let from = start; ; ) {
      const res = await this.read(`list ${prefix}`, {
        key: from,
        range_end: end,
        revision,
        limit: this.pageSize,
      });
      // Later pages read at the first page's revision, so the whole list is one snapshot.
      if (revision === 0) revision = Number(res.header.revision);
      for (const kv of res.kvs) items.push(this.keys.keyValue(kv));
      if (!res.more || res.kvs.length === 0) break;
      from = Buffer.concat([res.kvs.at(-1)!.key, Buffer.from([0])]);
    }
    return { items, revision };
  }

  async create(key: string, value: Uint8Array): Promise<WriteResult> {
    const k = this.keys.key(key);
    const res = await this.write(`create ${key}`, {
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value: Buffer.from(value) } }],
      failure: [{ request_range: { key: k } }],
    });
    if (res.succeeded) return { ok: true, revision: Number(res.header.revision) };
    const current = res.responses[0]?.response_range.kvs[0];
    if (!current) throw new Error(`create ${key}: etcd reported the key as existing but returned none`);
    return { ok: false, reason: 'exists', current: this.keys.keyValue(current) };
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult> {
    const k = this.keys.key(key);
    const res = await this.write(`update ${key}`, {
      compare: this.guard(k, expectedModRevision),
      success: [{ request_put: { key: k, value: Buffer.from(value) } }],
      failure: [{ request_range: { key: k } }],
    });
    if (res.succeeded) return { ok: true, revision: Number(res.header.revision) };
    return this.missed(res.responses[0]?.response_range.kvs[0]);
  }

  async delete(key: string, expectedModRevision?: number): Promise<DeleteResult> {
    const k = this.keys.key(key);
    const res = await this.write(`delete ${key}`, {
      compare: this.guard(k, expectedModRevision),
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (res.succeeded) {
      const prev = res.responses[0]?.response_delete_range.prev_kvs[0];
      if (!prev) throw new Error(`delete ${key}: etcd deleted the key but returned no previous value`);
      return { ok: true, revision: Number(res.header.revision), prev: this.keys.keyValue(prev) };
    }
    return this.missed(res.responses[0]?.response_range.kvs[0]);
  }

  async watch(prefix: string, fromRevision: number, handlers: WatchHandlers): Promise<StorageWatch> {
    this.checkOpen();
    if (await this.isCompacted(fromRevision)) {
      throw new StorageError('Expired', `revision ${fromRevision} has been compacted`);
    }
    const ctx = { client: this.client, keys: this.keys, isCompacted: (r: number) => this.isCompacted(r) };
    const watch = await openEtcdWatch(ctx, prefix, fromRevision, handlers, (w) =>
      this.watches.delete(w),
    ).catch((err: unknown) => {
      throw toStorageError(err, `watch ${prefix}`);
    });
    if (this.closed) {
      watch.end(closedError());
      throw closedError();
    }
    this.watches.add(watch);
    return watch;
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    try {
      await this.client.kv.compact({ revision, physical: false }, this.callOptions());
      this.knownCompacted = Math.max(this.knownCompacted, revision);
    } catch (err) {
      // Compacting at or below the compacted revision is a no-op, as the contract says.
      if (isCompactedError(err)) return;
      if (isFutureRevisionError(err)) throw futureRevisionError(revision, await this.currentRevision());
      throw toStorageError(err, `compact ${revision}`);
    }
  }

  /**
   * etcd does not report its compacted revision, but a read at a revision below it fails: the
   * compacted revision is the lowest revision that can still be read, found by bisection.
   */
  async compactedRevision(): Promise<number> {
    let low = Math.max(1, this.knownCompacted);
    let high = await this.currentRevision();
    if (!(await this.isCompacted(low))) return this.knownCompacted;
    // Invariant: `low` is compacted, `high` is readable.
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (await this.isCompacted(mid)) low = mid;
      else high = mid;
    }
    this.knownCompacted = Math.max(this.knownCompacted, high);
    return high;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.compactor?.stop();
    for (const w of [...this.watches]) w.end(closedError());
    this.client.close();
  }

  private async isCompacted(revision: number): Promise<boolean> {
    if (revision <= 0) return false;
    try {
      await this.client.kv.range({ key: this.probeKey, revision, count_only: true }, this.callOptions());
      return false;
    } catch (err) {
      if (isCompactedError(err)) return true;
      if (isFutureRevisionError(err)) return false;
      throw toStorageError(err, `read at revision ${revision}`);
    }
  }

  /** Compares for update/delete: the key exists and, if given, has the expected revision. */
  private guard(key: Buffer, expectedModRevision: number | undefined) {
    const exists = { key, target: 'Version' as const, result: 'Greater' as const, version: 0 };
    if (expectedModRevision === undefined) return [exists];
    return [
      exists,
      { key, target: 'Mod' as const, result: 'Equal' as const, mod_revision: expectedModRevision },
    ];
  }

  private missed(
    current: IKeyValue | undefined,
  ): { ok: false; reason: 'notFound' } | { ok: false; reason: 'conflict'; current: KeyValue } {
    return current
      ? { ok: false, reason: 'conflict', current: this.keys.keyValue(current) }
      : { ok: false, reason: 'notFound' };
  }

  private async read(what: string, req: IRangeRequest) {
    this.checkOpen();
    return withRetry(what, () => this.client.kv.range(req, this.callOptions()), isRetriableRead, this.retry);
  }

  private async write(what: string, req: Parameters<Etcd3['kv']['txn']>[0]) {
    this.checkOpen();
    return withRetry(what, () => this.client.kv.txn(req, this.callOptions()), isNotSentError, this.retry);
  }

  private checkOpen(): void {
    if (this.closed) throw closedError();
  }
}
