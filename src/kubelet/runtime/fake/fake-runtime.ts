// A runtime without processes for tests and hollow-node benchmarks: containers "run" the moment they
// start, nothing touches the host. Deterministic (ids from a counter, time from the injected clock),
// records calls, fails on demand, and keeps a few fields per container so that 5,000 nodes × 30 pods
// fit in one process. Status, labels and logs are computed when asked for, not stored.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { type Clock, systemClock } from '../../../util/clock.js';
import {
  containerNotFound,
  containerNotRunning,
  imageNotPresent,
  RuntimeError,
  sandboxNotFound,
} from '../errors.js';
import { EventHub } from '../event-hub.js';
import { IpPool } from '../ip-pool.js';
import { containerLabels, sandboxLabels } from '../labels.js';
import { LogOutput, type LogRecord, type LogStreamName, selectRecords } from '../log-stream.js';
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
  ContainerState,
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
  TerminationReason,
} from '../types.js';

export interface FakeExit {
  exitCode: number;
  reason?: TerminationReason;
  message?: string;
}

export interface FakeRuntimeOptions {
  nodeName: string;
  clock?: Clock;
  /** Images the node has; default: every image is present. */
  images?: string[];
  /** Where sandbox IPs come from (default 10.88.0.0/16; give each hollow node its own range). */
  podCidr?: string;
  /** Keep a log of calls in `calls` (default true; turn off for large benchmarks). */
  recordCalls?: boolean;
  /** Share one store between two instances to simulate a kubelet restart. */
  store?: FakeStore;
  /** Decides what a started container does: undefined keeps it running, an exit ends it at once. */
  onStart?: (config: ContainerConfig) => FakeExit | undefined;
  /** Answers execSync (default: exit code 0, no output). */
  exec?: (containerId: string, cmd: string[]) => Partial<ExecResult>;
}

export interface FakeCall {
  op: string;
  args: unknown[];
  at: number;
}

type Failure = { error: Error | ((args: unknown[]) => Error | undefined); times: number };

class FakeSandbox {
  state: 'ready' | 'notready' = 'ready';
  constructor(
    readonly id: string,
    readonly config: PodSandboxConfig,
    public ip: string,
    readonly createdAt: number,
  ) {}
}

class FakeContainer {
  state: ContainerState = 'created';
  startedAt = 0;
  finishedAt = 0;
  exitCode: number | undefined;
  reason: TerminationReason | undefined;
  message: string | undefined;
  logs: LogRecord[] | undefined;
  followers: Set<LogOutput> | undefined;
  constructor(
    readonly id: string,
    readonly sandbox: FakeSandbox,
    readonly config: ContainerConfig,
    readonly createdAt: number,
  ) {}
}

/** The state of one fake node; outlives a FakeRuntime instance when passed to the next one. */
export class FakeStore {
  readonly sandboxes = new Map<string, FakeSandbox>();
  readonly containers = new Map<string, FakeContainer>();
  seq = 0;
}

export class FakeRuntime implements Runtime {
  readonly kind = 'fake' as const;
  readonly nodeName: string;
  readonly calls: FakeCall[] = [];
  readonly store: FakeStore;
  private readonly clock: Clock;
  private readonly images: Set<string> | undefined;
  private readonly ips: IpPool;
  private readonly hub = new EventHub();
  private readonly failures = new Map<string, Failure>();

  constructor(private readonly options: FakeRuntimeOptions) {
    this.nodeName = options.nodeName;
    this.clock = options.clock ?? systemClock;
    this.images = options.images ? new Set(options.images) : undefined;
    this.ips = new IpPool(options.podCidr ?? '10.88.0.0/16');
    this.store = options.store ?? new FakeStore();
    for (const s of this.store.sandboxes.values()) if (s.ip) this.ips.claim(s.ip);
  }

  /** Makes `op` reject with `error` for the next `times` calls (default: until cleared). */
  fail(op: keyof Runtime, error: Failure['error'], times = Number.POSITIVE_INFINITY): void {
    this.failures.set(op, { error, times });
  }

  clearFailures(): void {
    this.failures.clear();
  }

  /** Ends a running container (or kills a sandbox) as if its process had exited. */
  exit(id: string, exit: FakeExit): void {
    const sandbox = this.store.sandboxes.get(id);
    if (sandbox) {
      if (sandbox.state === 'ready') {
        sandbox.state = 'notready';
        this.emitSandbox('died', sandbox, exit.exitCode);
      }
      return;
    }
    const c = this.store.containers.get(id);
    if (!c) throw containerNotFound(id);
    if (c.state === 'running') this.finish(c, exit);
  }

  /** Appends output to a container's log (followers see it at once). */
  writeLog(id: string, text: string, stream: LogStreamName = 'stdout'): void {
    const c = this.store.containers.get(id);
    if (!c) throw containerNotFound(id);
    const at = this.clock.now();
    const lines = text.split('\n');
    const records = lines.map((line, i) => ({
      at,
      stream,
      partial: i === lines.length - 1,
      content: Buffer.from(line),
    }));
    if (records.at(-1)!.content.length === 0) records.pop();
    c.logs ??= [];
    for (const r of records) {
      c.logs.push(r);
      for (const f of c.followers ?? []) f.push(r);
    }
  }

  async version(): Promise<RuntimeVersion> {
    this.check('version', []);
    return { runtimeName: 'fake', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
  }

  async podNetwork(): Promise<PodNetwork> {
    this.check('podNetwork', []);
    return { cidr: this.ips.cidr, gatewayIp: this.ips.firstHost };
  }

  async imageStatus(image: string): Promise<ImageStatus> {
    this.check('imageStatus', [image]);
    if (this.images && !this.images.has(image)) return { present: false };
    return { present: true, id: imageIdOf(image), sizeBytes: 0, repoTags: [image] };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<{ sandboxId: string; ip: string }> {
    this.check('runPodSandbox', [config]);
    const sandbox = new FakeSandbox(this.nextId('s'), config, this.ips.allocate(), this.clock.now());
    this.store.sandboxes.set(sandbox.id, sandbox);
    this.emitSandbox('created', sandbox);
    this.emitSandbox('started', sandbox);
    return { sandboxId: sandbox.id, ip: sandbox.ip };
  }

  async stopPodSandbox(sandboxId: string): Promise<void> {
    this.check('stopPodSandbox', [sandboxId]);
    const sandbox = this.store.sandboxes.get(sandboxId);
    if (!sandbox) return;
    for (const c of this.containersOf(sandboxId)) if (c.state === 'running') this.finish(c, killed);
    if (sandbox.state === 'ready') {
      sandbox.state = 'notready';
      this.emitSandbox('died', sandbox, killed.exitCode);
    }
    this.ips.release(sandbox.ip);
    sandbox.ip = '';
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    this.check('removePodSandbox', [sandboxId]);
    const sandbox = this.store.sandboxes.get(sandboxId);
    if (!sandbox) return;
    for (const c of this.containersOf(sandboxId)) this.remove(c);
    this.ips.release(sandbox.ip);
    this.store.sandboxes.delete(sandboxId);
    this.emitSandbox('removed', sandbox);
  }

  async podSandboxStatus(sandboxId: string): Promise<PodSandboxStatus | undefined> {
    this.check('podSandboxStatus', [sandboxId]);
    const sandbox = this.store.sandboxes.get(sandboxId);
    return sandbox && sandboxStatusOf(this.nodeName, sandbox);
  }

  async listPodSandboxes(filter: PodSandboxFilter = {}): Promise<PodSandboxStatus[]> {
    this.check('listPodSandboxes', [filter]);
    const out: PodSandboxStatus[] = [];
    for (const s of this.store.sandboxes.values()) {
      const status = sandboxStatusOf(this.nodeName, s);
      if (sandboxMatches(status, filter)) out.push(status);
    }
    return out;
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    this.check('createContainer', [sandboxId, config]);
    const sandbox = this.store.sandboxes.get(sandboxId);
    if (!sandbox) throw sandboxNotFound(sandboxId);
    if (this.images && !this.images.has(config.image)) throw imageNotPresent(config.image);
    const c = new FakeContainer(this.nextId('c'), sandbox, config, this.clock.now());
    this.store.containers.set(c.id, c);
    this.emit('created', c);
    return c.id;
  }

  async startContainer(containerId: string): Promise<void> {
    this.check('startContainer', [containerId]);
    const c = this.store.containers.get(containerId);
    if (!c) throw containerNotFound(containerId);
    if (c.state !== 'created')
      throw new RuntimeError('StartFailed', `container "${containerId}" is ${c.state}`);
    c.state = 'running';
    c.startedAt = this.clock.now();
    this.emit('started', c);
    const exit = this.options.onStart?.(c.config);
    if (exit) this.finish(c, exit);
  }

  async stopContainer(containerId: string, gracePeriodMs: number): Promise<void> {
    this.check('stopContainer', [containerId, gracePeriodMs]);
    const c = this.store.containers.get(containerId);
    if (c?.state === 'running') this.finish(c, gracePeriodMs > 0 ? terminated : killed);
  }

  async removeContainer(containerId: string): Promise<void> {
    this.check('removeContainer', [containerId]);
    const c = this.store.containers.get(containerId);
    if (c) this.remove(c);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    this.check('listContainers', [filter]);
    const out: ContainerStatus[] = [];
    for (const c of this.store.containers.values()) {
      if (filter.sandboxId && c.sandbox.id !== filter.sandboxId) continue;
      const status = this.containerStatusOf(c);
      if (containerMatches(status, filter)) out.push(status);
    }
    return out;
  }

  async containerStatus(containerId: string): Promise<ContainerStatus | undefined> {
    this.check('containerStatus', [containerId]);
    const c = this.store.containers.get(containerId);
    return c && this.containerStatusOf(c);
  }

  async containerLogs(containerId: string, options: LogOptions = {}): Promise<Readable> {
    this.check('containerLogs', [containerId, options]);
    const c = this.store.containers.get(containerId);
    if (!c) throw containerNotFound(containerId);
    const output = new LogOutput(options, () => c.followers?.delete(output));
    for (const r of selectRecords(c.logs ?? [], options, this.clock.now())) if (!output.push(r)) break;
    if (options.follow && c.state !== 'exited' && !output.isEnded) (c.followers ??= new Set()).add(output);
    else output.end();
    return output.stream;
  }

  async execSync(containerId: string, cmd: string[], timeoutMs: number): Promise<ExecResult> {
    this.check('execSync', [containerId, cmd, timeoutMs]);
    const c = this.store.containers.get(containerId);
    if (!c) throw containerNotFound(containerId);
    if (c.state !== 'running') throw containerNotRunning(containerId);
    const answer = this.options.exec?.(containerId, cmd) ?? {};
    return {
      exitCode: answer.exitCode ?? 0,
      stdout: answer.stdout ?? Buffer.alloc(0),
      stderr: answer.stderr ?? Buffer.alloc(0),
      timedOut: answer.timedOut ?? false,
    };
  }

  subscribe(listener: RuntimeEventListener): () => void {
    return this.hub.subscribe(listener);
  }

  events(signal?: AbortSignal): AsyncIterableIterator<RuntimeEvent> {
    return this.hub.events(signal);
  }

  async close(): Promise<void> {
    this.hub.close();
    for (const c of this.store.containers.values()) for (const f of c.followers ?? []) f.end();
  }

  private check(op: string, args: unknown[]): void {
    if (this.options.recordCalls !== false) this.calls.push({ op, args, at: this.clock.now() });
    const failure = this.failures.get(op);
    if (!failure) return;
    const error = typeof failure.error === 'function' ? failure.error(args) : failure.error;
    if (!error) return;
    if (--failure.times <= 0) this.failures.delete(op);
    throw error;
  }

  private nextId(prefix: string): string {
    return `${this.nodeName}-${prefix}${++this.store.seq}`;
  }

  private *containersOf(sandboxId: string): Iterable<FakeContainer> {
    for (const c of this.store.containers.values()) if (c.sandbox.id === sandboxId) yield c;
  }

  private finish(c: FakeContainer, exit: FakeExit): void {
    c.state = 'exited';
    c.finishedAt = this.clock.now();
    c.exitCode = exit.exitCode;
    c.reason = exit.reason ?? (exit.exitCode === 0 ? 'Completed' : 'Error');
    c.message = exit.message;
    for (const f of c.followers ?? []) f.end();
    c.followers = undefined;
    if (c.reason === 'OOMKilled') this.emit('oom', c);
    this.emit('died', c);
  }

  private remove(c: FakeContainer): void {
    if (c.state === 'running') this.finish(c, killed);
    this.store.containers.delete(c.id);
    this.emit('removed', c);
  }

  private containerStatusOf(c: FakeContainer): ContainerStatus {
    return containerStatusOf({
      ...c,
      sandboxId: c.sandbox.id,
      podUid: c.sandbox.config.uid,
      labels: containerLabels(sandboxLabels(this.nodeName, c.sandbox.config), c.sandbox.id, c.config),
      pid: 0,
      imageRef: imageIdOf(c.config.image),
    });
  }

  private emit(type: RuntimeEventType, c: FakeContainer): void {
    this.deliver(
      containerEvent(
        type,
        { ...c, sandboxId: c.sandbox.id, podUid: c.sandbox.config.uid, config: c.config },
        this.clock.now(),
      ),
    );
  }

  private emitSandbox(type: RuntimeEventType, s: FakeSandbox, exitCode?: number): void {
    this.deliver(sandboxEvent(type, s, this.clock.now(), exitCode));
  }

  /** After the current call returns, as real runtimes deliver events. */
  private deliver(event: RuntimeEvent): void {
    if (this.hub.size > 0) queueMicrotask(() => this.hub.emit(event));
  }
}

const terminated: FakeExit = { exitCode: 143, reason: 'Error' };
const killed: FakeExit = { exitCode: 137, reason: 'Error' };

const imageIds = new Map<string, string>();
function imageIdOf(image: string): string {
  let id = imageIds.get(image);
  if (!id) {
    id = `sha256:${createHash('sha256').update(image).digest('hex')}`;
    imageIds.set(image, id);
  }
  return id;
}

export function createFakeRuntime(options: FakeRuntimeOptions): FakeRuntime {
  return new FakeRuntime(options);
}
