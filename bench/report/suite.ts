// The benchmark suite: every bench/*.ts script (or the ones named), one after another — never in
// parallel on a 2-core machine — each as its own child process, then the report. Writes into the
// results folder: <name>.json, <name>.stderr.log, machine.json, run.json, summary.md, charts/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineInfo } from '../lib/machine.js';
import { toolVersions } from '../lib/versions.js';
import { argsFor, type BenchmarkInfo, benchmarkScript, discoverBenchmarks } from './benchmarks.js';
import { createProgress } from './progress.js';
import { type Report, type SuiteRecord, writeReport } from './report.js';
import { runBench } from './run-bench.js';
import type { BenchRun } from './summary.js';

export interface SuiteOptions {
  /** The repository root (bench/ lives there). */
  root: string;
  /** Benchmarks to run; empty = all. */
  names?: string[];
  quick?: boolean;
  /** Results folder; default bench/results/<YYYY-MM-DD-HHMM>. */
  outDir?: string;
  /** Extra arguments for every benchmark (after `--` on the command line). */
  extraArgs?: string[];
  /** Per benchmark; default 180 s quick, 2 h otherwise. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface SuiteResult extends Report {
  outDir: string;
  runs: BenchRun[];
  ok: boolean;
}

function stamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}`;
}

/** bench/results/<stamp>, or <stamp>-2, -3… when a run of the same minute exists. */
function defaultOutDir(root: string, date: Date): string {
  const base = join(root, 'bench', 'results', stamp(date));
  let dir = base;
  for (let n = 2; existsSync(dir); n++) dir = `${base}-${n}`;
  return dir;
}

function gitCommit(root: string): string | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: root,
      encoding: 'utf8',
    });
    return dirty.trim() ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return undefined;
  }
}

export function selectBenchmarks(root: string, names: string[]): BenchmarkInfo[] {
  const all = discoverBenchmarks(join(root, 'bench'));
  if (names.length === 0) return all;
  const unknown = names.filter((n) => !all.some((b) => b.name === n));
  if (unknown.length > 0)
    throw new Error(
      `unknown benchmark ${unknown.join(', ')}; available: ${all.map((b) => b.name).join(', ')}`,
    );
  return all.filter((b) => names.includes(b.name));
}

export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const quick = options.quick ?? false;
  const benchmarks = selectBenchmarks(options.root, options.names ?? []);
  const startedAt = new Date();
  const outDir = options.outDir ?? defaultOutDir(options.root, startedAt);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'machine.json'),
    `${JSON.stringify({ ...machineInfo(), gitCommit: gitCommit(options.root), tools: toolVersions(), startedAt: startedAt.toISOString() }, null, 2)}\n`,
  );
  const progress = createProgress(benchmarks.length);
  process.stderr.write(
    `benchmarks${quick ? ' (quick)' : ''}: ${benchmarks.map((b) => b.name).join(', ')} → ${outDir}\n`,
  );
  const runs: BenchRun[] = [];
  const record = (): SuiteRecord => ({ startedAt: startedAt.toISOString(), quick, runs });
  for (const info of benchmarks) {
    if (options.signal?.aborted) break;
    const { run, json } = await runBench({
      info,
      script: benchmarkScript(join(options.root, 'bench'), info.name),
      args: argsFor(info, quick, options.extraArgs ?? []),
      cwd: options.root,
      outDir,
      timeoutMs: options.timeoutMs ?? (quick ? 180_000 : 7_200_000),
      progress,
      signal: options.signal,
    });
    if (json) {
      run.jsonFile = `${info.name}.json`;
      writeFileSync(join(outDir, run.jsonFile), `${JSON.stringify(json, null, 2)}\n`);
    }
    runs.push(run);
    // Written after every benchmark, so an interrupted suite still leaves a reportable folder.
    writeFileSync(join(outDir, 'run.json'), `${JSON.stringify(record(), null, 2)}\n`);
  }
  progress.close();
  writeFileSync(join(outDir, 'run.json'), `${JSON.stringify(record(), null, 2)}\n`);
  const report = writeReport(outDir);
  return {
    ...report,
    outDir,
    runs,
    ok: runs.length === benchmarks.length && runs.every((r) => r.status === 'ok'),
  };
}
