// The benchmark suite in quick mode, end to end, as CI runs it: every bench/*.ts script exits 0 and
// prints one JSON object with its expected top-level fields, and the suite writes summary.md and
// SVG charts. No timing assertions: figures on a shared 2-core machine are not pass/fail material.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverBenchmarks } from '../bench/report/benchmarks.js';
import { chartSpecs } from '../bench/report/chart-specs.js';
import type { SuiteRecord } from '../bench/report/report.js';
import { wellFormedXml } from './harness/xml.js';

const root = join(import.meta.dirname, '..');
const benchmarks = discoverBenchmarks(join(root, 'bench'));
let outDir = '';
let exitCode: number | null = null;
let stderr = '';

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'kubelite-bench-quick-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run-all.ts', '--quick', '--out', outDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
  });
  exitCode = await new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}, 600_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

const json = (file: string) => JSON.parse(readFileSync(join(outDir, file), 'utf8'));

describe('npm run bench -- --quick', () => {
  it('runs every benchmark and exits 0', () => {
    const record = json('run.json') as SuiteRecord;
    const failed = record.runs
      .filter((r) => r.status !== 'ok')
      .map((r) => `${r.name}: ${r.status} ${r.error ?? ''}`);
    expect(failed, stderr).toEqual([]);
    expect(record.runs.map((r) => r.name)).toEqual(benchmarks.map((b) => b.name));
    expect(record.quick).toBe(true);
    expect(exitCode, stderr).toBe(0);
  });

  it.each(benchmarks.map((b) => [b.name, b] as const))(
    '%s prints one JSON object with its fields',
    (name, info) => {
      const result = json(`${name}.json`);
      for (const field of ['benchmark', 'machine', ...info.fields])
        expect(result, `${name}: ${field}`).toHaveProperty(field);
      expect(result.benchmark).toBe(name);
      expect(readFileSync(join(outDir, `${name}.stderr.log`), 'utf8').length).toBeGreaterThan(0);
    },
  );

  it('writes machine.json and a summary with a section and a figures table per benchmark', () => {
    expect(json('machine.json')).toMatchObject({ cpus: expect.any(Number), tools: expect.any(Object) });
    const summary = readFileSync(join(outDir, 'summary.md'), 'utf8');
    for (const b of benchmarks) expect(summary).toContain(`## ${b.name}`);
    expect(summary).toMatch(/\| figure \| kubelite \| peer \| ÷ peer \| goal \| ÷ goal \|/);
    expect(summary).not.toMatch(/\bNaN\b|undefined/);
  });

  it('draws well-formed SVG charts for every benchmark that has chart specs, linked from the summary', () => {
    const charts = readdirSync(join(outDir, 'charts'));
    const summary = readFileSync(join(outDir, 'summary.md'), 'utf8');
    for (const b of benchmarks.filter((x) => chartSpecs.some((s) => s.bench === x.name)))
      expect(
        charts.some((c) => c.startsWith(b.name)),
        `${b.name} has a chart`,
      ).toBe(true);
    for (const chart of charts) {
      const svg = readFileSync(join(outDir, 'charts', chart), 'utf8');
      expect(svg.startsWith('<svg'), chart).toBe(true);
      expect(wellFormedXml(svg), chart).toBe(true);
      expect(svg, chart).not.toMatch(/NaN|Infinity/);
      expect(summary).toContain(`(charts/${chart})`);
    }
    expect(existsSync(join(outDir, 'summary.md'))).toBe(true);
  });
});
