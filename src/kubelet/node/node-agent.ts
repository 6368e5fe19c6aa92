// Registers the kubelet's Node and keeps it alive: creates it (or reconciles an existing one),
// heartbeats every period by a strategic merge patch of the conditions (lastHeartbeatTime), sends the
// whole status now and then, and registers again when the Node is deleted (a watch on this one Node)
// or a heartbeat finds it gone. kubelite's apiserver serves no coordination Leases, so heartbeats
// are node status updates, as in Kubernetes before Leases.
import type { Node } from '../../api/types.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import { createInformer, type Informer } from '../../client/informer.js';
import type { KubeClient } from '../../client/rest.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/log.js';
import type { KubeletEvents } from '../events.js';
import type { KubeletMetrics } from '../metrics.js';
import { heartbeatPatch, type NodeFacts, nodeLabels, nodeObject, nodeStatus } from './node-status.js';

export interface NodeAgentOptions {
  client: KubeClient;
  facts: NodeFacts;
  clock: Clock;
  logger: Logger;
  events: KubeletEvents;
  metrics: KubeletMetrics;
  heartbeatPeriodMs: number;
  /** The full status (capacity, nodeInfo, addresses) is re-sent this often. */
  statusReportPeriodMs: number;
}

export class NodeAgent {
  private node: Node | undefined;
  private timer: TimerHandle | undefined;
  private informer: Informer<Node> | undefined;
  private lastFullReport = 0;
  private closed = false;
  private registering: Promise<Node> | undefined;

  constructor(private readonly o: NodeAgentOptions) {}

  get current(): Node | undefined {
    return this.node;
  }

  /** Creates the Node, or brings an existing one up to date. */
  register(): Promise<Node> {
    this.registering ??= this.doRegister().finally(() => {
      this.registering = undefined;
    });
    return this.registering;
  }

  /** Heartbeats and the deletion watch, until close(). */
  start(signal: AbortSignal): Promise<void> {
    this.schedule();
    this.informer = createInformer(this.o.client, 'nodes', {
      fieldSelector: `metadata.name=${this.o.facts.nodeName}`,
      clock: this.o.clock,
      logger: this.o.logger,
    });
    this.informer.addEventHandler({
      onDelete: () => {
        if (this.closed) return;
        this.o.logger.warn('node object deleted; registering again');
        void this.register().catch((err) => this.o.logger.error({ err }, 'node registration failed'));
      },
    });
    return this.informer.run(signal);
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
  }

  private async doRegister(): Promise<Node> {
    const { client, facts, clock, logger, events } = this.o;
    const now = clock.now();
    let node: Node;
    let wasReady = false;
    try {
      node = await client.nodes.create(nodeObject(facts, now));
      logger.info('node registered');
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await client.nodes.get(facts.nodeName);
      wasReady = existing.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      await client.nodes.patch(facts.nodeName, 'merge', {
        metadata: { labels: nodeLabels(facts) },
        ...(facts.podCidr ? { spec: { podCIDR: facts.podCidr, podCIDRs: [facts.podCidr] } } : {}),
      });
      node = await client.nodes.patch(
        facts.nodeName,
        'merge',
        { status: nodeStatus(facts, existing.status, now) },
        { subresource: 'status' },
      );
      logger.info('node already registered; status updated');
    }
    this.node = node;
    this.lastFullReport = now;
    if (!wasReady) {
      const say = (reason: string) =>
        events.node(node, 'Normal', reason, `Node ${facts.nodeName} status is now: ${reason}`);
      say('NodeHasSufficientMemory');
      say('NodeHasNoDiskPressure');
      say('NodeHasSufficientPID');
      say('NodeReady');
    }
    return node;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = this.o.clock.setTimeout(() => {
      void this.heartbeat().finally(() => this.schedule());
    }, this.o.heartbeatPeriodMs);
  }

  /** One heartbeat (exposed for tests with a fake clock). */
  async heartbeat(): Promise<void> {
    const { client, facts, clock, logger, metrics } = this.o;
    const now = clock.now();
    const end = metrics.heartbeatDuration.startTimer();
    try {
      const previous = this.node?.status;
      const full = now - this.lastFullReport >= this.o.statusReportPeriodMs;
      this.node = full
        ? await client.nodes.patch(
            facts.nodeName,
            'merge',
            { status: nodeStatus(facts, previous, now) },
            { subresource: 'status' },
          )
        : await client.nodes.patch(facts.nodeName, 'strategic', heartbeatPatch(previous?.conditions, now), {
            subresource: 'status',
          });
      if (full) this.lastFullReport = now;
      metrics.heartbeats.inc({ result: 'ok' });
    } catch (err) {
      metrics.heartbeats.inc({ result: 'error' });
      if (isNotFound(err) && !this.closed) {
        logger.warn('node object gone at heartbeat; registering again');
        await this.register().catch((e) => logger.error({ err: e }, 'node registration failed'));
      } else logger.warn({ err }, 'node heartbeat failed');
    } finally {
      end();
    }
  }
}
