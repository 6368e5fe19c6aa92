// A hollow-node host: one process running many real kubelets (createKubelet from src/kubelet) over
// the `fake` runtime, as Kubernetes' kubemark does. The kubelets share one API client (one
// keep-alive pool for requests, streams on their own connections) but each has its own pod watch
// (fieldSelector spec.nodeName), Node watch, heartbeats, status manager and kubelet HTTP port.
// Started by bench/cluster-scale.ts over IPC:
//   node --import tsx bench/lib/hollow-node-host.ts   (HostConfig as JSON in KUBELITE_HOLLOW_HOST)
// It starts its kubelets in batches (so registration is not one thundering herd), reports progress,
// answers memory requests, and stops them all on {type:'stop'}, SIGTERM or when the parent goes.
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { createClient } from '../../src/client/rest.js';
import { createKubelet, type Kubelet } from '../../src/kubelet/index.js';
import { createFakeRuntime } from '../../src/kubelet/runtime/fake/index.js';
import { createLogger } from '../../src/util/log.js';

export interface HostConfig {
  server: string;
  /** Nodes <prefix><first> … <prefix><first + count - 1>. */
  nodeNamePrefix: string;
  firstNode: number;
  nodeCount: number;
  /** Index of this host, for distinct pod CIDRs per node. */
  hostIndex: number;
  heartbeatPeriodMs: number;
  /** Keep-alive connections of the shared client for ordinary requests. */
  connections: number;
  /** Kubelets registering at once. */
  startBatch: number;
  maxPods: number;
  /** The kubelets' root dirs go below (removed by the benchmark, also when a host is killed). */
  rootDir: string;
}

export type HostMessage =
  | { type: 'progress'; started: number; failed: number; lastError?: string }
  | { type: 'memory'; rssBytes: number; heapUsedBytes: number; externalBytes: number; kubelets: number }
  | { type: 'stopped' };

export type ParentMessage = { type: 'memory' } | { type: 'stop' };

const config = JSON.parse(process.env.KUBELITE_HOLLOW_HOST ?? '{}') as HostConfig;
const nodeNames = Array.from(
  { length: config.nodeCount },
  (_, i) => `${config.nodeNamePrefix}${config.firstNode + i}`,
);
const send = (m: HostMessage) => process.send?.(m);
// Warnings go to stderr, which the benchmark keeps in a log: failed heartbeats and syncs are how
// an overloaded apiserver shows first.
const logger = createLogger({ component: 'hollow-node', level: 'warn' });
const client = createClient({
  server: config.server,
  connections: config.connections,
  watchIdleTimeoutMs: 600_000,
});
const rootDir = config.rootDir;
const stop = new AbortController();
// Every kubelet of the host listens on this one signal, by design.
setMaxListeners(nodeNames.length * 4 + 10, stop.signal);
const kubelets: Kubelet[] = [];
const runs: Promise<void>[] = [];
let started = 0;
let failed = 0;
let lastError: string | undefined;

/** Each node its own /24 from 10.(64 + host).x.0 so that fake pod IPs do not repeat within a host. */
function podCidr(index: number): string {
  return `10.${64 + (config.hostIndex % 160)}.${index % 256}.0/24`;
}

async function startOne(nodeName: string, index: number): Promise<void> {
  const runtime = createFakeRuntime({ nodeName, podCidr: podCidr(index), recordCalls: false });
  const kubelet = createKubelet({
    client,
    nodeName,
    runtime,
    nodeAddress: '127.0.0.1',
    port: 0,
    // Heartbeats are node Lease renewals; the Node status is written when it changes and every
    // 5 min (nodeStatusReportMs left at Kubernetes' default, like a real kubelet).
    heartbeatPeriodMs: config.heartbeatPeriodMs,
    maxPods: config.maxPods,
    rootDir: join(rootDir, nodeName),
    logger: logger.child({ node: nodeName }),
  });
  kubelets.push(kubelet);
  runs.push(
    kubelet.run(stop.signal).catch((err: unknown) => {
      lastError = `${nodeName}: ${err instanceof Error ? err.message : String(err)}`;
    }),
  );
  try {
    await kubelet.started();
    started++;
  } catch (err) {
    failed++;
    lastError = `${nodeName}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function startAll(): Promise<void> {
  for (let i = 0; i < nodeNames.length && !stop.signal.aborted; i += config.startBatch) {
    const batch = nodeNames.slice(i, i + config.startBatch);
    await Promise.all(batch.map((name, j) => startOne(name, i + j)));
    send({ type: 'progress', started, failed, lastError });
  }
}

let stopping: Promise<void> | undefined;
function shutdown(): Promise<void> {
  stopping ??= (async () => {
    stop.abort();
    await Promise.allSettled(runs);
    await Promise.allSettled(kubelets.map((k) => k.runtime.close()));
    await client.close();
    send({ type: 'stopped' });
    process.disconnect?.();
  })();
  return stopping;
}

process.on('message', (m: ParentMessage) => {
  if (m.type === 'memory') {
    const mem = process.memoryUsage();
    send({
      type: 'memory',
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      externalBytes: mem.external,
      kubelets: started,
    });
  } else if (m.type === 'stop') void shutdown().then(() => process.exit(0));
});
process.on('disconnect', () => void shutdown().then(() => process.exit(0)));
process.on('SIGTERM', () => void shutdown().then(() => process.exit(0)));

await startAll();
