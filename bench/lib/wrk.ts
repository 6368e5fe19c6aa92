// Runs wrk (one thread, bounded duration) and reads its results as JSON through a Lua `done` hook:
// requests, errors and latency percentiles (p50/p99/p999 in µs, from wrk's own histogram).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WrkOptions {
  url: string;
  connections: number;
  durationS: number;
  threads?: number;
  headers?: string[];
  timeoutS?: number;
  /** Run inside a network namespace (`ip netns exec NAME wrk ...`). */
  netns?: string;
  /** Directory for the Lua script. */
  workDir: string;
}

export interface WrkResult {
  requests: number;
  durationS: number;
  requestsPerSecond: number;
  bytes: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number; p99: number; p999: number; mean: number; max: number };
}

const script = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nWRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p99":%d,"p999":%d,"mean":%.1f,"max":%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.mean, latency.max))
end
`;

export function runWrk(options: WrkOptions): Promise<WrkResult> {
  const scriptPath = join(options.workDir, 'wrk-done.lua');
  writeFileSync(scriptPath, script);
  const args = [
    '-t',
    String(options.threads ?? 1),
    '-c',
    String(options.connections),
    '-d',
    `${options.durationS}s`,
    '--timeout',
    `${options.timeoutS ?? 5}s`,
    '-s',
    scriptPath,
  ];
  for (const header of options.headers ?? []) args.push('-H', header);
  args.push(options.url);
  const [command, argv] = options.netns
    ? ['ip', ['netns', 'exec', options.netns, 'wrk', ...args]]
    : ['wrk', args];
  return new Promise((resolve, reject) => {
    execFile(
      command,
      argv as string[],
      { timeout: (options.durationS + 30) * 1000 },
      (err, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('WRKJSON '));
        if (err || !line) {
          reject(new Error(`wrk failed: ${err?.message ?? 'no result'} ${stderr.slice(-500)}`));
          return;
        }
        const r = JSON.parse(line.slice(8));
        const durationS = r.duration_us / 1e6;
        resolve({
          requests: r.requests,
          durationS,
          requestsPerSecond: r.requests / durationS,
          bytes: r.bytes,
          errors: { connect: r.connect, read: r.read, write: r.write, status: r.status, timeout: r.timeout },
          latencyUs: { p50: r.p50, p99: r.p99, p999: r.p999, mean: r.mean, max: r.max },
        });
      },
    );
  });
}
