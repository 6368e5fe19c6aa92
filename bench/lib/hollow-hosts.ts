// The parent side of hollow-node hosts (bench/lib/hollow-node-host.ts): spawn them with the node
// names split between them, follow their start-up progress, ask for their memory, stop them.
// Each host's stderr (kubelet warnings) goes to a log file; counted lines are a symptom to report.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { HostConfig, HostMessage } from './hollow-node-host.js';

const hostScript = join(import.meta.dirname, 'hollow-node-host.ts');

interface Host {
  child: ChildProcess;
  nodes: number;
  started: number;
  failed: number;
  lastError?: string;
  warnings: number;
  /** Partial line of stderr not yet counted. */
  pending: string;
  log: WriteStream;
  memory?: Extract<HostMessage, { type: 'memory' }>;
}

export interface HollowHostsOptions {
  server: string;
  /** Nodes are <prefix>0 … <prefix><nodes - 1>. */
  nodeNamePrefix: string;
  nodes: number;
  nodesPerHost: number;
  heartbeatPeriodMs: number;
  connections: number;
  startBatch: number;
  maxPods: number;
  logDir: string;
  /** Command prefix for each host (e.g. prlimit for more file descriptors). */
  wrap?: string[];
}

export interface HostsMemory {
  hosts: number;
  kubelets: number;
  rssMiB: number;
  heapUsedMiB: number;
  rssKiBPerNode: number;
  heapKiBPerNode: number;
}

export class HollowHosts {
  private readonly hosts: Host[] = [];

  constructor(options: HollowHostsOptions) {
    const { nodes, nodesPerHost } = options;
    for (let i = 0, index = 0; i < nodes; i += nodesPerHost, index++) {
      const config: HostConfig = {
        server: options.server,
        nodeNamePrefix: options.nodeNamePrefix,
        firstNode: i,
        nodeCount: Math.min(nodesPerHost, nodes - i),
        hostIndex: index,
        heartbeatPeriodMs: options.heartbeatPeriodMs,
        connections: options.connections,
        startBatch: options.startBatch,
        maxPods: options.maxPods,
        rootDir: join(options.logDir, `host-${index}`),
      };
      const [command, ...prefix] = [...(options.wrap ?? []), process.execPath];
      const child = spawn(command!, [...prefix, '--import', 'tsx', hostScript], {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        env: { ...process.env, KUBELITE_HOLLOW_HOST: JSON.stringify(config) },
      });
      const host: Host = {
        child,
        nodes: config.nodeCount,
        started: 0,
        failed: 0,
        warnings: 0,
        pending: '',
        log: createWriteStream(join(options.logDir, `hollow-host-${index}.log`)),
      };
      child.stderr?.on('data', (d: Buffer) => {
        host.log.write(d);
        const lines = (host.pending + d.toString()).split('\n');
        host.pending = lines.pop() ?? '';
        for (const line of lines) this.countWarning(host, line);
      });
      child.on('message', (m: HostMessage) => {
        if (m.type === 'progress')
          Object.assign(host, { started: m.started, failed: m.failed, lastError: m.lastError });
        else if (m.type === 'memory') host.memory = m;
      });
      this.hosts.push(host);
    }
  }

  /** Warnings of every host by their message (pino's `msg`, else the first 80 characters). */
  readonly warningsByMessage = new Map<string, number>();

  private countWarning(host: Host, line: string): void {
    if (!line.trim()) return;
    host.warnings++;
    const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 80);
    const code = /"code":"([A-Z_]+)"/.exec(line)?.[1];
    const key = code ? `${msg} (${code})` : msg;
    this.warningsByMessage.set(key, (this.warningsByMessage.get(key) ?? 0) + 1);
  }

  get pids(): number[] {
    return this.hosts.flatMap((h) => (h.child.pid === undefined ? [] : [h.child.pid]));
  }

  get count(): number {
    return this.hosts.length;
  }

  progress(): { started: number; failed: number; exited: number; lastError?: string; warnings: number } {
    return {
      started: this.hosts.reduce((n, h) => n + h.started, 0),
      failed: this.hosts.reduce((n, h) => n + h.failed, 0),
      exited: this.hosts.filter((h) => h.child.exitCode !== null || h.child.signalCode !== null).length,
      lastError: this.hosts.find((h) => h.lastError)?.lastError,
      warnings: this.hosts.reduce((n, h) => n + h.warnings, 0),
    };
  }

  /** Memory of every host, asked over IPC (the host's own view: rss, heap). */
  async memory(timeoutMs = 10_000): Promise<HostsMemory> {
    for (const h of this.hosts) h.memory = undefined;
    for (const h of this.hosts) if (h.child.connected) h.child.send({ type: 'memory' });
    const deadline = Date.now() + timeoutMs;
    while (this.hosts.some((h) => !h.memory && h.child.connected) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const kubelets = this.hosts.reduce((n, h) => n + (h.memory?.kubelets ?? 0), 0);
    // Per node over every node a host carries, started or not (its memory is for all of them).
    const nodes = this.hosts.reduce((n, h) => n + (h.memory ? h.nodes : 0), 0);
    const rss = this.hosts.reduce((n, h) => n + (h.memory?.rssBytes ?? 0), 0);
    const heap = this.hosts.reduce((n, h) => n + (h.memory?.heapUsedBytes ?? 0), 0);
    const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
    return {
      hosts: this.hosts.length,
      kubelets,
      rssMiB: mib(rss),
      heapUsedMiB: mib(heap),
      rssKiBPerNode: nodes ? Math.round(rss / 1024 / nodes) : 0,
      heapKiBPerNode: nodes ? Math.round(heap / 1024 / nodes) : 0,
    };
  }

  /** Asks every host to stop its kubelets; SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    await Promise.all(
      this.hosts.map(async (h) => {
        if (h.child.exitCode === null && h.child.signalCode === null) {
          const exited = new Promise<void>((r) => h.child.once('exit', () => r()));
          if (h.child.connected) h.child.send({ type: 'stop' });
          else h.child.kill('SIGTERM');
          const timer = setTimeout(() => h.child.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(timer);
        }
        await new Promise<void>((r) => h.log.end(r));
      }),
    );
  }

  /** Last resort on process exit: SIGKILL by PID. */
  kill(): void {
    for (const h of this.hosts) if (h.child.exitCode === null && h.child.pid) h.child.kill('SIGKILL');
  }
}
