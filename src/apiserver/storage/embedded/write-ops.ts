// The writes the embedded store's writer applies and what it answers: plain data, so the same
// shapes cross from the event loop to the writer thread and back by structured clone.
import type { KeyValue } from '../types.js';

export type WriteOp =
  | { readonly kind: 'create'; readonly key: string; readonly value: Uint8Array }
  | { readonly kind: 'update'; readonly key: string; readonly value: Uint8Array; readonly expected: number }
  | { readonly kind: 'delete'; readonly key: string; readonly expected: number | undefined };

export type WriteOutcome =
  | {
      readonly status: 'ok';
      readonly revision: number;
      readonly createRevision: number;
      /** The revision this write replaced; 0 when it created the key. */
      readonly prevModRevision: number;
      /** The value this write replaced (update, delete). */
      readonly prevValue?: Uint8Array;
    }
  | { readonly status: 'exists' | 'conflict'; readonly current: KeyValue }
  | { readonly status: 'notFound' };
