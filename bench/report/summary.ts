// summary.md of a suite run: the machine, one line per benchmark (status, time), then per benchmark
// every figure beside its peer and its goal as ratios with ✓/✗, the comparisons a benchmark
// skipped and why, and its charts.
import type { Row } from './evaluate.js';

export type RunStatus = 'ok' | 'failed' | 'timeout' | 'invalid-json' | 'missing-fields';

export interface BenchRun {
  name: string;
  about: string;
  args: string[];
  status: RunStatus;
  exitCode: number | null;
  signal?: string;
  durationMs: number;
  /** A short reason when status is not ok. */
  error?: string;
  /** Files relative to the results folder. */
  jsonFile?: string;
  stderrFile: string;
  /** Comparisons the benchmark says it skipped, with the reason. */
  skipped: Record<string, string>;
}

export interface SummaryInput {
  startedAt: Date;
  quick: boolean;
  machine: Record<string, unknown>;
  runs: BenchRun[];
  rows: Row[];
  charts: { bench: string; file: string; title: string }[];
  /** Path of the charts relative to summary.md. */
  chartDir: string;
  /** What a benchmark says it found (its JSON's `findings`: where it breaks first, and why). */
  findings?: Map<string, string[]>;
}

/** A benchmark's own account of what it could not compare (`skipped` as an object or a list). */
export function skippedComparisons(json: unknown): Record<string, string> {
  const skipped = (json as { skipped?: unknown } | undefined)?.skipped;
  const out: Record<string, string> = {};
  if (Array.isArray(skipped)) {
    skipped.forEach((s, i) => {
      if (typeof s === 'string') out[String(i + 1)] = s;
      else if (s && typeof s === 'object') {
        const o = s as Record<string, unknown>;
        out[String(o.what ?? o.name ?? o.peer ?? i + 1)] = String(o.reason ?? o.why ?? JSON.stringify(o));
      }
    });
  } else if (skipped && typeof skipped === 'object') {
    for (const [k, v] of Object.entries(skipped)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

export function formatNumber(n: number | undefined): string {
  if (n === undefined) return '—';
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs >= 100) return String(Math.round(n));
  if (abs >= 10) return String(Math.round(n * 10) / 10);
  return String(+n.toPrecision(3));
}

const ratioText = (r: number | undefined) =>
  r === undefined ? '' : `×${r >= 10 ? r.toFixed(1) : r.toFixed(2)}`;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const verdictMark: Record<Row['verdict'], string> = {
  met: '✓',
  missed: '✗',
  missing: 'missing',
  'no-goal': '–',
};

function goalText(row: Row): string {
  const m = /^\s*(>=|<=|>|<)\s*(.*)$/.exec(row.goal ?? '');
  if (!m) return row.goal ?? '';
  const op = { '>=': '≥', '<=': '≤', '>': '>', '<': '<' }[m[1]!];
  const expr = m[2]!.trim();
  if (row.target === undefined || /^[\d.e+-]+$/.test(expr)) return `${op} ${expr}`;
  return `${op} ${expr} (${formatNumber(row.target)})`;
}

function rowLine(row: Row): string {
  const value = row.value === undefined ? '' : `${formatNumber(row.value)} ${row.unit}`;
  const peer = row.peerName ? `${row.peerName}: ${formatNumber(row.peerValue)}` : '';
  const verdict = row.verdict === 'missing' && row.note ? `missing (${row.note})` : verdictMark[row.verdict];
  return `| ${[row.figure, value, peer, ratioText(row.vsPeer), goalText(row), ratioText(row.vsGoal), verdict].map(cell).join(' | ')} |`;
}

function statusText(run: BenchRun): string {
  if (run.status === 'ok') return 'ok';
  return `${run.status}${run.error ? `: ${run.error}` : ''}`;
}

export function renderSummary(input: SummaryInput): string {
  const m = input.machine;
  const met = (bench: string) => input.rows.filter((r) => r.bench === bench && r.verdict === 'met').length;
  const judged = (bench: string) =>
    input.rows.filter((r) => r.bench === bench && (r.verdict === 'met' || r.verdict === 'missed')).length;
  const lines = [
    `# kubelite benchmarks — ${input.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${input.quick ? ' (quick mode: figures only show that each benchmark works)' : ''}`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryMiB} MiB, Linux ${m.kernel}, Node ${m.node}, load ${(m.loadAverage as number[] | undefined)?.join(' ') ?? '?'}${m.gitCommit ? `, commit ${m.gitCommit}` : ''}.`,
    'Figures of one row come from the same run; peers are measured beside ours. ✓ goal met, ✗ missed, – no goal, missing: the benchmark did not produce the figure.',
    '',
    '| benchmark | status | time | goals met | arguments |',
    '|---|---|---:|---:|---|',
    ...input.runs.map(
      (r) =>
        `| [${r.name}](#${r.name}) | ${cell(statusText(r))} | ${(r.durationMs / 1000).toFixed(1)} s | ${met(r.name)}/${judged(r.name)} | \`${r.args.join(' ') || '(defaults)'}\` |`,
    ),
    '',
  ];
  for (const run of input.runs) {
    lines.push(
      `## ${run.name}`,
      '',
      `${run.about}. Raw: ${run.jsonFile ? `[${run.jsonFile}](${run.jsonFile})` : 'none'}, log: [${run.stderrFile}](${run.stderrFile}).`,
      '',
    );
    if (run.status !== 'ok')
      lines.push(`**${statusText(run)}** (exit ${run.exitCode ?? run.signal ?? '?'}).`, '');
    const rows = input.rows.filter((r) => r.bench === run.name);
    if (rows.length > 0)
      lines.push(
        '| figure | kubelite | peer | ÷ peer | goal | ÷ goal | |',
        '|---|---:|---|---:|---|---:|---|',
        ...rows.map(rowLine),
        '',
      );
    const findings = input.findings?.get(run.name) ?? [];
    if (findings.length > 0) lines.push('Findings:', ...findings.map((f) => `- ${cell(f)}`), '');
    const skipped = Object.entries(run.skipped);
    if (skipped.length > 0)
      lines.push('Comparisons skipped:', ...skipped.map(([k, v]) => `- ${k}: ${v}`), '');
    for (const chart of input.charts.filter((c) => c.bench === run.name))
      lines.push(`![${chart.title}](${input.chartDir}/${chart.file})`, '');
  }
  return `${lines.join('\n')}\n`;
}
