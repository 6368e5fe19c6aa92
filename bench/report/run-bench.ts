// Runs one benchmark as a child process (`node --import tsx bench/<name>.ts …`) in its own process
// group, so that on timeout or interruption the benchmark and the peers it started (nginx, HAProxy,
// etcd) all get SIGTERM, then SIGKILL. stdout is kept (the JSON); stderr goes to a log file and,
// line by line, to the progress display.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { BenchmarkInfo } from './benchmarks.js';
import type { Progress } from './progress.js';
import { type BenchRun, skippedComparisons } from './summary.js';

export interface RunBenchOptions {
  info: BenchmarkInfo;
  script: string;
  args: string[];
  cwd: string;
  outDir: string;
  timeoutMs: number;
  progress: Progress;
  /** Aborting stops the benchmark (SIGTERM to its group, SIGKILL after `killGraceMs`). */
  signal?: AbortSignal;
  killGraceMs?: number;
}

export interface BenchOutcome {
  run: BenchRun;
  json?: Record<string, unknown>;
}

/** The JSON object a benchmark printed: all of stdout, or else its last line that parses. */
export function parseBenchOutput(stdout: string): Record<string, unknown> | undefined {
  const candidates = [stdout.trim(), ...stdout.trim().split('\n').reverse()];
  for (const text of candidates) {
    if (!text.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(text);
      if (value && typeof value === 'object' && !Array.isArray(value))
        return value as Record<string, unknown>;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

export async function runBench(options: RunBenchOptions): Promise<BenchOutcome> {
  const { info, outDir, progress } = options;
  const stderrFile = `${info.name}.stderr.log`;
  const log = createWriteStream(join(outDir, stderrFile));
  const started = Date.now();
  progress.start(info.name);
  const child = spawn(process.execPath, ['--import', 'tsx', options.script, ...options.args], {
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBELITE_BENCH_SUITE: '1' },
  });
  const stdout: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => stdout.push(d));
  let partial = '';
  let lastLine = '';
  child.stderr.on('data', (d: Buffer) => {
    log.write(d);
    const lines = (partial + d.toString()).split(/\r?\n|\r/);
    partial = lines.pop() ?? '';
    for (const line of lines) {
      progress.output(line);
      if (line.trim()) lastLine = line.trim();
    }
  });

  let stoppedBy: 'timeout' | 'abort' | undefined;
  const stopChild = (why: 'timeout' | 'abort') => {
    if (stoppedBy || child.pid === undefined) return;
    stoppedBy = why;
    signalGroup(child.pid, 'SIGTERM');
    setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), options.killGraceMs ?? 10_000).unref();
  };
  const timer = setTimeout(() => stopChild('timeout'), options.timeoutMs);
  const onAbort = () => stopChild('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('close', (code, sig) => resolve([code, sig]));
    child.once('error', (err) => {
      lastLine = err.message;
      resolve([null, null]);
    });
  });
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  // A benchmark that exited may have left peers in its group: they go too.
  if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
  await new Promise<void>((resolve) => log.end(resolve));

  const text = Buffer.concat(stdout).toString();
  const json = parseBenchOutput(text);
  const run: BenchRun = {
    name: info.name,
    about: info.about,
    args: options.args,
    status: 'ok',
    exitCode,
    signal: signal ?? undefined,
    durationMs: Date.now() - started,
    stderrFile,
    skipped: skippedComparisons(json),
  };
  if (stoppedBy === 'timeout')
    Object.assign(run, { status: 'timeout', error: `stopped after ${options.timeoutMs / 1000} s` });
  else if (stoppedBy === 'abort') Object.assign(run, { status: 'failed', error: 'interrupted' });
  else if (exitCode !== 0)
    Object.assign(run, { status: 'failed', error: lastLine.slice(0, 200) || `exit ${exitCode ?? signal}` });
  else if (!json)
    Object.assign(run, {
      status: 'invalid-json',
      error: `stdout is not one JSON object (${text.length} bytes)`,
    });
  else {
    const absent = ['benchmark', 'machine', ...info.fields].filter((f) => !(f in json));
    if (absent.length > 0) Object.assign(run, { status: 'missing-fields', error: `no ${absent.join(', ')}` });
  }
  progress.finish(run);
  return { run, json };
}
