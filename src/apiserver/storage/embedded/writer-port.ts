// How the embedded store reaches its log writer: on the event loop itself (InlineWriter) or in a
// worker thread (ThreadWriter, writer-thread.ts), so that a commit's fsync never stalls the loop.
import { LogWriter } from './log-writer.js';
import { type OpenOptions, openDatabase } from './schema.js';
import type { WriteOp, WriteOutcome } from './write-ops.js';

export interface LogWriterPort {
  /** Applies the writes in order in one durable transaction; resolves once it is committed. */
  apply(ops: readonly WriteOp[]): Promise<WriteOutcome[]>;
  /** Compacts to `target` in small steps; resolves once all of them committed. */
  compact(target: number): Promise<void>;
  close(): Promise<void>;
}

export interface WriterOptions extends OpenOptions {
  dir: string;
  /** Revisions compacted per transaction, so writes wait at most one step behind a compaction. */
  compactStepRevisions?: number;
}

export const defaultCompactStepRevisions = 5000;

export class InlineWriter implements LogWriterPort {
  private readonly db;
  private readonly writer;
  private readonly step: number;

  constructor(options: WriterOptions) {
    this.db = openDatabase(options.dir, options);
    this.writer = new LogWriter(this.db);
    this.step = options.compactStepRevisions ?? defaultCompactStepRevisions;
  }

  async apply(ops: readonly WriteOp[]): Promise<WriteOutcome[]> {
    return this.writer.apply(ops);
  }

  async compact(target: number): Promise<void> {
    while (this.writer.compactStep(target, this.step) < target) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
