// Messages between the embedded store (event loop) and its writer thread.

import type { WriteOp, WriteOutcome } from './write-ops.js';
import { defaultCompactStepRevisions } from './writer-port.js';

export type ThreadRequest =
  | { readonly type: 'apply'; readonly id: number; readonly ops: readonly WriteOp[] }
  | { readonly type: 'compact'; readonly id: number; readonly target: number }
  | { readonly type: 'close'; readonly id: number };

export type ThreadReply =
  /** One transaction committed the writes of several requests: `sizes[i]` outcomes belong to `ids[i]`. */
  | {
      readonly type: 'applied';
      readonly ids: number[];
      readonly sizes: number[];
      readonly outcomes: WriteOutcome[];
    }
  | { readonly type: 'failed'; readonly ids: number[]; readonly message: string }
  | { readonly type: 'done'; readonly id: number };

export interface ThreadWriterData {
  dir: string;
  cacheSizeKiB?: number;
  compactStepRevisions: number;
}

export function readThreadWriterData(data: unknown): ThreadWriterData {
  const d = data as Partial<ThreadWriterData> | undefined;
  if (typeof d?.dir !== 'string') throw new Error('writer thread started without a directory');
  return {
    dir: d.dir,
    cacheSizeKiB: d.cacheSizeKiB,
    compactStepRevisions: d.compactStepRevisions ?? defaultCompactStepRevisions,
  };
}
