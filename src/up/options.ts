// `kubelite up` options: one typed object with defaults, checked once at start-up. The CLI
// (src/cmd/up.ts) fills it from flags and KUBELITE_* variables; tests fill it directly.

import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BackoffOptions } from '../client/backoff.js';

export type RuntimeKind = 'docker' | 'process' | 'fake';
export type ComponentKind = 'apiserver' | 'scheduler' | 'controller-manager' | 'kubelet' | 'proxy';
export const componentKinds: readonly ComponentKind[] = [
  'apiserver',
  'scheduler',
  'controller-manager',
  'kubelet',
  'proxy',
];
export type ProxyMode = 'tcp' | 'http' | 'kernel';

export const runtimeKinds: readonly RuntimeKind[] = ['docker', 'process', 'fake'];
export const proxyModes: readonly ProxyMode[] = ['tcp', 'http', 'kernel'];

export interface UpOptions {
  /** Everything the cluster keeps: store, logs, kubeconfig, node state. Default ~/.kubelite. */
  dataDir?: string;
  /** Nodes (kubelet + proxy pairs) on this machine: node-1 … node-N. Default 1; 0 runs a master only. */
  nodes?: number;
  /** The apiserver's port. Default 8080 (kubectl's fallback server). 0: free ports for every component. */
  port?: number;
  /** Storage URL for the apiserver. Default embedded://<dataDir>/store. */
  storage?: string;
  /** Container runtime of every kubelet; 'auto' = docker when a Docker daemon answers, else process. */
  runtime?: RuntimeKind | 'auto';
  /** The proxies' data path. Default tcp. */
  proxyMode?: ProxyMode;
  /** Log level of every component. Default info. */
  logLevel?: string;
  /** Node names are `<prefix>-<n>`. Default "node". Two clusters on one Docker daemon need different prefixes. */
  nodeNamePrefix?: string;
  /** Node N gets the loopback address <nodeAddressBase>.N. Default 127.0.1. */
  nodeAddressBase?: string;
  /** Service cluster IPs (passed to the apiserver); default the apiserver's own (127.10.0.0/16). */
  serviceClusterIpRange?: string;
  /** Per component on stop: SIGTERM, then SIGKILL after this long. Default 10 s. */
  stopTimeoutMs?: number;
  /** How long the apiserver may take to answer /readyz before `up` gives up. Default 120 s. */
  startTimeoutMs?: number;
  /** Restart delays of components that exit unexpectedly. Default 1 s doubling to 30 s, jitter 0.2. */
  restartBackoff?: BackoffOptions;
  /** A run at least this long resets the restart back-off. Default 30 s. */
  stableRunMs?: number;
  /** Docker socket probed by runtime 'auto'. Default /var/run/docker.sock. */
  dockerSocket?: string;
  /** Node arguments that start the `kubelite` CLI for each component (before the subcommand). Default: defaultEntryArgs(). */
  entryArgs?: readonly string[];
  /**
   * More flags per component, appended after up's own (so they win), as `--flag=value` or
   * `flag=value` (k3s's `--kubelet-arg`): e.g. { 'controller-manager': ['node-monitor-grace-period=5s'] }.
   */
  componentArgs?: Partial<Record<ComponentKind, readonly string[]>>;
  /**
   * Plain HTTP and no authentication anywhere (benchmarks, debugging). Default false: TLS with a
   * cluster CA, client certificates for every component and the admin, Node+RBAC (docs/security.md).
   */
  insecure?: boolean;
}

export interface ResolvedUpOptions {
  dataDir: string;
  nodes: number;
  port: number;
  storage: string;
  runtime: RuntimeKind | 'auto';
  proxyMode: ProxyMode;
  logLevel: string;
  nodeNamePrefix: string;
  nodeAddressBase: string;
  serviceClusterIpRange: string | undefined;
  stopTimeoutMs: number;
  startTimeoutMs: number;
  restartBackoff: BackoffOptions;
  stableRunMs: number;
  dockerSocket: string;
  entryArgs: string[];
  /** Normalized to `--flag=value` / `--flag`. */
  componentArgs: Record<ComponentKind, string[]>;
  insecure: boolean;
}

/** `flag=value`, `--flag=value`, `flag` → `--flag=value`, `--flag`. */
export function normalizeComponentArg(arg: string): string {
  const trimmed = arg.trim();
  return trimmed.startsWith('-') ? trimmed : `--${trimmed}`;
}

export function defaultDataDir(): string {
  return join(homedir(), '.kubelite');
}

/**
 * How the components are started: the CLI of the code that runs this module. From the TypeScript
 * sources (tsx), src/cmd/kubelite.ts through tsx's loader; from dist/, dist/cmd/kubelite.js. So a
 * checkout with a stale dist/ never mixes the two, whichever way `kubelite up` itself was started.
 */
export function defaultEntryArgs(): string[] {
  const here = fileURLToPath(import.meta.url);
  if (extname(here) === '.ts') {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    return ['--import', tsx, resolve(dirname(here), '..', 'cmd', 'kubelite.ts')];
  }
  return [resolve(dirname(here), '..', 'cmd', 'kubelite.js')];
}

const levels = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

export function resolveUpOptions(options: UpOptions = {}): ResolvedUpOptions {
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  const resolved: ResolvedUpOptions = {
    dataDir,
    nodes: options.nodes ?? 1,
    port: options.port ?? 8080,
    storage: options.storage ?? `embedded://${join(dataDir, 'store')}`,
    runtime: options.runtime ?? 'auto',
    proxyMode: options.proxyMode ?? 'tcp',
    logLevel: options.logLevel ?? 'info',
    nodeNamePrefix: options.nodeNamePrefix ?? 'node',
    nodeAddressBase: options.nodeAddressBase ?? '127.0.1',
    serviceClusterIpRange: options.serviceClusterIpRange,
    stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
    startTimeoutMs: options.startTimeoutMs ?? 120_000,
    restartBackoff: { initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.2, ...options.restartBackoff },
    stableRunMs: options.stableRunMs ?? 30_000,
    dockerSocket: options.dockerSocket ?? '/var/run/docker.sock',
    entryArgs: [...(options.entryArgs ?? defaultEntryArgs())],
    componentArgs: Object.fromEntries(
      componentKinds.map((k) => [k, (options.componentArgs?.[k] ?? []).map(normalizeComponentArg)]),
    ) as Record<ComponentKind, string[]>,
    insecure: options.insecure ?? false,
  };
  const problems: string[] = [];
  if (!Number.isInteger(resolved.nodes) || resolved.nodes < 0 || resolved.nodes > 254) {
    problems.push(`nodes must be an integer from 0 to 254, got ${resolved.nodes}`);
  }
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    problems.push(`port must be an integer from 0 to 65535, got ${resolved.port}`);
  }
  if (resolved.runtime !== 'auto' && !runtimeKinds.includes(resolved.runtime)) {
    problems.push(`runtime must be auto, ${runtimeKinds.join(', ')}; got "${resolved.runtime}"`);
  }
  if (!proxyModes.includes(resolved.proxyMode)) {
    problems.push(`proxy mode must be one of ${proxyModes.join(', ')}; got "${resolved.proxyMode}"`);
  }
  if (!levels.has(resolved.logLevel)) {
    problems.push(`log level must be one of ${[...levels].join(', ')}; got "${resolved.logLevel}"`);
  }
  if (
    !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(resolved.nodeNamePrefix) ||
    resolved.nodeNamePrefix.length > 50
  ) {
    problems.push(`node name prefix must be a DNS label (a-z, 0-9, -), got "${resolved.nodeNamePrefix}"`);
  }
  if (!/^127\.\d{1,3}\.\d{1,3}$/.test(resolved.nodeAddressBase)) {
    problems.push(
      `node address base must be three loopback octets like 127.0.1, got "${resolved.nodeAddressBase}"`,
    );
  }
  if (problems.length > 0) throw new Error(`kubelite up: ${problems.join('; ')}`);
  return resolved;
}
