// The Storage contract. Only the apiserver talks to storage; everything the API promises about
// resourceVersion, optimistic concurrency and watch comes from the guarantees written here. Every
// implementation must pass `runStorageConformance` (conformance.ts), which tests each sentence below.
//
// Model: an MVCC key/value store with ONE global, strictly increasing revision (a positive integer).
// - Every successful write (create, update, delete) gets a revision greater than any before it. The
//   object's resourceVersion in the API is its `modRevision` written as a decimal string.
// - Keys are strings such as `/registry/pods/default/web-1`; prefixes end in `/`.
// - Values are opaque bytes (the apiserver stores JSON). Values may be large (at least 1.5 MiB).
// - Writes are compare-and-swap on a key's modRevision; expected outcomes (the key exists, is gone,
//   or changed meanwhile) are returned as values, never thrown. Thrown errors are real failures.
// - A write is acknowledged (its promise resolves) only once it is durable: it survives `kill -9` of
//   the process (and, for etcd, is committed by the cluster's quorum).
// - watch(prefix, fromRevision) delivers every change with revision > fromRevision under the prefix,
//   each exactly once and in revision order, across keys; deletes and updates carry the previous value.
// - compact(revision) may discard history at or below it. Asking to list or watch at a revision
//   below the compacted one fails with StorageError code 'Expired'. Current values are never lost.

export interface KeyValue {
  readonly key: string;
  readonly value: Uint8Array;
  /** Revision of the write that created this key (since it last did not exist). */
  readonly createRevision: number;
  /** Revision of the last write to this key: the resourceVersion. */
  readonly modRevision: number;
}

export type WriteResult =
  | { readonly ok: true; readonly revision: number }
  /** create: the key exists (current is its value); update/delete: the key does not exist. */
  | { readonly ok: false; readonly reason: 'exists'; readonly current: KeyValue }
  | { readonly ok: false; readonly reason: 'notFound' }
  /** update/delete: the key's modRevision is not the expected one; current is what is there now. */
  | { readonly ok: false; readonly reason: 'conflict'; readonly current: KeyValue };

export type DeleteResult =
  | { readonly ok: true; readonly revision: number; readonly prev: KeyValue }
  | { readonly ok: false; readonly reason: 'notFound' }
  | { readonly ok: false; readonly reason: 'conflict'; readonly current: KeyValue };

export interface StorageEvent {
  readonly type: 'put' | 'delete';
  readonly key: string;
  /** The revision of this change (the new modRevision for a put; the deletion's revision for a delete). */
  readonly revision: number;
  /** The new value (put). For delete, the value that was deleted. */
  readonly value: Uint8Array;
  readonly createRevision: number;
  /** The value before this change, for updates and deletes; undefined when a put created the key. */
  readonly prevValue?: Uint8Array;
  readonly prevModRevision?: number;
}

export interface ListResult {
  readonly items: KeyValue[];
  /** The revision the list was read at: watching from it loses nothing and repeats nothing. */
  readonly revision: number;
}

export interface ListOptions {
  /** Read as of this revision (must not be below the compacted revision). Default: the latest. */
  readonly revision?: number;
}

export interface WatchHandlers {
  /**
   * Called with one or more events in revision order (possibly before watch() resolves). Must not
   * throw; must not block. A handler that throws ends its watch with that error.
   */
  onEvents(events: readonly StorageEvent[]): void;
  /** The watch ended abnormally (store closed, connection lost for good). No more events follow. */
  onError(error: Error): void;
}

export interface StorageWatch {
  close(): void;
}

export interface Storage {
  /** The latest revision (0 on an empty store that has never been written). */
  currentRevision(): Promise<number>;
  get(key: string): Promise<KeyValue | undefined>;
  /**
   * The keys under `prefix` as of a revision, sorted by key (code point order). Rejects with 'Expired'
   * below the compacted revision and with 'InvalidArgument' above the current one.
   */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Create-if-absent. */
  create(key: string, value: Uint8Array): Promise<WriteResult>;
  /** Replace the value if the key's modRevision is `expectedModRevision`. */
  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult>;
  /** Delete, optionally only if the key's modRevision is `expectedModRevision`. */
  delete(key: string, expectedModRevision?: number): Promise<DeleteResult>;
  /**
   * Resolves once the watch is established and will deliver every change after `fromRevision`.
   * Rejects with StorageError 'Expired' when fromRevision < the compacted revision.
   */
  watch(prefix: string, fromRevision: number, handlers: WatchHandlers): Promise<StorageWatch>;
  /**
   * Discard history before `revision`: afterwards the state at `revision` can still be listed and
   * watches from `revision` on still work, but anything older is 'Expired'. At or below the current
   * compacted revision it is a no-op; above the current revision it rejects with 'InvalidArgument'.
   */
  compact(revision: number): Promise<void>;
  /** The revision history is retained from (exclusive): lists/watches below it are Expired. */
  compactedRevision(): Promise<number>;
  /** Ends every watch with a 'Closed' error; later calls reject with 'Closed'. Idempotent. */
  close(): Promise<void>;
}

export type StorageErrorCode = 'Expired' | 'Closed' | 'Unavailable' | 'InvalidArgument';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

export function isStorageError(e: unknown, code?: StorageErrorCode): e is StorageError {
  return e instanceof StorageError && (code === undefined || e.code === code);
}
