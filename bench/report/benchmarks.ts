// The benchmarks the suite knows about: run order, the arguments of a quick run, and the top-level
// fields their JSON must carry. A bench/*.ts script not listed here still runs (after the known
// ones, with `--quick` in quick mode) and is only required to print an object naming itself.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface BenchmarkInfo {
  name: string;
  /** What it measures, for the summary. */
  about: string;
  /** Arguments of a quick run (default `--quick`). */
  quickArgs?: string[];
  /** Top-level JSON fields besides `benchmark` and `machine`. */
  fields: string[];
}

export const knownBenchmarks: BenchmarkInfo[] = [
  {
    name: 'storage',
    about: 'embedded store vs etcd: durable writes/s, reads/s, watch delivery latency (issue 2)',
    fields: ['config', 'summary', 'ratios', 'results'],
  },
  {
    name: 'client',
    about: 'REST client, informer and watch decoder vs undici fetch and client-node (issue 4)',
    // bench/client.ts has no --quick flag: the smallest run its flags allow.
    quickArgs: ['--events', '3000', '--pods', '200', '--durationMs', '300', '--rounds', '1'],
    fields: ['config', 'rest', 'informerEventsPerSecond', 'decoderMiBPerSecond'],
  },
  {
    name: 'apiserver',
    about: 'create/get/list throughput and latency, watch fan-out to 1,000 and 5,000 watchers (issue 3)',
    fields: ['config', 'requests', 'peer', 'fixedRate', 'fanout', 'fanoutPeer'],
  },
  {
    name: 'scheduler',
    about: 'pods/s from creation to bound through the apiserver at 1,000 and 5,000 nodes (issue 4)',
    fields: ['config', 'results'],
  },
  {
    name: 'pod-startup',
    about: 'create → Running-and-Ready through a watch vs bare docker run (issue 5)',
    fields: ['single', 'burst', 'idle'],
  },
  {
    name: 'proxy',
    about: 'kubelite tcp/http/kernel vs HAProxy tcp/http and direct; network programming latency (issue 6)',
    // Two of the four scenarios (and network programming) keep every target and path in the check
    // at half the time.
    quickArgs: ['--quick', '--only', 'keepalive-64,conn-per-request,netprog'],
    fields: ['config', 'results', 'ratios'],
  },
  {
    name: 'cluster-scale',
    about: 'hollow-node cluster: API latency vs SLOs, pod startup, scheduler throughput, memory (issue 8)',
    fields: ['config', 'results'],
  },
];

const notBenchmarks = new Set(['run-all']);

/** bench/*.ts scripts, known ones first in their order, then the others alphabetically. */
export function discoverBenchmarks(benchDir: string): BenchmarkInfo[] {
  const present = readdirSync(benchDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => basename(f, '.ts'))
    .filter((n) => !notBenchmarks.has(n));
  const known = knownBenchmarks.filter((b) => present.includes(b.name));
  const others = present
    .filter((n) => !knownBenchmarks.some((b) => b.name === n))
    .sort()
    .map((name): BenchmarkInfo => ({ name, about: `bench/${name}.ts`, fields: [] }));
  return [...known, ...others];
}

export function benchmarkScript(benchDir: string, name: string): string {
  return join(benchDir, `${name}.ts`);
}

export function argsFor(info: BenchmarkInfo, quick: boolean, extra: string[]): string[] {
  return [...(quick ? (info.quickArgs ?? ['--quick']) : []), ...extra];
}
