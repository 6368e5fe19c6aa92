// The kubelet's options: one typed object with defaults, validated when the kubelet is made.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventRecorder } from '../client/events.js';
import type { KubeClient } from '../client/rest.js';
import { createRegistry, type Registry } from '../metrics/registry.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/log.js';
import { type BackoffPolicy, defaultRestartBackoff } from './pod/crash-backoff.js';
import type { Runtime } from './runtime/types.js';
import type { KubeletServerOptions, KubeletServingTls } from './server/kubelet-server.js';

export interface KubeletOptions {
  client: KubeClient;
  nodeName: string;
  runtime: Runtime;
  /** The node's address: InternalIP, pods' hostIP, where the kubelet API listens. Default 127.0.0.1. */
  nodeAddress?: string;
  /** Kubelet API port (0 = any free port). Default 10250. */
  port?: number;
  /** Node Lease renewal period (the heartbeat), also when the status is checked for changes. Default 10 000. */
  heartbeatPeriodMs?: number;
  /** An unchanged node status is still written this often (nodeStatusReportFrequency). Default 300 000. */
  nodeStatusReportMs?: number;
  /** Crash-loop back-off. Default 10 s doubling to 5 min, reset after 10 min. */
  restartBackoff?: Partial<BackoffPolicy>;
  /** Retries of missing images and failed sandbox/container creation. Default as restartBackoff. */
  failureBackoff?: Partial<BackoffPolicy>;
  /** spec.podCIDR of the Node (informational; the runtime allocates pod IPs). */
  podCidr?: string;
  /** capacity.pods. Default 110. */
  maxPods?: number;
  /** Pods syncing at once. Default 32. */
  maxConcurrentSyncs?: number;
  /** Grace period for containers of pods the API no longer knows (found at start-up). Default 2000. */
  orphanGracePeriodMs?: number;
  /** Extra Node labels. */
  nodeLabels?: Record<string, string>;
  /** Serve the kubelet API over HTTPS (default plain HTTP). */
  tls?: KubeletServingTls;
  /** Who may call the kubelet API (default everyone); see src/pki/kubelet-access.ts. */
  authorizeApi?: KubeletServerOptions['authorize'];
  /** Where emptyDir volumes live. Default <tmpdir>/kubelite-kubelet/<nodeName>. */
  rootDir?: string;
  /** Wrap the runtime with kubelet_runtime_operations_* metrics. Default true. */
  instrumentRuntime?: boolean;
  /** Where Events go; default a recorder on `client` (component "kubelet", host = node name). */
  recorder?: EventRecorder;
  clock?: Clock;
  logger?: Logger;
  registry?: Registry;
}

export type ResolvedOptions = Required<
  Omit<
    KubeletOptions,
    'podCidr' | 'nodeLabels' | 'recorder' | 'restartBackoff' | 'failureBackoff' | 'tls' | 'authorizeApi'
  >
> &
  Pick<KubeletOptions, 'podCidr' | 'nodeLabels' | 'recorder' | 'tls' | 'authorizeApi'> & {
    restartBackoff: BackoffPolicy;
    failureBackoff: BackoffPolicy;
  };

function positive(name: string, value: number, min = 1): number {
  if (!Number.isFinite(value) || value < min)
    throw new TypeError(`kubelet: ${name} must be ≥ ${min}, got ${value}`);
  return value;
}

function backoff(
  name: string,
  given: Partial<BackoffPolicy> | undefined,
  base: BackoffPolicy,
): BackoffPolicy {
  const policy = { ...base, ...given };
  positive(`${name}.initialMs`, policy.initialMs);
  positive(`${name}.maxMs`, policy.maxMs, policy.initialMs);
  positive(`${name}.resetAfterMs`, policy.resetAfterMs);
  return policy;
}

export function resolveOptions(o: KubeletOptions): ResolvedOptions {
  if (!o.nodeName) throw new TypeError('kubelet: nodeName is required');
  const port = o.port ?? 10250;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`kubelet: bad port ${port}`);
  const restart = backoff('restartBackoff', o.restartBackoff, defaultRestartBackoff);
  return {
    client: o.client,
    nodeName: o.nodeName,
    runtime: o.runtime,
    nodeAddress: o.nodeAddress ?? '127.0.0.1',
    port,
    heartbeatPeriodMs: positive('heartbeatPeriodMs', o.heartbeatPeriodMs ?? 10_000, 10),
    nodeStatusReportMs: positive('nodeStatusReportMs', o.nodeStatusReportMs ?? 300_000, 10),
    restartBackoff: restart,
    failureBackoff: backoff('failureBackoff', o.failureBackoff, restart),
    podCidr: o.podCidr,
    maxPods: positive('maxPods', o.maxPods ?? 110),
    maxConcurrentSyncs: positive('maxConcurrentSyncs', o.maxConcurrentSyncs ?? 32),
    orphanGracePeriodMs: positive('orphanGracePeriodMs', o.orphanGracePeriodMs ?? 2000, 0),
    nodeLabels: o.nodeLabels,
    tls: o.tls,
    authorizeApi: o.authorizeApi,
    rootDir: o.rootDir ?? join(tmpdir(), 'kubelite-kubelet', o.nodeName),
    instrumentRuntime: o.instrumentRuntime ?? true,
    recorder: o.recorder,
    clock: o.clock ?? systemClock,
    logger: o.logger ?? silentLogger,
    registry: o.registry ?? createRegistry({ component: 'kubelet' }),
  };
}
