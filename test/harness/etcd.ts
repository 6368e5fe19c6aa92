// Starts real etcd processes (Debian's etcd-server, /usr/bin/etcd) for tests and benchmarks: one
// member or a small cluster on free loopback ports with temporary data dirs, waited on until
// healthy, cleaned up on stop() and on process exit. A missing binary is an error, never a skip.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EtcdOptions {
  /** Default: $KUBELITE_ETCD_BIN or /usr/bin/etcd. */
  binary?: string;
  /** How long to wait for the member(s) to report healthy. Default 30 s. */
  startTimeoutMs?: number;
}

export interface EtcdMember {
  readonly name: string;
  /** The running process's id (undefined while stopped), e.g. to read its CPU time. */
  readonly pid: number | undefined;
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly dataDir: string;
  /** SIGKILL; the data dir stays, so restart() brings the member back with its data. */
  kill(): void;
  /** Starts the member again on the same ports and data dir (after kill()). */
  restart(): Promise<void>;
}

export interface EtcdServer {
  readonly endpoints: string[];
  readonly dataDir: string;
  readonly pid: number | undefined;
  /** Terminates the process and removes the data dir. */
  stop(): Promise<void>;
  kill(): void;
  restart(): Promise<void>;
}

export interface EtcdCluster {
  readonly endpoints: string[];
  readonly members: EtcdMember[];
  stop(): Promise<void>;
}

export function etcdBinary(options: EtcdOptions = {}): string {
  const binary = options.binary ?? process.env.KUBELITE_ETCD_BIN ?? '/usr/bin/etcd';
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(
      `etcd is required but ${binary} is not an executable: install Debian's etcd-server ` +
        '(apt-get install etcd-server) or set KUBELITE_ETCD_BIN',
    );
  }
  return binary;
}

export async function startEtcd(options: EtcdOptions = {}): Promise<EtcdServer> {
  const cluster = await startEtcdCluster(1, options);
  const member = cluster.members[0]!;
  return {
    endpoints: cluster.endpoints,
    dataDir: member.dataDir,
    get pid() {
      return member.pid;
    },
    stop: () => cluster.stop(),
    kill: () => member.kill(),
    restart: () => member.restart(),
  };
}

export async function startEtcdCluster(size: number, options: EtcdOptions = {}): Promise<EtcdCluster> {
  const binary = etcdBinary(options);
  // A port found free can be taken by someone else before etcd binds it: try again on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCluster(binary, size, options);
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

async function startCluster(binary: string, size: number, options: EtcdOptions): Promise<EtcdCluster> {
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const base = mkdtempSync(join(tmpdir(), 'kubelite-etcd-'));
  const specs = await Promise.all(
    Array.from({ length: size }, async (_, i) => ({
      name: `m${i}`,
      clientPort: await freePort(),
      peerPort: await freePort(),
      dataDir: join(base, `m${i}`),
    })),
  );
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peerPort}`).join(',');
  const members = specs.map((spec) => new Member(binary, spec, initialCluster));
  try {
    await Promise.all(members.map((m) => m.start(timeoutMs)));
  } catch (err) {
    for (const m of members) m.kill();
    rmSync(base, { recursive: true, force: true });
    throw err;
  }
  return {
    endpoints: members.map((m) => m.endpoint),
    members,
    async stop() {
      await Promise.all(members.map((m) => m.terminate()));
      rmSync(base, { recursive: true, force: true });
    },
  };
}

interface MemberSpec {
  name: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

class Member implements EtcdMember {
  readonly name: string;
  readonly endpoint: string;
  readonly dataDir: string;
  private child: ChildProcess | undefined;
  /** Settles when the last process started has exited (a killed one may still hold the ports). */
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  constructor(
    private readonly binary: string,
    private readonly spec: MemberSpec,
    private readonly initialCluster: string,
  ) {
    this.name = spec.name;
    this.endpoint = `http://127.0.0.1:${spec.clientPort}`;
    this.dataDir = spec.dataDir;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(timeoutMs: number): Promise<void> {
    const peer = `http://127.0.0.1:${this.spec.peerPort}`;
    const child = spawn(
      this.binary,
      [
        `--name=${this.spec.name}`,
        `--data-dir=${this.spec.dataDir}`,
        `--listen-client-urls=${this.endpoint}`,
        `--advertise-client-urls=${this.endpoint}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=${this.initialCluster}`,
        '--initial-cluster-state=new',
        '--initial-cluster-token=kubelite-test',
        '--logger=zap',
        '--log-outputs=stderr',
        '--log-level=warn',
        // Room for the largest values the Storage contract allows (1.5 MiB and a little more).
        '--max-request-bytes=10485760',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    running.add(child);
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-8192);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', () => running.delete(child));
    await this.waitHealthy(child, timeoutMs);
  }

  kill(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }

  async restart(): Promise<void> {
    if (this.child) throw new Error(`etcd member ${this.name} is still running`);
    await this.exited;
    await this.start(30_000);
  }

  async terminate(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  private async waitHealthy(child: ChildProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `etcd ${this.name} exited (${child.exitCode ?? child.signalCode}) during start:\n${this.output}`,
        );
      }
      try {
        const res = await fetch(`${this.endpoint}/health`, { signal: AbortSignal.timeout(1000) });
        const body = (await res.json()) as { health?: string };
        if (body.health === 'true') return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`etcd ${this.name} not healthy after ${timeoutMs} ms:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
