// `kubelite up` as the user runs it: `node bin/kubelite.mjs up …` in a temp data dir on free ports,
// its terminal output captured, plus kubectl with the kubeconfig up wrote (HOME and the discovery
// cache in a temp dir). cleanup() leaves nothing behind whatever state the test ended in: the up
// process, any component it recorded, the cluster's containers (kubelite down) and the temp dirs.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processCommandLine } from '../src/up/lock.js';
import { defaultEntryArgs } from '../src/up/options.js';
import { readClusterState } from '../src/up/state.js';
import { type KubectlResult, kubectlBinary } from './harness/kubectl.js';

// The CLI from the TypeScript sources through tsx (never a dist/ a developer may have built).
const entry = defaultEntryArgs();

export interface UpRun {
  readonly child: ChildProcess;
  /** Everything up printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the match once the output matches; rejects if up exits first or on timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (null after a signal). */
  readonly exited: Promise<number | null>;
}

export interface UpCluster {
  readonly dataDir: string;
  /** Unique per test run, so clusters of parallel suites never share node names (docker labels). */
  readonly nodePrefix: string;
  readonly kubeconfig: string;
  /** `kubelite up` with the cluster's data dir, free ports and node prefix, then `extraArgs`. */
  up(extraArgs: string[], extraEnv?: NodeJS.ProcessEnv): UpRun;
  /** Any other kubelite command (down) to completion. */
  kubelite(args: string[]): Promise<KubectlResult>;
  kubectl(args: string[], options?: { stdin?: string }): Promise<KubectlResult>;
  /** kubectl that must succeed; returns stdout. */
  kubectlOk(args: string[], options?: { stdin?: string }): Promise<string>;
  /** Pids of the components recorded in cluster.json (running ones, while up runs). */
  componentPids(): Record<string, number>;
  cleanup(): Promise<void>;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<KubectlResult> {
  return new Promise((done) => {
    const child = execFile(
      file,
      args,
      { env, timeout: 60_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    // A command that exits before reading its stdin (most kubectl verbs) makes this write EPIPE.
    child.stdin?.on('error', () => {});
    child.stdin?.end(stdin ?? '');
  });
}

/** Live processes (not this one) whose command line contains `text`. */
export function processesNaming(text: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out.filter(isRunning);
}

/** Removes Docker containers of nodes <prefix>-1 … <prefix>-9, when a Docker daemon is there. */
async function removeDockerContainers(prefix: string): Promise<void> {
  for (let n = 1; n <= 9; n++) {
    const list = await run(
      'docker',
      ['ps', '-aq', '--filter', `label=io.kubelite.node=${prefix}-${n}`],
      process.env,
    );
    const ids = list.stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await run('docker', ['rm', '-f', ...ids], process.env);
  }
}

export function isRunning(pid: number): boolean {
  return processCommandLine(pid) !== undefined;
}

export function createUpCluster(): UpCluster {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubelite-up-test-'));
  const home = mkdtempSync(join(tmpdir(), 'kubelite-up-kubectl-'));
  const nodePrefix = `up${randomBytes(3).toString('hex')}`;
  // A range of its own: every cluster's proxy binds its `kubernetes` service at the range's first
  // address, port 443, and clusters of suites running side by side must not collide there.
  const serviceRange = `127.${randomInt(60, 100)}.${randomInt(0, 256)}.0/24`;
  const kubeconfig = join(dataDir, 'kubeconfig');
  const runs: UpRun[] = [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    KUBECACHEDIR: join(home, 'cache'),
    NO_COLOR: '1',
  };
  for (const k of Object.keys(env)) if (k.startsWith('KUBELITE_') || k === 'KUBECONFIG') delete env[k];

  const kubectl = (args: string[], options?: { stdin?: string }) =>
    run(kubectlBinary, ['--kubeconfig', kubeconfig, ...args], env, options?.stdin);

  return {
    dataDir,
    nodePrefix,
    kubeconfig,
    up(extraArgs, extraEnv = {}) {
      const child = spawn(
        process.execPath,
        [
          ...entry,
          'up',
          '--data-dir',
          dataDir,
          '--port',
          '0',
          '--node-name-prefix',
          nodePrefix,
          '--service-cluster-ip-range',
          serviceRange,
          ...extraArgs,
        ],
        { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let text = '';
      const listeners = new Set<() => void>();
      const onData = (chunk: Buffer) => {
        text += chunk.toString();
        for (const l of listeners) l();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      const upRun: UpRun = {
        child,
        exited,
        output: () => text,
        waitFor(pattern, timeoutMs = 45_000) {
          return new Promise((done, fail) => {
            const check = () => {
              const m = pattern.exec(text);
              if (m) finish(() => done(m));
            };
            const finish = (then: () => void) => {
              listeners.delete(check);
              clearTimeout(timer);
              then();
            };
            const timer = setTimeout(
              () => finish(() => fail(new Error(`no ${pattern} from kubelite up in time; output:\n${text}`))),
              timeoutMs,
            );
            listeners.add(check);
            void exited.then((code) =>
              finish(() =>
                fail(new Error(`kubelite up exited (${code}) before ${pattern}; output:\n${text}`)),
              ),
            );
            check();
          });
        },
      };
      runs.push(upRun);
      return upRun;
    },
    kubelite: (args) => run(process.execPath, [...entry, ...args], env),
    kubectl,
    async kubectlOk(args, options) {
      const r = await kubectl(args, options);
      if (r.code !== 0)
        throw new Error(`kubectl ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
      return r.stdout;
    },
    componentPids() {
      const state = readClusterState(dataDir);
      return Object.fromEntries(Object.entries(state?.components ?? {}).map(([name, c]) => [name, c.pid]));
    },
    async cleanup() {
      for (const r of runs) {
        if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
        await r.exited;
      }
      // Components stop on their own once their supervisor is gone; down makes sure, and removes containers.
      await run(process.execPath, [...entry, 'down', '--data-dir', dataDir, '--purge'], env);
      // Whatever down could not reach: processes and containers named after this cluster's unique prefix.
      for (const pid of processesNaming(nodePrefix)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      await removeDockerContainers(nodePrefix);
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    },
  };
}
