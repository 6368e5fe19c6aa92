// A network namespace of a test's own (root, iproute2): kernel-mode proxy suites program nftables
// there, never in the host's ruleset, and run their backends and clients inside it. Backends answer
// each connection with their name; clients report each connection's first answer or its error code.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

const backendSource = `
const [name, ip, port] = process.argv.slice(1);
require('node:net').createServer((s) => { s.on('error', () => {}); s.end(name + '\\n'); })
  .listen(Number(port), ip, () => process.stdout.write('ready\\n'));`;

const clientSource = `
const net = require('node:net');
const [host, port, n] = process.argv.slice(1);
(async () => {
  const names = [];
  for (let i = 0; i < Number(n); i++) names.push(await new Promise((resolve) => {
    const s = net.connect({ host, port: Number(port) });
    let d = '';
    s.on('data', (c) => (d += c));
    s.on('end', () => resolve(d.trim()));
    s.on('error', (e) => resolve('error:' + e.code));
  }));
  process.stdout.write(JSON.stringify(names));
})();`;

export interface TestNetns {
  readonly name: string;
  /** argv prefix running a command inside: `ip netns exec NAME`. */
  readonly exec: readonly string[];
  /** Runs a command inside and returns its stdout. */
  run(command: string[]): string;
  /** A backend process inside listening on ip:port that answers `name\n`; resolves once it listens. */
  startBackend(name: string, ip: string, port: number): Promise<void>;
  /** `n` sequential connections from inside: each answer's first line, or `error:CODE`. */
  connectNames(host: string, port: number, n: number): string[];
  /** Kills the backends and deletes the namespace (idempotent). */
  close(): void;
}

export function createTestNetns(name: string): TestNetns {
  const exec = ['ip', 'netns', 'exec', name] as const;
  const children: ChildProcess[] = [];
  execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  const run = (command: string[]) =>
    execFileSync(exec[0], [...exec.slice(1), ...command], { encoding: 'utf8' });
  return {
    name,
    exec,
    run,
    async startBackend(backend, ip, port) {
      const child = spawn(
        exec[0],
        [...exec.slice(1), process.execPath, '-e', backendSource, backend, ip, `${port}`],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`backend ${backend} exited (${code})`)));
      });
    },
    connectNames(host, port, n) {
      return JSON.parse(run([process.execPath, '-e', clientSource, host, `${port}`, `${n}`])) as string[];
    },
    close() {
      for (const child of children.splice(0)) {
        if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
      }
      try {
        execFileSync('ip', ['netns', 'del', name]);
      } catch {
        // already gone
      }
    },
  };
}
