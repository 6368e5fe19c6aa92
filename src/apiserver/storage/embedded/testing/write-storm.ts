// Child process for the kill -9 test (test/storage-crash.test.ts): opens the embedded store in the
// directory given as argv[2] and runs concurrent writers forever, creating, updating and deleting
// their own keys. Each ACKNOWLEDGED write is reported on stdout as one JSON line, written
// synchronously after the acknowledgement, so the parent knows exactly what must survive a SIGKILL.
//   node --import tsx write-storm.ts <dir> <thread|inline> <writers> <round>
import { writeSync } from 'node:fs';
import { openEmbeddedStorage } from '../embedded-store.js';

export interface Ack {
  type: 'put' | 'delete';
  key: string;
  revision: number;
  value: string;
}

const [dir, mode = 'thread', writersArg = '64', round = '0'] = process.argv.slice(2);
if (!dir) throw new Error('usage: write-storm.ts <dir> [thread|inline] [writers] [round]');
const store = await openEmbeddedStorage({ dir, writerThread: mode !== 'inline' });
const encoder = new TextEncoder();
let pending: string[] = [];

function report(ack: Ack): void {
  pending.push(JSON.stringify(ack));
  if (pending.length === 1) {
    queueMicrotask(() => {
      const lines = `${pending.join('\n')}\n`;
      pending = [];
      writeSync(1, lines);
    });
  }
}

async function writer(id: number): Promise<void> {
  for (let n = 0; ; n++) {
    const key = `/registry/storm/r${round}-w${id}/k${n}`;
    let value = `r${round}-w${id}-k${n}-v0-${'x'.repeat(n % 50)}`;
    const created = await store.create(key, encoder.encode(value));
    if (!created.ok) throw new Error(`create ${key}: ${created.reason}`);
    report({ type: 'put', key, revision: created.revision, value });
    let revision = created.revision;
    for (let v = 1; v <= 2; v++) {
      value = `r${round}-w${id}-k${n}-v${v}`;
      const updated = await store.update(key, encoder.encode(value), revision);
      if (!updated.ok) throw new Error(`update ${key}: ${updated.reason}`);
      report({ type: 'put', key, revision: updated.revision, value });
      revision = updated.revision;
    }
    if (n % 3 === 0) {
      const deleted = await store.delete(key, revision);
      if (!deleted.ok) throw new Error(`delete ${key}: ${deleted.reason}`);
      report({ type: 'delete', key, revision: deleted.revision, value });
    }
  }
}

writeSync(1, `${JSON.stringify({ ready: await store.currentRevision() })}\n`);
await Promise.all(Array.from({ length: Number(writersArg) }, (_, i) => writer(i)));
