// One kubelite component as a child process of the real CLI (`node bin/kubelite.mjs <args>`),
// started on port 0: resolves once the component prints the URL it serves on, and stops by PID
// (SIGTERM, then SIGKILL). For suites that talk to components over HTTP (metrics, Prometheus).
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const entry = join(resolve(import.meta.dirname, '..', '..'), 'bin', 'kubelite.mjs');

export interface StartedComponent {
  /** What the component printed, e.g. http://127.0.0.1:PORT. */
  readonly url: string;
  readonly child: ChildProcess;
  /** stdout and stderr so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export async function startComponent(
  args: string[],
  options: {
    urlPattern?: RegExp;
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
    /** A command prefix that execs the rest, e.g. ['prlimit', '--nofile=65536', '--']. */
    wrap?: string[];
  } = {},
): Promise<StartedComponent> {
  const pattern = options.urlPattern ?? /(?:listening on|metrics on) (http:\/\/[\d.]+:\d+)/;
  const [command, ...prefixArgs] = [...(options.wrap ?? []), process.execPath];
  const child = spawn(command!, [...prefixArgs, entry, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let output = '';
  let stdout = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(
        () =>
          fail(new Error(`kubelite ${args[0]}: no URL after ${options.timeoutMs ?? 30_000} ms:\n${output}`)),
        options.timeoutMs ?? 30_000,
      );
      child.stdout.on('data', (d: Buffer) => {
        output = (output + d.toString()).slice(-16_384);
        stdout = (stdout + d.toString()).slice(-65_536);
        const m = pattern.exec(stdout);
        if (m) {
          clearTimeout(timer);
          done(m[1]!);
        }
      });
      child.stderr.on('data', (d: Buffer) => {
        output = (output + d.toString()).slice(-16_384);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`kubelite ${args[0]} exited (${code}) before serving:\n${output}`));
      });
    });
    return { url, child, output: () => output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
