// Long-running kubectl commands of the end-to-end story (`get pods -w`, `logs -f`) as background
// processes: output captured, waited on by pattern, stopped by their own pid.
import { type ChildProcess, spawn } from 'node:child_process';
import { kubectlBinary } from './harness/kubectl.js';

export interface KubectlStream {
  readonly child: ChildProcess;
  /** stdout so far. */
  output(): string;
  /** stderr so far. */
  errors(): string;
  /** Whether the process is still running. */
  running(): boolean;
  /** Resolves with the match once stdout matches; rejects when kubectl exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM (SIGKILL after 5 s); resolves once it exited. */
  stop(): Promise<void>;
}

export function startKubectlStream(args: string[], env: NodeJS.ProcessEnv): KubectlStream {
  const child = spawn(kubectlBinary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => stdout,
    errors: () => stderr,
    running,
    waitFor(pattern, timeoutMs) {
      return new Promise((done, fail) => {
        const finish = (then: () => void) => {
          listeners.delete(check);
          clearTimeout(timer);
          then();
        };
        const check = () => {
          const m = pattern.exec(stdout);
          if (m) finish(() => done(m));
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              fail(new Error(`kubectl ${args.join(' ')}: no ${pattern} in time:\n${stdout}${stderr}`)),
            ),
          timeoutMs,
        );
        listeners.add(check);
        void exited.then(() =>
          finish(() =>
            fail(new Error(`kubectl ${args.join(' ')} exited before ${pattern}:\n${stdout}${stderr}`)),
          ),
        );
        check();
      });
    },
    async stop() {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
