// `kubelite bench [name…] [--quick] [--out DIR] [--timeout-s N] [--list] [--report DIR] [-- args]`:
// runs the benchmark suite of a source checkout (bench/run-all.ts, see bench/report/) as a child
// process through tsx. The benchmarks are TypeScript scripts outside src/, so they are not part of
// the compiled CLI; this entry only finds them and hands over its arguments. Flags also as
// KUBELITE_QUICK=1, KUBELITE_OUT, KUBELITE_TIMEOUT_S (read by the suite).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout root: this file is src/cmd/bench.ts, or dist/cmd/bench.js once compiled. */
function checkoutRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export async function main(argv: string[]): Promise<number> {
  const root = checkoutRoot();
  const suite = join(root, 'bench', 'run-all.ts');
  if (!existsSync(suite)) {
    process.stderr.write(`kubelite bench: ${suite} not found; the benchmarks run from a source checkout\n`);
    return 2;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', suite, ...argv], { cwd: root, stdio: 'inherit' });
  // The suite stops its benchmark on SIGINT/SIGTERM; pass them on and wait for it to finish.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}
