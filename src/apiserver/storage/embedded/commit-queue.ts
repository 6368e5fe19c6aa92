// Group commit on the event loop: every write made in the same turn of the loop goes to the writer as
// one batch, committed in one transaction and acknowledged together after the commit. With the
// writer thread, batches made while a commit is in flight are merged again on the other side.
import type { WriteOp, WriteOutcome } from './write-ops.js';
import type { LogWriterPort } from './writer-port.js';

interface QueuedWrite {
  op: WriteOp;
  resolve(outcome: WriteOutcome): void;
  reject(error: Error): void;
}

export type CommitListener = (ops: readonly WriteOp[], outcomes: readonly WriteOutcome[]) => void;

export class CommitQueue {
  private queued: QueuedWrite[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  /** `onCommitted` runs after each commit, before its writes are acknowledged. */
  constructor(
    private readonly writer: LogWriterPort,
    private readonly onCommitted: CommitListener,
  ) {}

  submit(op: WriteOp): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.queued.push({ op, resolve, reject });
      if (this.queued.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Resolves once every write submitted so far is settled. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private flush(): void {
    const batch = this.queued;
    if (batch.length === 0) return;
    this.queued = [];
    const ops = batch.map((w) => w.op);
    const done = this.writer.apply(ops).then(
      (outcomes) => {
        this.onCommitted(ops, outcomes);
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve(outcomes[i]!);
      },
      (err: Error) => {
        for (const w of batch) w.reject(err);
      },
    );
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }
}
