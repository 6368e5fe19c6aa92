// Builds summary.md and charts/*.svg of a results folder from what the suite left there (run.json,
// machine.json, <name>.json), so a report can be regenerated after the goals or charts change
// (`npm run bench -- --report bench/results/<date>`).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartSpecs } from './chart-specs.js';
import { drawCharts } from './charts.js';
import { evaluateGoals, type Row } from './evaluate.js';
import { goals } from './goals.js';
import { type BenchRun, renderSummary } from './summary.js';

export interface SuiteRecord {
  startedAt: string;
  quick: boolean;
  runs: BenchRun[];
}

export interface Report {
  summaryFile: string;
  chartFiles: string[];
  rows: Row[];
}

const chartDir = 'charts';

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export function writeReport(outDir: string): Report {
  const record = readJson(join(outDir, 'run.json')) as SuiteRecord | undefined;
  if (!record) throw new Error(`${outDir}: no run.json (not a results folder of the benchmark suite)`);
  const machine = (readJson(join(outDir, 'machine.json')) ?? {}) as Record<string, unknown>;
  const results = new Map<string, unknown>();
  const why = new Map<string, string>();
  const findings = new Map<string, string[]>();
  for (const run of record.runs) {
    const json = run.jsonFile ? readJson(join(outDir, run.jsonFile)) : undefined;
    if (json !== undefined) results.set(run.name, json);
    const found = (json as { findings?: unknown } | undefined)?.findings;
    if (Array.isArray(found)) findings.set(run.name, found.map(String));
    else why.set(run.name, run.status === 'ok' ? 'no JSON' : `benchmark ${run.status}`);
  }
  // Goals of benchmarks that were not part of this run are left out, not shown as missing.
  const ran = new Set(record.runs.map((r) => r.name));
  const rows = evaluateGoals(
    goals.filter((g) => ran.has(g.bench)),
    results,
    why,
  );
  const charts = drawCharts(chartSpecs, results);
  mkdirSync(join(outDir, chartDir), { recursive: true });
  for (const chart of charts) writeFileSync(join(outDir, chartDir, chart.file), chart.svg);
  const summaryFile = join(outDir, 'summary.md');
  writeFileSync(
    summaryFile,
    renderSummary({
      startedAt: new Date(record.startedAt),
      quick: record.quick,
      machine,
      runs: record.runs,
      rows,
      charts,
      chartDir,
      findings,
    }),
  );
  return {
    summaryFile,
    chartFiles: charts.map((c) => join(outDir, chartDir, c.file)).filter((f) => existsSync(f)),
    rows,
  };
}
