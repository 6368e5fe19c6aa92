// The Docker runtime (dockerode). A pod sandbox is an infra container running the local pause image
// on the internal `kubelite0` network; it owns the pod's network and IPC namespaces and every spec
// container joins them (`NetworkMode: container:<infra>`), so a pod's containers share localhost and
// the pod IP. All state lives in Docker labels; images are local only and never pulled.
import type { Readable } from 'node:stream';
import Dockerode from 'dockerode';
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
import { containerLabels, sandboxLabels } from '../labels.js';
import {
  type ContainerConfig,
  type ContainerFilter,
  type ContainerStatus,
  type ExecResult,
  type ImageStatus,
  type LogOptions,
  labelNode,
  labelPodUid,
  labelSandboxId,
  labelType,
  type PodNetwork,
  type PodSandboxConfig,
  type PodSandboxFilter,
  type PodSandboxStatus,
  type Runtime,
  type RuntimeEvent,
  type RuntimeEventListener,
  type RuntimeVersion,
} from '../types.js';
import { DockerEvents } from './events.js';
import { dockerExec } from './exec.js';
import { DockerLogDemuxer } from './logs.js';
import { ensurePodNetwork } from './network.js';
import { waitForPauseReady } from './pause.js';
import {
  containerCreateOptions,
  containerStatusFrom,
  isOurs,
  sandboxCreateOptions,
  sandboxStatusFrom,
} from './translate.js';

export interface DockerRuntimeOptions {
  nodeName: string;
  /** Default /var/run/docker.sock. */
  socketPath?: string;
  /** A ready client (tests, remote daemons); overrides socketPath. */
  docker?: Dockerode;
  /** The internal pod network the runtime creates and owns (default kubelite0). */
  networkName?: string;
  /** Subnet for the pod network when it must be created (default: chosen by Docker). */
  networkSubnet?: string;
  /** What infra containers run (default kubelite/pause:latest, built by scripts/build-images.sh). */
  pauseImage?: string;
  /** Where host ports listen by default (default 127.0.0.1: never a public address). */
  hostPortAddress?: string;
  /** Time allowed for the infra container to come up (default 30 s). */
  sandboxStartTimeoutMs?: number;
  /** First delay before reconnecting a lost event stream (default 500 ms, doubling to 30 s). */
  eventReconnectDelayMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** Parallel Docker calls when listing (inspects). */
const listConcurrency = 16;

export class DockerRuntime implements Runtime {
  readonly kind = 'docker' as const;
  readonly nodeName: string;
  private readonly docker: Dockerode;
  private readonly network: string;
  private readonly pauseImage: string;
  private readonly logger: Logger;
  private readonly hub: EventHub;
  private readonly hostPorts: HostPortForwarder;
  private readonly events_: DockerEvents;
  private podNetwork_: PodNetwork | undefined;

  constructor(private readonly options: DockerRuntimeOptions) {
    this.nodeName = options.nodeName;
    this.docker =
      options.docker ?? new Dockerode({ socketPath: options.socketPath ?? '/var/run/docker.sock' });
    this.network = options.networkName ?? 'kubelite0';
    this.pauseImage = options.pauseImage ?? 'kubelite/pause:latest';
    this.logger = options.logger ?? silentLogger;
    this.hub = new EventHub((err) => this.logger.error({ err }, 'runtime event listener failed'));
    this.hostPorts = new HostPortForwarder({
      defaultHostIp: options.hostPortAddress ?? '127.0.0.1',
      logger: this.logger,
    });
    this.events_ = new DockerEvents({
      docker: this.docker,
      nodeName: this.nodeName,
      clock: options.clock ?? systemClock,
      logger: this.logger,
      emit: (e) => this.hub.emit(e),
      reconnectDelayMs: options.eventReconnectDelayMs ?? 500,
    });
  }

  /** Checks the daemon, ensures the pod network, follows events and reopens adopted host ports. */
  async start(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      throw new RuntimeError('Unavailable', `no Docker daemon answers: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.podNetwork_ = await ensurePodNetwork(this.docker, {
      name: this.network,
      subnet: this.options.networkSubnet,
    });
    await this.events_.start();
    for (const s of await this.listPodSandboxes({ state: 'ready' })) {
      await this.hostPorts.open(s.id, s.ip, s.portMappings).catch((err) => {
        this.logger.warn({ err, sandboxId: s.id }, 'cannot reopen host ports of an adopted sandbox');
      });
    }
  }

  async version(): Promise<RuntimeVersion> {
    const v = await this.docker.version();
    return { runtimeName: 'docker', runtimeVersion: v.Version, runtimeApiVersion: v.ApiVersion };
  }

  async podNetwork(): Promise<PodNetwork> {
    this.podNetwork_ ??= await ensurePodNetwork(this.docker, {
      name: this.network,
      subnet: this.options.networkSubnet,
    });
    return this.podNetwork_;
  }

  async imageStatus(image: string): Promise<ImageStatus> {
    try {
      const info = await this.docker.getImage(image).inspect();
      return { present: true, id: info.Id, sizeBytes: info.Size, repoTags: info.RepoTags ?? [] };
    } catch (err) {
      if (statusOf(err) === 404) return { present: false };
      throw err;
    }
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<{ sandboxId: string; ip: string }> {
    HostPortForwarder.validate(config.portMappings);
    if (!(await this.imageStatus(this.pauseImage)).present) throw imageNotPresent(this.pauseImage);
    const labels = sandboxLabels(this.nodeName, config);
    const container = await this.create(sandboxCreateOptions(config, labels, this.pauseImage, this.network));
    try {
      await waitForPauseReady(container, this.options.sandboxStartTimeoutMs ?? 30_000);
      const info = await container.inspect();
      const ip = info.NetworkSettings.Networks?.[this.network]?.IPAddress;
      if (!ip)
        throw new RuntimeError('Unavailable', `sandbox ${container.id} got no address on ${this.network}`);
      await this.hostPorts.open(container.id, ip, config.portMappings);
      return { sandboxId: container.id, ip };
    } catch (err) {
      await container.remove({ force: true }).catch(() => {});
      throw err;
    }
  }

  async stopPodSandbox(sandboxId: string): Promise<void> {
    const info = await this.inspectSandbox(sandboxId);
    if (!info) return;
    await this.hostPorts.close(info.Id);
    const members = await this.docker.listContainers({
      filters: { label: [`${labelSandboxId}=${info.Id}`] },
    });
    await Promise.all(members.map((c) => this.kill(c.Id)));
    await this.kill(info.Id);
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    const info = await this.inspectSandbox(sandboxId);
    if (!info) return;
    await this.hostPorts.close(info.Id);
    const members = await this.docker.listContainers({
      all: true,
      filters: { label: [`${labelSandboxId}=${info.Id}`] },
    });
    await Promise.all(members.map((c) => this.removeContainer(c.Id)));
    await this.removeContainer(info.Id);
  }

  async podSandboxStatus(sandboxId: string): Promise<PodSandboxStatus | undefined> {
    const info = await this.inspectSandbox(sandboxId);
    return info && sandboxStatusFrom(info, this.network);
  }

  async listPodSandboxes(filter: PodSandboxFilter = {}): Promise<PodSandboxStatus[]> {
    const infos = await this.inspectListed('podsandbox', filter.id, filter.podUid, filter.labels, {
      ...(filter.state === 'ready' ? { status: ['running'] } : {}),
    });
    const out = infos.map((i) => sandboxStatusFrom(i, this.network));
    return filter.state ? out.filter((s) => s.state === filter.state) : out;
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sandbox = await this.inspectSandbox(sandboxId);
    if (!sandbox) throw sandboxNotFound(sandboxId);
    if (!(await this.imageStatus(config.image)).present) throw imageNotPresent(config.image);
    const labels = containerLabels(sandbox.Config.Labels ?? {}, sandbox.Id, config);
    const container = await this.create(
      containerCreateOptions({ id: sandbox.Id, labels: sandbox.Config.Labels ?? {} }, config, labels),
    );
    return container.id;
  }

  async startContainer(containerId: string): Promise<void> {
    try {
      await this.docker.getContainer(containerId).start();
    } catch (err) {
      const code = statusOf(err);
      if (code === 304) return; // already started
      if (code === 404) throw containerNotFound(containerId);
      throw new RuntimeError('StartFailed', messageOf(err), { cause: err });
    }
  }

  async stopContainer(containerId: string, gracePeriodMs: number): Promise<void> {
    const container = this.docker.getContainer(containerId);
    if (gracePeriodMs <= 0) return this.kill(containerId);
    const stopped = container.wait({ condition: 'not-running' }).catch(() => undefined);
    try {
      await container.kill({ signal: 'SIGTERM' });
    } catch (err) {
      const code = statusOf(err);
      if (code === 404 || code === 409) return; // gone or not running
      throw err;
    }
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), gracePeriodMs);
    });
    const first = await Promise.race([stopped, graceOver]);
    clearTimeout(timer);
    if (first === 'timeout') await this.kill(containerId);
    await stopped;
  }

  async removeContainer(containerId: string): Promise<void> {
    try {
      await this.docker.getContainer(containerId).remove({ force: true, v: true });
    } catch (err) {
      const code = statusOf(err);
      // 404: already gone; 409: removal already in progress.
      if (code !== 404 && code !== 409) throw err;
    }
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    const extra: Record<string, string[]> = {};
    if (filter.sandboxId) extra.label = [`${labelSandboxId}=${filter.sandboxId}`];
    if (filter.state === 'running') extra.status = ['running'];
    const infos = await this.inspectListed('container', filter.id, filter.podUid, filter.labels, extra);
    const out = infos.map(containerStatusFrom);
    return filter.state ? out.filter((c) => c.state === filter.state) : out;
  }

  async containerStatus(containerId: string): Promise<ContainerStatus | undefined> {
    const info = await this.inspect(containerId);
    return info && isOurs(info, this.nodeName, 'container') ? containerStatusFrom(info) : undefined;
  }

  async containerLogs(containerId: string, options: LogOptions = {}): Promise<Readable> {
    const info = await this.inspect(containerId);
    if (!info || !isOurs(info, this.nodeName, 'container')) throw containerNotFound(containerId);
    const container = this.docker.getContainer(info.Id);
    const query = {
      stdout: true,
      stderr: true,
      timestamps: options.timestamps ?? false,
      ...(options.tailLines !== undefined ? { tail: options.tailLines } : {}),
      ...(options.sinceSeconds !== undefined
        ? { since: ((Date.now() - options.sinceSeconds * 1000) / 1000).toFixed(3) }
        : {}),
    };
    const demuxer = new DockerLogDemuxer(!info.Config.Tty, options.limitBytes);
    if (options.tailLines === 0 && !options.follow) {
      demuxer.end();
      return demuxer;
    }
    if (options.follow) {
      const source = (await container.logs({ ...query, follow: true })) as unknown as Readable;
      source.pipe(demuxer);
      demuxer.once('close', () => source.destroy());
      demuxer.once('end', () => source.destroy());
      source.once('error', (err) => demuxer.destroy(err));
      return demuxer;
    }
    const bytes = (await container.logs({ ...query, follow: false })) as unknown as Buffer;
    demuxer.end(bytes);
    return demuxer;
  }

  async execSync(containerId: string, cmd: string[], timeoutMs: number): Promise<ExecResult> {
    const info = await this.inspect(containerId);
    if (!info || !isOurs(info, this.nodeName, 'container')) throw containerNotFound(containerId);
    if (!info.State.Running) throw containerNotRunning(containerId);
    return dockerExec(this.docker.getContainer(info.Id), cmd, timeoutMs);
  }

  subscribe(listener: RuntimeEventListener): () => void {
    return this.hub.subscribe(listener);
  }

  events(signal?: AbortSignal): AsyncIterableIterator<RuntimeEvent> {
    return this.hub.events(signal);
  }

  async close(): Promise<void> {
    this.events_.close();
    this.hub.close();
    await this.hostPorts.closeAll();
  }

  private async create(options: Dockerode.ContainerCreateOptions): Promise<Dockerode.Container> {
    try {
      return await this.docker.createContainer(options);
    } catch (err) {
      const code = statusOf(err);
      if (code === 409) throw new RuntimeError('AlreadyExists', `container ${options.name} already exists`);
      if (code === 404) throw imageNotPresent(options.Image ?? '');
      throw err;
    }
  }

  private async kill(id: string): Promise<void> {
    const container = this.docker.getContainer(id);
    try {
      await container.kill({ signal: 'SIGKILL' });
    } catch (err) {
      const code = statusOf(err);
      if (code === 404 || code === 409) return;
      throw err;
    }
    await container.wait({ condition: 'not-running' }).catch(() => undefined);
  }

  private async inspect(id: string): Promise<Dockerode.ContainerInspectInfo | undefined> {
    try {
      return await this.docker.getContainer(id).inspect();
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  private async inspectSandbox(id: string): Promise<Dockerode.ContainerInspectInfo | undefined> {
    const info = await this.inspect(id);
    return info && isOurs(info, this.nodeName, 'podsandbox') ? info : undefined;
  }

  /** One filtered list, then an inspect of each (lists lack exit codes and precise times). */
  private async inspectListed(
    type: 'podsandbox' | 'container',
    id: string | undefined,
    podUid: string | undefined,
    labels: Record<string, string> | undefined,
    extra: Record<string, string[]>,
  ): Promise<Dockerode.ContainerInspectInfo[]> {
    const label = [`${labelNode}=${this.nodeName}`, `${labelType}=${type}`, ...(extra.label ?? [])];
    if (podUid) label.push(`${labelPodUid}=${podUid}`);
    for (const [k, v] of Object.entries(labels ?? {})) label.push(`${k}=${v}`);
    const filters: Record<string, string[]> = { ...extra, label };
    if (id) filters.id = [id];
    const listed = await this.docker.listContainers({ all: true, filters });
    const out: Dockerode.ContainerInspectInfo[] = [];
    for (let i = 0; i < listed.length; i += listConcurrency) {
      const batch = await Promise.all(listed.slice(i, i + listConcurrency).map((c) => this.inspect(c.Id)));
      for (const info of batch) if (info) out.push(info);
    }
    return out;
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

function messageOf(err: unknown): string {
  const json = (err as { json?: { message?: string } }).json;
  return json?.message ?? (err as Error).message;
}

export async function createDockerRuntime(options: DockerRuntimeOptions): Promise<DockerRuntime> {
  const runtime = new DockerRuntime(options);
  await runtime.start();
  return runtime;
}
