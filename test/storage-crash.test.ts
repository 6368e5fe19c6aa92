// kill -9 durability of the embedded store: a child process runs a write storm and reports every
// acknowledged write; the parent SIGKILLs it mid-storm, reopens the directory and finds every one of
// them, with its value, in the log. Several rounds on the same directory, with and without the
// writer thread, also show that revisions continue above the last one after each crash.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EventCollector, text } from '../src/apiserver/storage/conformance-support.js';
import { openEmbeddedStorage } from '../src/apiserver/storage/embedded/embedded-store.js';
import type { Ack } from '../src/apiserver/storage/embedded/testing/write-storm.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = fileURLToPath(
  new URL('../src/apiserver/storage/embedded/testing/write-storm.ts', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'kubelite-crash-'));
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Round {
  startRevision: number;
  acks: Ack[];
}

/** Runs the storm until `killAfterAcks` writes were acknowledged, then SIGKILLs the child. */
async function stormAndKill(mode: 'thread' | 'inline', round: number, killAfterAcks: number): Promise<Round> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir, mode, '64', String(round)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const acks: Ack[] = [];
  let startRevision = -1;
  let stderr = '';
  let buffered = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const message = JSON.parse(line) as Ack | { ready: number };
        if ('ready' in message) startRevision = message.ready;
        else acks.push(message);
      }
      if (acks.length >= killAfterAcks) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`write storm exited before it was killed:\n${stderr}`)));
  });
  // Acknowledgements already in the pipe when the signal landed count too.
  const signal = await exited;
  for (const line of buffered.split('\n').filter((l) => l.trim() !== '')) {
    try {
      acks.push(JSON.parse(line) as Ack);
    } catch {
      // a line cut by the kill was never a complete acknowledgement
    }
  }
  children.delete(child);
  expect(signal).toBe('SIGKILL');
  return { startRevision, acks };
}

describe('embedded storage survives kill -9', () => {
  it('keeps every acknowledged write across crashes and continues revisions above them', async () => {
    const rounds: Round[] = [];
    const modes = ['thread', 'inline', 'thread'] as const;
    for (const [i, mode] of modes.entries()) rounds.push(await stormAndKill(mode, i, 3000 + i * 1000));

    // Each restart continued above everything acknowledged before it.
    for (let i = 1; i < rounds.length; i++) {
      const previousMax = Math.max(...rounds[i - 1]!.acks.map((a) => a.revision));
      expect(rounds[i]!.startRevision).toBeGreaterThanOrEqual(previousMax);
    }

    const store = await openEmbeddedStorage({ dir });
    try {
      const current = await store.currentRevision();
      const all = rounds.flatMap((r) => r.acks);
      expect(all.length).toBeGreaterThanOrEqual(9000);
      expect(current).toBeGreaterThanOrEqual(Math.max(...all.map((a) => a.revision)));

      // The whole log, replayed: no revision missing, and every acknowledged write in it.
      const log = new EventCollector();
      const watch = await store.watch('/registry/', 0, log);
      await log.untilRevision(current, 60_000);
      watch.close();
      expect(log.events.map((e) => e.revision)).toEqual(Array.from({ length: current }, (_, i) => i + 1));
      for (const ack of all) {
        const event = log.events[ack.revision - 1]!;
        expect({
          type: event.type,
          key: event.key,
          value: text(event.type === 'delete' ? event.prevValue : event.value),
        }).toEqual({
          type: ack.type,
          key: ack.key,
          value: ack.value,
        });
      }

      // Current values: the last acknowledged write of each key, or a later one that committed
      // without being acknowledged in time.
      const last = new Map<string, Ack>();
      for (const ack of all) last.set(ack.key, ack);
      for (const [key, ack] of last) {
        const kv = await store.get(key);
        if (ack.type === 'delete') expect(kv, key).toBeUndefined();
        else if (kv?.modRevision === ack.revision) expect(text(kv.value)).toBe(ack.value);
        else expect(kv === undefined || kv.modRevision > ack.revision, key).toBe(true);
      }

      const next = await store.create('/registry/after/crash', new TextEncoder().encode('x'));
      expect(next.ok && next.revision === current + 1).toBe(true);
    } finally {
      await store.close();
    }
  }, 120_000);
});
