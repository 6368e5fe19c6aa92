// The suite's progress display on stderr: which benchmark runs, for how long, how many are done or
// failed, and the benchmark's latest stderr line. On a terminal one status line is redrawn twice a
// second; otherwise (CI logs) a line per start and finish plus a heartbeat every 30 s.
import type { BenchRun } from './summary.js';

export interface Progress {
  start(name: string): void;
  /** A line the running benchmark wrote on stderr. */
  output(line: string): void;
  finish(run: BenchRun): void;
  close(): void;
}

export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let index = 0;
  let done = 0;
  let failed = 0;
  let current = '';
  let startedAt = 0;
  let last = '';
  let timer: NodeJS.Timeout | undefined;
  let lastHeartbeat = 0;

  const elapsed = () => ((Date.now() - startedAt) / 1000).toFixed(1);
  const counts = () => `done ${done}, failed ${failed}`;
  const status = () => {
    const head = `[${index}/${total}] ${current} ${elapsed()} s · ${counts()}`;
    const room = Math.max(0, (stream.columns ?? 120) - head.length - 4);
    return room > 10 && last ? `${head} · ${last.slice(0, room)}` : head;
  };
  const redraw = () => stream.write(`\r\x1b[2K${status()}`);
  const tick = () => {
    if (tty) redraw();
    else if (Date.now() - lastHeartbeat >= 30_000) {
      lastHeartbeat = Date.now();
      stream.write(`  … ${current} running ${elapsed()} s${last ? `; last: ${last.slice(0, 160)}` : ''}\n`);
    }
  };

  return {
    start(name) {
      index++;
      current = name;
      last = '';
      startedAt = Date.now();
      lastHeartbeat = Date.now();
      if (!tty) stream.write(`▶ [${index}/${total}] ${name}\n`);
      timer = setInterval(tick, tty ? 500 : 1000);
      timer.unref();
      tick();
    },
    output(line) {
      const trimmed = line.trim();
      if (trimmed) last = trimmed;
    },
    finish(run) {
      clearInterval(timer);
      if (run.status === 'ok') done++;
      else failed++;
      const mark = run.status === 'ok' ? '✓' : '✗';
      const why = run.status === 'ok' ? '' : ` ${run.status}${run.error ? `: ${run.error}` : ''}`;
      stream.write(
        `${tty ? '\r\x1b[2K' : ''}${mark} [${index}/${total}] ${run.name} ${(run.durationMs / 1000).toFixed(1)} s${why}\n`,
      );
    },
    close() {
      clearInterval(timer);
      stream.write(`${counts()} of ${total}\n`);
    },
  };
}
