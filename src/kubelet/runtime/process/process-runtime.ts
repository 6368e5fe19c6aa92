// The process runtime, for hosts without Docker: each container's command runs as a host process
// (own session and process group), a pod sandbox is only a loopback address from the node's range
// given to the processes as POD_IP (they bind there), logs go to CRI-format files, and all state is
// in a state directory so that a restarted runtime adopts processes that still run.
//
// Images: a host process cannot run an image. `image` is recorded (status shows it) and checked
// against the optional `images` list (what the node claims to have, for ErrImageNeverPull), and
// nothing else: commands run from the host's filesystem, with Debian's busybox applets appended to
// PATH (when /usr/bin/busybox exists) so busybox-style pod commands (httpd, nc, wget) work.
// Not supported: resource limits (accepted, not enforced), mounts that would move a host path, tty.
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type Clock, systemClock } from '../../../util/clock.js';
import { type Logger, silentLogger } from '../../../util/log.js';
import {
  containerNotFound,
  containerNotRunning,
  imageNotPresent,
  RuntimeError,
  sandboxNotFound,
} from '../errors.js';
import { EventHub } from '../event-hub.js';
import { HostPortForwarder } from '../host-ports.js';
import { IpPool } from '../ip-pool.js';
import { containerLabels, sandboxLabels } from '../labels.js';
import {
  containerEvent,
  containerMatches,
  containerStatusOf,
  sandboxEvent,
  sandboxMatches,
  sandboxStatusOf,
} from '../records.js';
import type {
  ContainerConfig,
  ContainerFilter,
  ContainerStatus,
  ExecResult,
  ImageStatus,
  LogOptions,
  PodNetwork,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  Runtime,
  RuntimeEvent,
  RuntimeEventListener,
  RuntimeEventType,
  RuntimeVersion,
} from '../types.js';
import {
  defaultPath,
  isDirectory,
  resolveExecutable,
  runCommand,
  signalGroup,
  signalNumber,
  signalProcess,
  spawnContainerProcess,
} from './commands.js';
import { ContainerLog } from './container-log.js';
import { closeFd, makeFifo, openFifoForProcess, PipeReader } from './pipes.js';
import { type ContainerRecord, processStartTicks, type SandboxRecord, StateDir } from './state.js';

export interface ProcessRuntimeOptions {
  nodeName: string;
  /** Default: <tmpdir>/kubelite-process/<nodeName>. One runtime per state directory. */
  stateDir?: string;
  /** Loopback range pod IPs come from (default 127.1.0.0/24; give each node on a machine its own). */
  podCidr?: string;
  /** Where host ports listen, and the node address pods are told about (default 127.0.0.1). */
  hostPortAddress?: string;
  /** Images the node claims to have; default: any image counts as present. */
  images?: string[];
  /** Busybox whose applets are appended to containers' PATH (default /usr/bin/busybox, if present). */
  busyboxPath?: string;
  /** The shell running the exit-status wrapper (default /bin/sh). */
  shell?: string;
  /** After the main process exits, how long to wait for stray holders of its output (default 2 s). */
  drainTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** A container being watched: its process (if this runtime started it), pipes and log. */
class Live {
  readers: PipeReader[] = [];
  pipesEnded = false;
  child: ChildProcess | undefined;
  childExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  drainTimer: NodeJS.Timeout | undefined;
  exited: Promise<void>;
  resolveExited!: () => void;

  constructor(
    readonly record: ContainerRecord,
    readonly log: ContainerLog,
  ) {
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
  }
}

export class ProcessRuntime implements Runtime {
  readonly kind = 'process' as const;
  readonly nodeName: string;
  private readonly state: StateDir;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly ips: IpPool;
  private readonly images: Set<string> | undefined;
  private readonly hostPortAddress: string;
  private readonly hostPorts: HostPortForwarder;
  private readonly hub: EventHub;
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, Live>();
  private pathDirs = defaultPath;
  private closed = false;

  constructor(private readonly options: ProcessRuntimeOptions) {
    this.nodeName = options.nodeName;
    this.state = new StateDir(options.stateDir ?? join(tmpdir(), 'kubelite-process', options.nodeName));
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.ips = new IpPool(options.podCidr ?? '127.1.0.0/24');
    if (!this.ips.firstHost.startsWith('127.')) {
      throw new RuntimeError(
        'InvalidConfig',
        `podCidr ${this.ips.cidr} must be a loopback range (127.0.0.0/8)`,
      );
    }
    this.images = options.images ? new Set(options.images) : undefined;
    this.hostPortAddress = options.hostPortAddress ?? '127.0.0.1';
    this.hostPorts = new HostPortForwarder({ defaultHostIp: this.hostPortAddress, logger: this.logger });
    this.hub = new EventHub((err) => this.logger.error({ err }, 'runtime event listener failed'));
  }

  /** Links busybox applets, loads the state directory and adopts processes that still run. */
  async start(): Promise<void> {
    this.linkBusybox();
    for (const s of this.state.loadSandboxes()) {
      this.sandboxes.set(s.id, s);
      if (s.state === 'ready') {
        this.ips.claim(s.ip);
        await this.hostPorts.open(s.id, s.ip, s.config.portMappings).catch((err) => {
          this.logger.warn({ err, sandboxId: s.id }, 'cannot reopen host ports of an adopted sandbox');
        });
      }
    }
    for (const record of this.state.loadContainers()) {
      const live = new Live(record, new ContainerLog(this.state.containerFile(record.id, 'log')));
      this.containers.set(record.id, live);
      if (record.state !== 'running') continue;
      if (record.pid > 0 && processStartTicks(record.pid) === record.pidStartTicks) {
        live.log.openForAppend();
        this.watchPipes(live);
        this.logger.info({ containerId: record.id, pid: record.pid }, 'adopted a running container');
      } else {
        this.finish(live);
      }
    }
  }

  async version(): Promise<RuntimeVersion> {
    return { runtimeName: 'process', runtimeVersion: process.version, runtimeApiVersion: 'v1' };
  }

  async podNetwork(): Promise<PodNetwork> {
    return { cidr: this.ips.cidr, gatewayIp: this.hostPortAddress };
  }

  async imageStatus(image: string): Promise<ImageStatus> {
    if (this.images && !this.images.has(image)) return { present: false };
    return { present: true, id: `process:${image}`, sizeBytes: 0, repoTags: [image] };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<{ sandboxId: string; ip: string }> {
    HostPortForwarder.validate(config.portMappings);
    const record: SandboxRecord = {
      id: newId(),
      config,
      ip: this.ips.allocate(),
      state: 'ready',
      createdAt: this.clock.now(),
    };
    try {
      await this.hostPorts.open(record.id, record.ip, config.portMappings);
    } catch (err) {
      this.ips.release(record.ip);
      throw err;
    }
    this.state.saveSandbox(record);
    this.sandboxes.set(record.id, record);
    this.emitSandbox('created', record);
    this.emitSandbox('started', record);
    return { sandboxId: record.id, ip: record.ip };
  }

  async stopPodSandbox(sandboxId: string): Promise<void> {
    const record = this.sandboxes.get(sandboxId);
    if (!record) return;
    await Promise.all([...this.containersOf(sandboxId)].map((l) => this.stopContainer(l.record.id, 0)));
    await this.hostPorts.close(sandboxId);
    if (record.state === 'ready') {
      record.state = 'notready';
      this.ips.release(record.ip);
      this.state.saveSandbox(record);
      this.emitSandbox('died', record, 137);
    }
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    const record = this.sandboxes.get(sandboxId);
    if (!record) return;
    await this.stopPodSandbox(sandboxId);
    for (const live of [...this.containersOf(sandboxId)]) await this.removeContainer(live.record.id);
    this.state.deleteSandbox(sandboxId);
    this.sandboxes.delete(sandboxId);
    this.emitSandbox('removed', record);
  }

  async podSandboxStatus(sandboxId: string): Promise<PodSandboxStatus | undefined> {
    const record = this.sandboxes.get(sandboxId);
    return record && sandboxStatusOf(this.nodeName, record);
  }

  async listPodSandboxes(filter: PodSandboxFilter = {}): Promise<PodSandboxStatus[]> {
    const out: PodSandboxStatus[] = [];
    for (const s of this.sandboxes.values()) {
      const status = sandboxStatusOf(this.nodeName, s);
      if (sandboxMatches(status, filter)) out.push(status);
    }
    return out;
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sandbox = this.sandboxes.get(sandboxId);
    if (!sandbox) throw sandboxNotFound(sandboxId);
    if (!(await this.imageStatus(config.image)).present) throw imageNotPresent(config.image);
    for (const m of config.mounts ?? []) {
      if (m.hostPath !== m.containerPath) {
        throw new RuntimeError(
          'Unsupported',
          `the process runtime cannot mount ${m.hostPath} at ${m.containerPath} (host processes share one filesystem)`,
        );
      }
    }
    const id = newId();
    const record: ContainerRecord = {
      id,
      sandboxId,
      config,
      labels: containerLabels(sandboxLabels(this.nodeName, sandbox.config), sandboxId, config),
      state: 'created',
      createdAt: this.clock.now(),
      startedAt: 0,
      finishedAt: 0,
      pid: 0,
    };
    mkdirSync(this.state.containerFile(id, 'tmp'), { recursive: true });
    makeFifo(this.state.containerFile(id, 'stdout'));
    makeFifo(this.state.containerFile(id, 'stderr'));
    this.state.saveContainer(record);
    this.containers.set(id, new Live(record, new ContainerLog(this.state.containerFile(id, 'log'))));
    this.emit('created', record);
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    const live = this.containers.get(containerId);
    if (!live) throw containerNotFound(containerId);
    const { record } = live;
    if (record.state === 'running') return;
    if (record.state !== 'created')
      throw new RuntimeError('StartFailed', `container ${containerId} is ${record.state}`);
    const sandbox = this.sandboxes.get(record.sandboxId);
    const env = this.environment(record, sandbox);
    const cwd = record.config.workingDir || this.state.containerFile(record.id, 'tmp');
    const argv = [...(record.config.command ?? []), ...(record.config.args ?? [])];
    const problem =
      sandbox?.state !== 'ready'
        ? 'its pod sandbox is not ready'
        : argv.length === 0
          ? 'no command: the process runtime has no image to take a default command from'
          : !isDirectory(cwd)
            ? `working directory ${cwd} does not exist`
            : !resolveExecutable(argv[0]!, env.PATH ?? defaultPath, cwd)
              ? `exec: "${argv[0]}": executable file not found in $PATH`
              : undefined;
    if (problem) {
      Object.assign(record, { state: 'exited', exitCode: 128, reason: 'StartError', message: problem });
      record.finishedAt = this.clock.now();
      this.state.saveContainer(record);
      throw new RuntimeError('StartFailed', problem);
    }

    live.log.openForAppend();
    const stdoutFd = openFifoForProcess(this.state.containerFile(record.id, 'stdout'));
    const stderrFd = openFifoForProcess(this.state.containerFile(record.id, 'stderr'));
    let child: ChildProcess;
    try {
      child = spawnContainerProcess({
        argv,
        env,
        cwd,
        shell: this.options.shell ?? '/bin/sh',
        exitFile: this.state.containerFile(record.id, 'exit'),
        stdoutFd,
        stderrFd,
      });
      this.watchPipes(live);
    } finally {
      closeFd(stdoutFd);
      closeFd(stderrFd);
    }
    live.child = child;
    record.pid = child.pid ?? 0;
    record.pidStartTicks = record.pid ? processStartTicks(record.pid) : undefined;
    record.state = 'running';
    record.startedAt = this.clock.now();
    this.state.saveContainer(record);
    child.once('error', (err) => this.logger.warn({ err, containerId }, 'container process failed'));
    child.once('exit', (code, signal) => {
      if (this.closed) return;
      live.childExit = { code, signal };
      if (live.pipesEnded) return this.finish(live);
      // As when a container's init dies: whatever it left behind in its group goes too.
      signalGroup(record.pid, 'SIGKILL');
      live.drainTimer = setTimeout(() => this.finish(live), this.options.drainTimeoutMs ?? 2000);
    });
    this.emit('started', record);
  }

  async stopContainer(containerId: string, gracePeriodMs: number): Promise<void> {
    const live = this.containers.get(containerId);
    if (live?.record.state !== 'running') return;
    const { record } = live;
    if (gracePeriodMs > 0 && signalProcess(record.pid, 'SIGTERM')) {
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), gracePeriodMs);
      });
      const first = await Promise.race([live.exited.then(() => 'exited' as const), graceOver]);
      clearTimeout(timer);
      if (first === 'exited') return;
    }
    if (record.state !== 'running') return;
    record.killed = true;
    this.state.saveContainer(record);
    if (!signalGroup(record.pid, 'SIGKILL') && !live.child) this.finish(live);
    // A process that escaped the group may hold the pipes open; do not wait for it forever.
    const fallback = setTimeout(() => this.finish(live), 5000);
    await live.exited;
    clearTimeout(fallback);
  }

  async removeContainer(containerId: string): Promise<void> {
    const live = this.containers.get(containerId);
    if (!live) return;
    await this.stopContainer(containerId, 0);
    live.log.close();
    this.containers.delete(containerId);
    this.state.deleteContainer(containerId);
    this.emit('removed', live.record);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const { record } of this.containers.values()) {
      const status = this.containerStatusOf(record);
      if (containerMatches(status, filter)) out.push(status);
    }
    return out;
  }

  async containerStatus(containerId: string): Promise<ContainerStatus | undefined> {
    const live = this.containers.get(containerId);
    return live && this.containerStatusOf(live.record);
  }

  async containerLogs(containerId: string, options: LogOptions = {}): Promise<Readable> {
    const live = this.containers.get(containerId);
    if (!live) throw containerNotFound(containerId);
    return live.log.read(options, this.clock.now());
  }

  async execSync(containerId: string, cmd: string[], timeoutMs: number): Promise<ExecResult> {
    const live = this.containers.get(containerId);
    if (!live) throw containerNotFound(containerId);
    if (live.record.state !== 'running') throw containerNotRunning(containerId);
    const env = this.environment(live.record, this.sandboxes.get(live.record.sandboxId));
    const cwd = live.record.config.workingDir || this.state.containerFile(containerId, 'tmp');
    return runCommand(cmd, env, cwd, timeoutMs);
  }

  subscribe(listener: RuntimeEventListener): () => void {
    return this.hub.subscribe(listener);
  }

  events(signal?: AbortSignal): AsyncIterableIterator<RuntimeEvent> {
    return this.hub.events(signal);
  }

  /** Stops watching (processes keep running and a new runtime on the same state dir adopts them). */
  async close(): Promise<void> {
    this.closed = true;
    for (const live of this.containers.values()) {
      clearTimeout(live.drainTimer);
      for (const r of live.readers) r.close();
      live.log.close();
    }
    this.hub.close();
    await this.hostPorts.closeAll();
  }

  private linkBusybox(): void {
    const busybox = this.options.busyboxPath ?? '/usr/bin/busybox';
    if (!existsSync(busybox)) return;
    const marker = join(this.state.binDir, 'busybox');
    if (!existsSync(marker)) {
      mkdirSync(this.state.binDir, { recursive: true });
      for (const applet of execFileSync(busybox, ['--list'], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)) {
        if (applet === 'busybox') continue;
        const link = join(this.state.binDir, applet);
        if (!existsSync(link)) symlinkSync(busybox, link);
      }
      symlinkSync(busybox, marker);
    }
    this.pathDirs = `${defaultPath}:${this.state.binDir}`;
  }

  private environment(record: ContainerRecord, sandbox: SandboxRecord | undefined): Record<string, string> {
    const tmp = this.state.containerFile(record.id, 'tmp');
    const env: Record<string, string> = {
      PATH: this.pathDirs,
      HOME: tmp,
      TMPDIR: tmp,
      HOSTNAME: sandbox?.config.hostname ?? sandbox?.config.name ?? '',
      POD_IP: sandbox?.ip ?? '',
    };
    for (const e of record.config.env ?? []) env[e.name] = e.value;
    return env;
  }

  private watchPipes(live: Live): void {
    let open = 2;
    // End-of-file on both pipes: every process of the container is gone. The parent of the
    // process also waits for its exit status, which the exit event brings.
    const onEnd = () => {
      if (--open > 0) return;
      live.pipesEnded = true;
      if (!live.child || live.childExit) this.finish(live);
    };
    const append = (r: Parameters<ContainerLog['append']>[0]) => live.log.append(r);
    const now = () => this.clock.now();
    live.readers = [
      new PipeReader(this.state.containerFile(live.record.id, 'stdout'), 'stdout', now, append, onEnd),
      new PipeReader(this.state.containerFile(live.record.id, 'stderr'), 'stderr', now, append, onEnd),
    ];
  }

  /** The container has exited: settle its exit status from the wrapper's file or the signal. */
  private finish(live: Live): void {
    const { record } = live;
    if (record.state !== 'running' || this.closed) return;
    clearTimeout(live.drainTimer);
    for (const r of live.readers) r.close();
    live.log.finish();
    const exit = live.childExit;
    const code =
      this.state.takeExitStatus(record.id) ??
      (exit ? (exit.code ?? 128 + signalNumber(exit.signal)) : undefined) ??
      (record.killed ? 137 : undefined);
    record.state = 'exited';
    record.finishedAt = this.clock.now();
    record.pid = 0;
    if (code === undefined) {
      Object.assign(record, { exitCode: 255, reason: 'Unknown', message: 'the exit status was lost' });
    } else {
      Object.assign(record, { exitCode: code, reason: code === 0 ? 'Completed' : 'Error' });
    }
    this.state.saveContainer(record);
    live.resolveExited();
    this.emit('died', record);
  }

  private *containersOf(sandboxId: string): Iterable<Live> {
    for (const live of this.containers.values()) if (live.record.sandboxId === sandboxId) yield live;
  }

  private podUidOf(record: ContainerRecord): string {
    return this.sandboxes.get(record.sandboxId)?.config.uid ?? '';
  }

  private containerStatusOf(r: ContainerRecord): ContainerStatus {
    return containerStatusOf({ ...r, podUid: this.podUidOf(r), imageRef: `process:${r.config.image}` });
  }

  private emit(type: RuntimeEventType, r: ContainerRecord): void {
    this.hub.emit(containerEvent(type, { ...r, podUid: this.podUidOf(r) }, this.clock.now()));
  }

  private emitSandbox(type: RuntimeEventType, s: SandboxRecord, exitCode?: number): void {
    this.hub.emit(sandboxEvent(type, s, this.clock.now(), exitCode));
  }
}

function newId(): string {
  return randomBytes(16).toString('hex');
}

export async function createProcessRuntime(options: ProcessRuntimeOptions): Promise<ProcessRuntime> {
  const runtime = new ProcessRuntime(options);
  await runtime.start();
  return runtime;
}
