// Registers the kubelet's Node and keeps it alive, as Kubernetes' kubelet does since node Leases
// (KEP-589): creates the Node (or reconciles an existing one); every heartbeat period renews the node
// Lease in kube-node-lease (the heartbeat the node lifecycle controller reads) and writes the Node
// status only when it differs from what the API holds (someone marked the node Unknown, capacity or
// addresses changed…) or when the report period has passed since the last write. It registers again
// when the Node is deleted (a watch on this one Node) or a status write finds it gone.
import type { Node } from '../../api/types.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import { createInformer, type Informer } from '../../client/informer.js';
import type { KubeClient } from '../../client/rest.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/log.js';
import type { KubeletEvents } from '../events.js';
import type { KubeletMetrics } from '../metrics.js';
import { NodeLease } from './node-lease.js';
import { type NodeFacts, nodeLabels, nodeObject, nodeStatus, nodeStatusChanged } from './node-status.js';

export interface NodeAgentOptions {
  client: KubeClient;
  facts: NodeFacts;
  clock: Clock;
  logger: Logger;
  events: KubeletEvents;
  metrics: KubeletMetrics;
  /** Lease renewal (and status check) period: Kubernetes' nodeStatusUpdateFrequency. */
  heartbeatPeriodMs: number;
  /** An unchanged status is still written this often: Kubernetes' nodeStatusReportFrequency. */
  statusReportPeriodMs: number;
}

export class NodeAgent {
  private node: Node | undefined;
  private timer: TimerHandle | undefined;
  private informer: Informer<Node> | undefined;
  private lastFullReport = 0;
  private closed = false;
  private registering: Promise<Node> | undefined;
  private readonly lease: NodeLease;

  constructor(private readonly o: NodeAgentOptions) {
    this.lease = new NodeLease(o.client, o.facts.nodeName);
  }

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

  /** The newest Node known: the watched one or the answer of our last write. */
  private latestNode(): Node | undefined {
    const watched = this.informer?.store.get(this.o.facts.nodeName);
    const written = this.node;
    if (!watched || !written) return watched ?? written;
    return Number(watched.metadata.resourceVersion) >= Number(written.metadata.resourceVersion)
      ? watched
      : written;
  }

  /** One heartbeat: renew the Lease, then write the status if it changed or is due (exposed for tests). */
  async heartbeat(): Promise<void> {
    const { clock, logger, metrics } = this.o;
    const now = clock.now();
    const end = metrics.heartbeatDuration.startTimer();
    try {
      await this.lease.renew(now, this.latestNode());
      metrics.heartbeats.inc({ result: 'ok' });
    } catch (err) {
      metrics.heartbeats.inc({ result: 'error' });
      logger.warn({ err }, 'node lease renewal failed');
    } finally {
      end();
    }
    await this.syncStatus(now);
  }

  private async syncStatus(now: number): Promise<void> {
    const { client, facts, logger, metrics } = this.o;
    const current = this.latestNode();
    const desired = nodeStatus(facts, current?.status, now);
    const due = now - this.lastFullReport >= this.o.statusReportPeriodMs;
    if (!due && !nodeStatusChanged(current?.status, desired)) return;
    try {
      this.node = await client.nodes.patch(
        facts.nodeName,
        'merge',
        { status: desired },
        { subresource: 'status' },
      );
      this.lastFullReport = now;
      metrics.nodeStatusWrites.inc({ result: 'ok' });
    } catch (err) {
      metrics.nodeStatusWrites.inc({ result: 'error' });
      if (isNotFound(err) && !this.closed) {
        logger.warn('node object gone at status update; registering again');
        await this.register().catch((e) => logger.error({ err: e }, 'node registration failed'));
      } else logger.warn({ err }, 'node status update failed');
    }
  }
}
