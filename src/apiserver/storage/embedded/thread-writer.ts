// The event loop's side of the writer thread: requests go out as soon as they are made (the thread
// merges whatever has queued up into one transaction), replies settle them in order.
import type { Worker } from 'node:worker_threads';
import { StorageError } from '../types.js';
import { startWorker } from './start-worker.js';
import type { ThreadReply, ThreadRequest, ThreadWriterData } from './thread-protocol.js';
import type { WriteOp, WriteOutcome } from './write-ops.js';
import { defaultCompactStepRevisions, type LogWriterPort, type WriterOptions } from './writer-port.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class ThreadWriter implements LogWriterPort {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  private exited = false;

  constructor(options: WriterOptions) {
    const data: ThreadWriterData = {
      dir: options.dir,
      cacheSizeKiB: options.cacheSizeKiB,
      compactStepRevisions: options.compactStepRevisions ?? defaultCompactStepRevisions,
    };
    this.worker = startWorker(new URL('./writer-thread.js', import.meta.url), { workerData: data });
    this.worker.on('message', (reply: ThreadReply) => this.settle(reply));
    this.worker.on('error', (err) =>
      this.fail(new StorageError('Unavailable', `storage writer failed: ${err.message}`)),
    );
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.fail(new StorageError('Unavailable', `storage writer thread exited (code ${code})`));
    });
  }

  apply(ops: readonly WriteOp[]): Promise<WriteOutcome[]> {
    return this.request((id) => ({ type: 'apply', id, ops })) as Promise<WriteOutcome[]>;
  }

  async compact(target: number): Promise<void> {
    await this.request((id) => ({ type: 'compact', id, target }));
  }

  async close(): Promise<void> {
    if (this.exited) return;
    await this.request((id) => ({ type: 'close', id }));
    await new Promise<void>((resolve) =>
      this.exited ? resolve() : this.worker.once('exit', () => resolve()),
    );
  }

  private request(make: (id: number) => ThreadRequest): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(make(id));
    });
  }

  private settle(reply: ThreadReply): void {
    if (reply.type === 'applied') {
      let offset = 0;
      reply.ids.forEach((id, i) => {
        const size = reply.sizes[i]!;
        this.take(id)?.resolve(reply.outcomes.slice(offset, offset + size));
        offset += size;
      });
    } else if (reply.type === 'failed') {
      const error = new StorageError('Unavailable', `storage write failed: ${reply.message}`);
      for (const id of reply.ids) this.take(id)?.reject(error);
    } else {
      this.take(reply.id)?.resolve(undefined);
    }
  }

  private take(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}
