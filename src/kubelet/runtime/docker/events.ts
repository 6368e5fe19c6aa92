// Container lifecycle events from Docker's event stream (filtered to this node's label), translated
// to runtime events. When the stream breaks the follower reconnects with back-off and re-syncs with
// one list: it compares what it last knew of every container with what the list says and emits the
// transitions it missed (marked `resynced`). No periodic listing.
import type Dockerode from 'dockerode';
import type { Clock } from '../../../util/clock.js';
import type { Logger } from '../../../util/log.js';
import { attemptOf } from '../labels.js';
import {
  labelContainerName,
  labelNode,
  labelPodUid,
  labelSandboxId,
  labelType,
  type RuntimeEvent,
  type RuntimeEventType,
} from '../types.js';

type Known = 'created' | 'running' | 'exited';

interface DockerEventMessage {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

const actions: Record<string, RuntimeEventType> = {
  create: 'created',
  start: 'started',
  die: 'died',
  oom: 'oom',
  destroy: 'removed',
};

export interface DockerEventsOptions {
  docker: Dockerode;
  nodeName: string;
  clock: Clock;
  logger: Logger;
  emit: (event: RuntimeEvent) => void;
  /** First reconnect delay; doubles up to 30 s while Docker stays away. */
  reconnectDelayMs: number;
}

export class DockerEvents {
  private readonly known = new Map<string, { state: Known; labels: Record<string, string> }>();
  private stream: NodeJS.ReadableStream | undefined;
  private closed = false;
  private delayMs: number;
  private reconnectTimer: { cancel(): void } | undefined;

  constructor(private readonly options: DockerEventsOptions) {
    this.delayMs = options.reconnectDelayMs;
  }

  /** Connects, then records the current containers (no events for them). */
  async start(): Promise<void> {
    await this.connect();
    await this.resync(false);
  }

  close(): void {
    this.closed = true;
    this.reconnectTimer?.cancel();
    (this.stream as unknown as { destroy?: () => void })?.destroy?.();
    this.stream = undefined;
  }

  private async connect(): Promise<void> {
    const stream = await this.options.docker.getEvents({
      filters: {
        type: ['container'],
        label: [`${labelNode}=${this.options.nodeName}`],
        event: Object.keys(actions),
      },
    });
    if (this.closed) {
      (stream as unknown as { destroy(): void }).destroy();
      return;
    }
    this.stream = stream;
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line) this.onMessage(line);
        nl = pending.indexOf('\n');
      }
    });
    let lost = false;
    const onLost = (err?: unknown) => {
      if (lost || this.closed) return;
      lost = true;
      this.options.logger.warn({ err }, 'docker event stream lost; reconnecting');
      this.scheduleReconnect();
    };
    stream.once('end', () => onLost());
    stream.once('close', () => onLost());
    stream.once('error', (err) => onLost(err));
  }

  private scheduleReconnect(): void {
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, 30_000);
    this.reconnectTimer = this.options.clock.setTimeout(async () => {
      if (this.closed) return;
      try {
        await this.connect();
        await this.resync(true);
        this.delayMs = this.options.reconnectDelayMs;
      } catch (err) {
        this.options.logger.warn({ err, delayMs: this.delayMs }, 'docker event stream reconnect failed');
        (this.stream as unknown as { destroy?: () => void })?.destroy?.();
        if (!this.closed) this.scheduleReconnect();
      }
    }, delay);
  }

  private onMessage(line: string): void {
    let msg: DockerEventMessage;
    try {
      msg = JSON.parse(line) as DockerEventMessage;
    } catch {
      return;
    }
    const type = actions[msg.Action ?? ''];
    const id = msg.Actor?.ID;
    if (!type || !id) return;
    const attributes = msg.Actor?.Attributes ?? {};
    const at = msg.timeNano
      ? Math.floor(msg.timeNano / 1e6)
      : (msg.time ?? 0) * 1000 || this.options.clock.now();
    this.track(id, type, attributes);
    const exitCode =
      type === 'died' && attributes.exitCode !== undefined ? Number(attributes.exitCode) : undefined;
    this.options.emit(eventOf(type, id, attributes, at, exitCode));
  }

  private track(id: string, type: RuntimeEventType, labels: Record<string, string>): void {
    if (type === 'removed') this.known.delete(id);
    else if (type === 'created') this.known.set(id, { state: 'created', labels });
    else if (type === 'started') this.known.set(id, { state: 'running', labels });
    else if (type === 'died') this.known.set(id, { state: 'exited', labels });
  }

  /** One list of this node's containers; with `emit`, the transitions missed since the last event. */
  private async resync(emit: boolean): Promise<void> {
    const listed = await this.options.docker.listContainers({
      all: true,
      filters: { label: [`${labelNode}=${this.options.nodeName}`] },
    });
    const now = this.options.clock.now();
    const seen = new Set<string>();
    for (const c of listed) {
      seen.add(c.Id);
      const state: Known = c.State === 'running' ? 'running' : c.State === 'created' ? 'created' : 'exited';
      const before = this.known.get(c.Id)?.state;
      this.known.set(c.Id, { state, labels: c.Labels });
      if (!emit || before === state) continue;
      const missed: RuntimeEventType[] = [];
      if (!before) missed.push('created');
      if (state === 'running') missed.push('started');
      if (state === 'exited') missed.push('died');
      for (const type of missed) this.options.emit({ ...eventOf(type, c.Id, c.Labels, now), resynced: true });
    }
    for (const [id, k] of this.known) {
      if (seen.has(id)) continue;
      this.known.delete(id);
      if (emit) this.options.emit({ ...eventOf('removed', id, k.labels, now), resynced: true });
    }
  }
}

function eventOf(
  type: RuntimeEventType,
  id: string,
  labels: Record<string, string>,
  at: number,
  exitCode?: number,
): RuntimeEvent {
  const isSandbox = labels[labelType] === 'podsandbox';
  return {
    type,
    containerId: id,
    sandboxId: isSandbox ? id : (labels[labelSandboxId] ?? ''),
    isSandbox,
    podUid: labels[labelPodUid] ?? '',
    containerName: labels[labelContainerName] ?? '',
    attempt: attemptOf(labels),
    ...(exitCode !== undefined && Number.isFinite(exitCode) ? { exitCode } : {}),
    at,
  };
}
