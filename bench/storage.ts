// Benchmark: the embedded store against a real etcd (and optionally the inline-writer embedded
// variant and the memory store), measured in the same run, interleaved, at 1, 16 and 256 concurrent
// writers. Per case: durable writes/s (half creates, half compare-and-swap updates, each awaited
// before the writer's next one), write latency, watch delivery latency (from the moment the write
// was issued to the watcher's callback: it includes the commit, so stores that notify watchers
// before or after acknowledging are measured alike), then reads/s (gets of written keys).
// Prints one JSON object on stdout and a table on stderr.
//   npx tsx bench/storage.ts [--duration-ms 2000] [--writers 1,16,256] [--backends embedded,etcd]
//                            [--rounds 1] [--value-bytes 1024] [--quick]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { openEmbeddedStorage } from '../src/apiserver/storage/embedded/embedded-store.js';
import { openEtcdStorage } from '../src/apiserver/storage/etcd/etcd-store.js';
import { createMemoryStorage } from '../src/apiserver/storage/memory/memory-store.js';
import type { Storage, StorageEvent } from '../src/apiserver/storage/types.js';
import { type EtcdServer, etcdBinary, startEtcd } from '../test/harness/etcd.js';
import { LatencyHistogram, median, type Percentiles } from './lib/histogram.js';
import { machineInfo } from './lib/machine.js';
import { cpuMicros } from './lib/processes.js';

const { values: flags } = parseArgs({
  options: {
    'duration-ms': { type: 'string', default: process.env.KUBELITE_DURATION_MS ?? '2000' },
    writers: { type: 'string', default: process.env.KUBELITE_WRITERS ?? '1,16,256' },
    backends: { type: 'string', default: process.env.KUBELITE_BACKENDS ?? 'embedded,etcd' },
    rounds: { type: 'string', default: process.env.KUBELITE_ROUNDS ?? '1' },
    'value-bytes': { type: 'string', default: process.env.KUBELITE_VALUE_BYTES ?? '1024' },
    quick: { type: 'boolean', default: process.env.KUBELITE_QUICK === '1' },
  },
});
const quick = flags.quick === true;
const durationMs = quick ? 300 : Number(flags['duration-ms']);
const rounds = quick ? 1 : Number(flags.rounds);
const writerCounts = flags.writers!.split(',').map(Number);
const backends = flags.backends!.split(',').filter(Boolean);
const valueBytes = Number(flags['value-bytes']);
const known = ['embedded', 'embedded-inline', 'etcd', 'memory'];
for (const b of backends)
  if (!known.includes(b)) throw new Error(`unknown backend ${b}; use ${known.join(', ')}`);
if (writerCounts.some((n) => !(n > 0)) || !(durationMs > 0) || !(valueBytes >= 16))
  throw new Error('bad flags');

interface CaseResult {
  backend: string;
  writers: number;
  round: number;
  writes: number;
  writesPerSec: number;
  readsPerSec: number;
  writeLatencyMs: Percentiles;
  /** From issuing the write to the watcher's callback. */
  watchLatencyMs: Percentiles;
  /** From the write's acknowledgement to the watcher's callback; 0 when the watcher came first. */
  watchAfterAckMs: Percentiles;
  /** CPU time per write of this process plus the etcd server, if any. */
  cpuMicrosPerWrite: number;
  /** How late timers ran on this event loop while writing: what every other request would wait. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

interface OpenedStore {
  store: Storage;
  cleanup(): Promise<void>;
}

let etcd: EtcdServer | undefined;
let etcdPrefixes = 0;

async function open(backend: string): Promise<OpenedStore> {
  if (backend === 'memory') {
    const store = createMemoryStorage();
    return { store, cleanup: () => store.close() };
  }
  if (backend === 'etcd') {
    etcd ??= await startEtcd();
    const store = await openEtcdStorage({ endpoints: etcd.endpoints, prefix: `/bench${++etcdPrefixes}` });
    return { store, cleanup: () => store.close() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-bench-'));
  const store = await openEmbeddedStorage({ dir, writerThread: backend !== 'embedded-inline' });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A value of the requested size whose first bytes carry the write's sequence number. */
function valueFor(seq: number): Uint8Array {
  const value = new Uint8Array(valueBytes).fill(0x61);
  const tag = `${seq}#`;
  for (let i = 0; i < tag.length; i++) value[i] = tag.charCodeAt(i);
  return value;
}

function seqOf(value: Uint8Array): number {
  let n = 0;
  for (let i = 0; value[i] !== 0x23; i++) n = n * 10 + (value[i]! - 48);
  return n;
}

/** Correctness before load: the store answers as the contract says. */
async function check(store: Storage, backend: string): Promise<void> {
  const seen: StorageEvent[] = [];
  const watch = await store.watch('/check/', await store.currentRevision(), {
    onEvents: (events) => seen.push(...events),
    onError: () => undefined,
  });
  const c = await store.create('/check/a', valueFor(1));
  const dup = await store.create('/check/a', valueFor(2));
  if (!c.ok || dup.ok) throw new Error(`${backend}: create-if-absent broken`);
  const u = await store.update('/check/a', valueFor(3), c.revision);
  const stale = await store.update('/check/a', valueFor(4), c.revision);
  if (!u.ok || stale.ok) throw new Error(`${backend}: compare-and-swap broken`);
  const kv = await store.get('/check/a');
  if (kv?.modRevision !== u.revision || seqOf(kv.value) !== 3) throw new Error(`${backend}: get broken`);
  const deadline = Date.now() + 5000;
  while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  watch.close();
  if (seen.map((e) => e.revision).join() !== `${c.revision},${u.revision}`)
    throw new Error(`${backend}: watch broken`);
}

async function runCase(backend: string, writers: number, round: number): Promise<CaseResult> {
  const { store, cleanup } = await open(backend);
  try {
    await check(store, backend);
    const started = new Map<number, number>();
    const acked = new Map<number, number>();
    const delivered = new Map<number, number>();
    const watchLatency = new LatencyHistogram();
    const watchAfterAck = new LatencyHistogram();
    const writeLatency = new LatencyHistogram();
    let watched = 0;
    const watch = await store.watch('/registry/', await store.currentRevision(), {
      onEvents(events) {
        const now = performance.now();
        for (const e of events) {
          const seq = seqOf(e.value);
          const t0 = started.get(seq);
          if (t0 !== undefined) {
            watchLatency.recordMs(now - t0);
            started.delete(seq);
            const ackedAt = acked.get(seq);
            if (ackedAt === undefined) delivered.set(seq, now);
            else watchAfterAck.recordMs(now - ackedAt);
          }
          watched++;
        }
      },
      onError(err) {
        throw err;
      },
    });

    let seq = 10;
    let writes = 0;
    const keys: string[] = [];
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const cpuStart = cpuNow();
    const writeStart = performance.now();
    const writeEnd = writeStart + durationMs;
    const write = async (op: (value: Uint8Array) => Promise<{ ok: boolean; revision?: number }>) => {
      const s = seq++;
      const t0 = performance.now();
      started.set(s, t0);
      const r = await op(valueFor(s));
      if (!r.ok) throw new Error(`${backend}: write failed`);
      const now = performance.now();
      writeLatency.recordMs(now - t0);
      // The watcher may have been told before the writer: that is a delay of 0 after the ack.
      if (delivered.delete(s)) watchAfterAck.recordMs(0);
      else acked.set(s, now);
      writes++;
      return r.revision!;
    };
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let n = 0; performance.now() < writeEnd; n++) {
          const key = `/registry/pods/bench/w${w}-${n}`;
          const created = await write((v) => store.create(key, v));
          keys.push(key);
          await write((v) => store.update(key, v, created));
        }
      }),
    );
    const writeSeconds = (performance.now() - writeStart) / 1000;
    const cpuMicrosPerWrite = Math.round((cpuNow() - cpuStart) / writes);
    loopDelay.disable();
    const deadline = Date.now() + 30_000;
    while (watched < writes && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    watch.close();
    if (watched !== writes) throw new Error(`${backend}: watch saw ${watched} of ${writes} writes`);

    let reads = 0;
    const readStart = performance.now();
    const readEnd = readStart + durationMs;
    await Promise.all(
      Array.from({ length: writers }, async (_, r) => {
        for (let i = r; performance.now() < readEnd; i += writers) {
          const kv = await store.get(keys[i % keys.length]!);
          if (!kv) throw new Error(`${backend}: a written key is missing`);
          reads++;
        }
      }),
    );
    const readSeconds = (performance.now() - readStart) / 1000;
    return {
      backend,
      writers,
      round,
      writes,
      writesPerSec: Math.round(writes / writeSeconds),
      readsPerSec: Math.round(reads / readSeconds),
      writeLatencyMs: writeLatency.percentilesMs(),
      watchLatencyMs: watchLatency.percentilesMs(),
      watchAfterAckMs: watchAfterAck.percentilesMs(),
      cpuMicrosPerWrite,
      eventLoopDelayMs: {
        p50: Math.round(loopDelay.percentile(50) / 1e3) / 1e3,
        p99: Math.round(loopDelay.percentile(99) / 1e3) / 1e3,
        max: Math.round(loopDelay.max / 1e3) / 1e3,
      },
    };
  } finally {
    await cleanup();
  }
}

/** CPU microseconds used so far by this process (all threads) and the etcd server. */
function cpuNow(): number {
  const own = process.cpuUsage();
  const server = etcd?.pid === undefined ? 0 : cpuMicros(etcd.pid);
  return own.user + own.system + server;
}

function etcdVersion(): string {
  try {
    return /etcd Version: (\S+)/.exec(execFileSync(etcdBinary(), ['--version']).toString())?.[1] ?? 'unknown';
  } catch (err) {
    return `unavailable: ${(err as Error).message}`;
  }
}

const results: CaseResult[] = [];
try {
  for (let round = 1; round <= rounds; round++) {
    for (const writers of writerCounts) {
      // Alternate which backend goes first, so neither always runs on a cooler machine.
      const order = round % 2 === 1 ? backends : [...backends].reverse();
      for (const backend of order) {
        const r = await runCase(backend, writers, round);
        results.push(r);
        process.stderr.write(
          `round ${round} ${backend.padEnd(16)} writers ${String(writers).padStart(3)}: ` +
            `${r.writesPerSec} writes/s, ${r.readsPerSec} reads/s, watch p99 ${r.watchLatencyMs.p99} ms\n`,
        );
      }
    }
  }
} finally {
  await etcd?.stop();
}

const summary = backends.flatMap((backend) =>
  writerCounts.map((writers) => {
    const mine = results.filter((r) => r.backend === backend && r.writers === writers);
    const med = (f: (r: CaseResult) => number) => Math.round(median(mine.map(f)) * 1000) / 1000;
    return {
      backend,
      writers,
      writesPerSec: med((r) => r.writesPerSec),
      readsPerSec: med((r) => r.readsPerSec),
      writeLatencyMs: { p50: med((r) => r.writeLatencyMs.p50), p99: med((r) => r.writeLatencyMs.p99) },
      watchLatencyMs: {
        p50: med((r) => r.watchLatencyMs.p50),
        p99: med((r) => r.watchLatencyMs.p99),
        p999: med((r) => r.watchLatencyMs.p999),
      },
      watchAfterAckMs: { p50: med((r) => r.watchAfterAckMs.p50), p99: med((r) => r.watchAfterAckMs.p99) },
      cpuMicrosPerWrite: med((r) => r.cpuMicrosPerWrite),
      eventLoopDelayMsP99: med((r) => r.eventLoopDelayMs.p99),
    };
  }),
);

const ratios =
  backends.includes('embedded') && backends.includes('etcd')
    ? writerCounts.map((writers) => {
        const e = summary.find((s) => s.backend === 'embedded' && s.writers === writers)!;
        const d = summary.find((s) => s.backend === 'etcd' && s.writers === writers)!;
        const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
        return {
          writers,
          writes: ratio(e.writesPerSec, d.writesPerSec),
          reads: ratio(e.readsPerSec, d.readsPerSec),
          watchP99: ratio(e.watchLatencyMs.p99, d.watchLatencyMs.p99),
        };
      })
    : [];

const table = [
  'backend          writers   writes/s    reads/s  cpu us/w  loop p99  write p50/p99 ms  watch p50/p99/p999 ms  after ack p50/p99',
  ...summary.map(
    (s) =>
      `${s.backend.padEnd(16)} ${String(s.writers).padStart(7)} ${String(s.writesPerSec).padStart(10)} ` +
      `${String(s.readsPerSec).padStart(10)} ${String(s.cpuMicrosPerWrite).padStart(9)} ${String(s.eventLoopDelayMsP99).padStart(9)}  ` +
      `${`${s.writeLatencyMs.p50}/${s.writeLatencyMs.p99}`.padEnd(16)}  ` +
      `${`${s.watchLatencyMs.p50}/${s.watchLatencyMs.p99}/${s.watchLatencyMs.p999}`.padEnd(21)}  ` +
      `${s.watchAfterAckMs.p50}/${s.watchAfterAckMs.p99}`,
  ),
  ...ratios.map(
    (r) =>
      `embedded/etcd at ${r.writers} writers: writes x${r.writes}, reads x${r.reads}, watch p99 x${r.watchP99}`,
  ),
];
process.stderr.write(`\n${table.join('\n')}\n`);
process.stdout.write(
  `${JSON.stringify({
    benchmark: 'storage',
    config: { durationMs, writers: writerCounts, backends, rounds, valueBytes, quick },
    definitions: {
      writesPerSec: 'acknowledged durable writes per second (creates and CAS updates, 1:1)',
      readsPerSec: 'gets of written keys per second',
      watchLatencyMs: 'from issuing a write to the watcher callback that delivers it',
      watchAfterAckMs: 'from the write acknowledgement to the watcher callback (0: the watcher was first)',
      cpuMicrosPerWrite: 'CPU of the benchmark process (all threads) plus the etcd server, per write',
      eventLoopDelayMs: 'event-loop delay of the benchmark process while writing',
    },
    machine: { ...machineInfo(), etcd: etcdVersion() },
    summary,
    ratios,
    results,
  })}\n`,
);
