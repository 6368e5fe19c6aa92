// The apiserver's options: one typed object, defaults filled and checked once at start-up.
import { isIP } from 'node:net';
import type { Registry } from 'prom-client';
import { createRegistry } from '../metrics/registry.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/log.js';
import type { AuthenticationOptions, AuthorizationMode, ServingTls } from './auth/index.js';
import type { KubeletClientTls } from './auth/kubelet-client.js';
import type { LimitOptions } from './limits/limits.js';
import type { Stage } from './pipeline.js';
import type { Storage } from './storage/types.js';

export interface ApiServerOptions {
  /** A Storage instance (the caller owns and closes it) or a storage URL opened with openStorage(). */
  storage: Storage | string;
  /** When storage is a URL: compact its history this often (Kubernetes: 5 min); 0 disables. */
  compactionIntervalMs?: number;
  /** Bind address; default 127.0.0.1. */
  host?: string;
  /**
   * Where pods reach this apiserver: the address in the `default/kubernetes` Endpoints. Default the
   * bind address when it is a concrete IP, else 127.0.0.1.
   */
  advertiseAddress?: string;
  /** The `default/kubernetes` reconcile and apiserver lease renewal period; default 10 s (Kubernetes'). */
  endpointReconcileIntervalMs?: number;
  /** An apiserver whose lease is not renewed this long leaves those Endpoints; default 15 s (Kubernetes'). */
  masterLeaseTtlMs?: number;
  /** Port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Serve HTTPS with this certificate (and verify client certificates against its clientCA). Default: plain HTTP. */
  tls?: ServingTls;
  /** Authenticate every request (client certificates, bearer tokens); absent: no authentication, all allowed. */
  authentication?: AuthenticationOptions;
  /** Authorizers in order; default Node,RBAC with authentication, AlwaysAllow without. */
  authorizationModes?: readonly AuthorizationMode[];
  /** In-flight, timeout and watch limits (docs/security.md). */
  limits?: LimitOptions;
  /** Larger request heads get 431; default 16 KiB (Node's default). */
  maxHeaderBytes?: number;
  /** Pod logs: the client certificate and CA the apiserver uses towards kubelets over https. */
  kubeletClientTls?: KubeletClientTls;
  /** CIDR that service cluster IPs come from; default a loopback range (DESIGN.md "Networking"). */
  serviceClusterIPRange?: string;
  /** Inclusive node port range "min-max"; default 30000-32767. */
  serviceNodePortRange?: string;
  /** Events are deleted this long after their last write; default one hour. */
  eventTtlMs?: number;
  /** Larger request bodies are refused with 413; default 3 MiB (Kubernetes' limit). */
  maxRequestBodyBytes?: number;
  /** Watch events retained per resource for resuming watches; older resourceVersions get 410. */
  watchCacheCapacity?: number;
  /** A watcher whose unsent bytes exceed this is closed (it relists); default 8 MiB. */
  maxWatcherBufferBytes?: number;
  /** Idle watches that allow bookmarks get one at least this often; default 10 s (client-node gives up at 30 s). */
  bookmarkIntervalMs?: number;
  /** Server-side watch timeout when the client gives none: a random value in [min, 2·min); default 30 min. */
  minWatchTimeoutMs?: number;
  /** How long a list or watch waits for the cache to reach a requested resourceVersion; default 3 s. */
  cacheWaitTimeoutMs?: number;
  /** Pod logs: how the apiserver reaches a kubelet (scheme of the kubelet's HTTP API). */
  kubeletScheme?: 'http' | 'https';
  /** Pod logs: timeout for connecting to the kubelet; default 5 s. */
  kubeletConnectTimeoutMs?: number;
  /** Give every port of every ClusterIP service a node port too (DESIGN "Networking"); default false. */
  nodePortsForAllServices?: boolean;
  /** Extra request pipeline stages run before dispatch (authentication, authorization, rate limits). */
  stages?: readonly Stage[];
  clock?: Clock;
  logger?: Logger;
  /** Metrics go here; default a fresh registry for component "apiserver". */
  metricsRegistry?: Registry;
}

export interface ResolvedOptions {
  storage: Storage | string;
  compactionIntervalMs: number;
  host: string;
  port: number;
  advertiseAddress: string;
  endpointReconcileIntervalMs: number;
  masterLeaseTtlMs: number;
  serviceClusterIPRange: string;
  serviceNodePortRange: { min: number; max: number };
  eventTtlMs: number;
  maxRequestBodyBytes: number;
  watchCacheCapacity: number;
  maxWatcherBufferBytes: number;
  bookmarkIntervalMs: number;
  minWatchTimeoutMs: number;
  cacheWaitTimeoutMs: number;
  kubeletScheme: 'http' | 'https';
  kubeletConnectTimeoutMs: number;
  nodePortsForAllServices: boolean;
  tls: ServingTls | undefined;
  authentication: AuthenticationOptions | undefined;
  authorizationModes: readonly AuthorizationMode[] | undefined;
  limits: LimitOptions;
  maxHeaderBytes: number;
  kubeletClientTls: ApiServerOptions['kubeletClientTls'];
  clock: Clock;
  logger: Logger;
  metricsRegistry: Registry;
}

export const defaultServiceClusterIPRange = '127.10.0.0/16';

export function resolveOptions(options: ApiServerOptions): ResolvedOptions {
  const host = options.host ?? '127.0.0.1';
  const resolved: ResolvedOptions = {
    storage: options.storage,
    compactionIntervalMs: options.compactionIntervalMs ?? 5 * 60_000,
    host,
    port: options.port ?? 8080,
    advertiseAddress: options.advertiseAddress || defaultAdvertiseAddress(host),
    endpointReconcileIntervalMs: options.endpointReconcileIntervalMs ?? 10_000,
    masterLeaseTtlMs: options.masterLeaseTtlMs ?? 15_000,
    serviceClusterIPRange: options.serviceClusterIPRange ?? defaultServiceClusterIPRange,
    serviceNodePortRange: parsePortRange(options.serviceNodePortRange ?? '30000-32767'),
    eventTtlMs: options.eventTtlMs ?? 60 * 60 * 1000,
    maxRequestBodyBytes: options.maxRequestBodyBytes ?? 3 * 1024 * 1024,
    watchCacheCapacity: options.watchCacheCapacity ?? 10_000,
    maxWatcherBufferBytes: options.maxWatcherBufferBytes ?? 8 * 1024 * 1024,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 10_000,
    minWatchTimeoutMs: options.minWatchTimeoutMs ?? 30 * 60 * 1000,
    cacheWaitTimeoutMs: options.cacheWaitTimeoutMs ?? 3_000,
    kubeletScheme: options.kubeletScheme ?? (options.kubeletClientTls ? 'https' : 'http'),
    kubeletConnectTimeoutMs: options.kubeletConnectTimeoutMs ?? 5_000,
    nodePortsForAllServices: options.nodePortsForAllServices ?? false,
    tls: options.tls,
    authentication: options.authentication,
    authorizationModes: options.authorizationModes,
    limits: options.limits ?? {},
    maxHeaderBytes: options.maxHeaderBytes ?? 16 * 1024,
    kubeletClientTls: options.kubeletClientTls,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
    metricsRegistry: options.metricsRegistry ?? createRegistry({ component: 'apiserver' }),
  };
  const positive: Array<keyof ResolvedOptions> = [
    'eventTtlMs',
    'maxRequestBodyBytes',
    'watchCacheCapacity',
    'maxWatcherBufferBytes',
    'bookmarkIntervalMs',
    'minWatchTimeoutMs',
    'cacheWaitTimeoutMs',
    'kubeletConnectTimeoutMs',
    'maxHeaderBytes',
    'endpointReconcileIntervalMs',
    'masterLeaseTtlMs',
  ];
  for (const key of positive) {
    const value = resolved[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new Error(`apiserver option ${key} must be a positive number, got ${String(value)}`);
    }
  }
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    throw new Error(`apiserver option port must be 0-65535, got ${resolved.port}`);
  }
  if (!isConcreteIP(resolved.advertiseAddress)) {
    throw new Error(
      `apiserver option advertiseAddress must be an IP address other than 0.0.0.0 or ::, got "${resolved.advertiseAddress}"`,
    );
  }
  if (resolved.masterLeaseTtlMs <= resolved.endpointReconcileIntervalMs) {
    throw new Error('apiserver option masterLeaseTtlMs must be longer than endpointReconcileIntervalMs');
  }
  return resolved;
}

/** An IPv4 or IPv6 address that names one host (not the unspecified 0.0.0.0 or ::). */
function isConcreteIP(text: string): boolean {
  return isIP(text) !== 0 && !/^[0.:]+$/.test(text);
}

/** The bind address when pods can be pointed at it, else loopback. */
export function defaultAdvertiseAddress(host: string): string {
  return isConcreteIP(host) ? host : '127.0.0.1';
}

export function parsePortRange(text: string): { min: number; max: number } {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  const min = m ? Number(m[1]) : Number.NaN;
  const max = m ? Number(m[2]) : Number.NaN;
  if (!(min >= 1 && max <= 65535 && min <= max)) {
    throw new Error(`invalid port range "${text}": want MIN-MAX within 1-65535`);
  }
  return { min, max };
}
