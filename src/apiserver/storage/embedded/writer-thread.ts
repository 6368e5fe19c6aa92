// The embedded store's writer thread. It owns the only writing connection. Every write request that
// has arrived by the time it is free goes into ONE transaction (group commit); compaction advances
// one small step between batches so writes never wait long behind it.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { LogWriter } from './log-writer.js';
import { openDatabase } from './schema.js';
import { readThreadWriterData, type ThreadReply, type ThreadRequest } from './thread-protocol.js';
import type { WriteOp } from './write-ops.js';

const port = parentPort!;
const options = readThreadWriterData(workerData);
const db = openDatabase(options.dir, options);
const writer = new LogWriter(db);
let compactTarget = 0;
let compactWaiters: number[] = [];
let stepScheduled = false;

const reply = (message: ThreadReply) => port.postMessage(message);

port.on('message', (first: ThreadRequest) => {
  const requests = [first];
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) requests.push(m.message);
  applyWrites(requests);
  for (const r of requests) {
    if (r.type === 'compact') {
      compactWaiters.push(r.id);
      compactTarget = Math.max(compactTarget, r.target);
    }
  }
  const close = requests.find((r) => r.type === 'close');
  if (close) {
    // The store closes only once no write is pending; an unfinished compaction just stops here
    // (each step is committed on its own and resumes from the saved revision next time).
    const waiters = compactWaiters;
    compactWaiters = [];
    if (waiters.length > 0)
      reply({ type: 'failed', ids: waiters, message: 'storage closed during compaction' });
    db.close();
    reply({ type: 'done', id: close.id });
    port.close();
    return;
  }
  compactStep();
});

function applyWrites(requests: readonly ThreadRequest[]): void {
  const ids: number[] = [];
  const sizes: number[] = [];
  const ops: WriteOp[] = [];
  for (const r of requests) {
    if (r.type !== 'apply') continue;
    ids.push(r.id);
    sizes.push(r.ops.length);
    for (const op of r.ops) ops.push(op);
  }
  if (ids.length === 0) return;
  try {
    reply({ type: 'applied', ids, sizes, outcomes: writer.apply(ops) });
  } catch (err) {
    reply({ type: 'failed', ids, message: err instanceof Error ? err.message : String(err) });
  }
}

function compactStep(): void {
  if (compactWaiters.length === 0 || stepScheduled) return;
  try {
    if (writer.compactStep(compactTarget, options.compactStepRevisions) < compactTarget) {
      // Let write requests that arrive meanwhile go first.
      stepScheduled = true;
      setImmediate(() => {
        stepScheduled = false;
        compactStep();
      });
      return;
    }
    for (const id of compactWaiters) reply({ type: 'done', id });
  } catch (err) {
    reply({ type: 'failed', ids: compactWaiters, message: err instanceof Error ? err.message : String(err) });
  }
  compactWaiters = [];
}
