// `npm run bench` and `kubelite bench`: runs the benchmark suite and writes a results folder with
// the raw JSON, logs, machine.json, summary.md and SVG charts (see bench/report/).
//   npx tsx bench/run-all.ts [name…] [--quick] [--out DIR] [--timeout-s N] [--list] [--report DIR]
//                            [-- extra args for every benchmark]
// Every flag also as an environment variable: KUBELITE_QUICK=1, KUBELITE_OUT, KUBELITE_TIMEOUT_S.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeReport } from './report/report.js';
import { runSuite, selectBenchmarks } from './report/suite.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const usage = `Usage: npm run bench -- [name…] [--quick] [--out DIR] [--timeout-s N] [--list] [--report DIR] [-- bench args]
  name…          benchmarks to run (default: every bench/*.ts)
  --quick        each benchmark's quick mode: checks it works end to end in seconds
  --out DIR      results folder (default bench/results/<YYYY-MM-DD-HHMM>)
  --timeout-s N  stop a benchmark after N seconds (default 180 quick, 7200 otherwise)
  --list         print the benchmarks and exit
  --report DIR   rebuild summary.md and charts of an existing results folder
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: process.env.KUBELITE_QUICK === '1' },
      out: { type: 'string', default: process.env.KUBELITE_OUT },
      'timeout-s': { type: 'string', default: process.env.KUBELITE_TIMEOUT_S },
      list: { type: 'boolean', default: false },
      report: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const dashDash = argv.indexOf('--');
  const extraArgs = dashDash >= 0 ? argv.slice(dashDash + 1) : [];
  const names = dashDash >= 0 ? positionals.slice(0, positionals.length - extraArgs.length) : positionals;
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (values.list) {
    for (const b of selectBenchmarks(root, [])) process.stdout.write(`${b.name.padEnd(16)} ${b.about}\n`);
    return 0;
  }
  if (values.report) {
    const report = writeReport(values.report);
    process.stdout.write(`${report.summaryFile}\n`);
    return 0;
  }
  const timeoutS = values['timeout-s'] === undefined ? undefined : Number(values['timeout-s']);
  if (timeoutS !== undefined && !(timeoutS > 0))
    throw new Error(`--timeout-s must be > 0, got ${values['timeout-s']}`);

  const abort = new AbortController();
  const interrupt = () => abort.abort();
  // Kept for the whole run: a second Ctrl-C (or the one `kubelite bench` forwards) is not fatal.
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  const started = Date.now();
  const result = await runSuite({
    root,
    names,
    quick: values.quick,
    outDir: values.out,
    extraArgs,
    timeoutMs: timeoutS === undefined ? undefined : timeoutS * 1000,
    signal: abort.signal,
  });
  const missed = result.rows.filter((r) => r.verdict === 'missed').length;
  const met = result.rows.filter((r) => r.verdict === 'met').length;
  process.stderr.write(
    `suite ${((Date.now() - started) / 1000).toFixed(1)} s; goals met ${met}, missed ${missed}; ` +
      `${result.chartFiles.length} charts\nsummary: ${result.summaryFile}\n`,
  );
  // stdout: the results folder, for scripts.
  process.stdout.write(`${result.outDir}\n`);
  return abort.signal.aborted ? 130 : result.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
