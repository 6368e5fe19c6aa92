// The proxier, shaped like Kubernetes' pkg/proxy: informer event handlers for services and endpoints
// record what changed; sync() applies only those changes. A changed service port keeps its listeners
// and gets its endpoint set swapped in one assignment; new ports open listeners (or kernel rules),
// deleted ports close theirs; other services are not touched. Syncs never overlap.
import type { Registry } from 'prom-client';
import type { Endpoints, Service } from '../api/types.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/log.js';
import {
  endpointsChanged,
  listenerChanged,
  type ProxyMode,
  type ServicePortConfig,
  serviceConfigFromApi,
} from './config.js';
import type { KernelRules } from './kernel/rules.js';
import { NativePump } from './l4/native-pump.js';
import { TcpHandler, type TcpOptions } from './l4/tcp-handler.js';
import { defaultHttpOptions, HttpHandler, type HttpOptions } from './l7/http-handler.js';
import { NativeHttpHandler } from './l7/native-http-handler.js';
import { ProxyMetrics } from './metrics.js';
import { type ListenAddress, UserspacePort } from './port.js';

export interface ProxierOptions {
  /** Data path for ports without a `kubelite.io/proxy-mode` annotation. */
  mode?: ProxyMode;
  /** Where node ports are served; node ports are skipped when absent. */
  nodeAddress?: string;
  /** Further addresses where node ports are served (e.g. the Docker bridge gateway). */
  nodePortAddresses?: readonly string[];
  /** Default true. False: cluster IPs are left to another proxy on this machine (node ports only). */
  bindClusterIPs?: boolean;
  registry: Registry;
  clock?: Clock;
  logger?: Logger;
  tcp?: Partial<TcpOptions>;
  http?: Partial<HttpOptions>;
  /** Required for kernel mode; ports asking for kernel mode fall back to tcp without it. */
  kernel?: KernelRules;
  /** Sync automatically (next tick) after changes once both informers reported synced. Default true. */
  autoSync?: boolean;
  /** Delay before retrying ports whose listeners failed to bind. */
  retryPeriodMs?: number;
}

export const defaultTcpOptions: TcpOptions = {
  engine: 'native',
  connectTimeoutMs: 1000,
  maxAttempts: 3,
  idleTimeoutMs: 3_600_000,
  halfOpenTimeoutMs: 60_000,
  pumpThreads: 1,
};

export interface SyncResult {
  opened: string[];
  updated: string[];
  closed: string[];
  failed: Array<{ key: string; error: string }>;
}

interface RunningPort {
  config: ServicePortConfig;
  mode: ProxyMode;
  userspace?: UserspacePort;
  /** Engine choice of a userspace port; a port whose choice changes (affinity, balancing) is restarted. */
  engineKey?: string;
}

function objectKey(meta: { namespace?: string; name?: string }): string {
  return `${meta.namespace ?? 'default'}/${meta.name ?? ''}`;
}

export class Proxier {
  readonly metrics: ProxyMetrics;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly tcpOptions: TcpOptions;
  private readonly httpOptions: HttpOptions;
  private readonly services = new Map<string, Service>();
  private readonly endpoints = new Map<string, Endpoints>();
  private readonly dirty = new Set<string>();
  private readonly running = new Map<string, RunningPort>();
  /** Service key (`ns/name`) → its port keys currently running. */
  private readonly portsOf = new Map<string, Set<string>>();
  private servicesSynced = false;
  private endpointsSynced = false;
  private inFlight: Promise<SyncResult> | undefined;
  private again = false;
  private scheduled = false;
  private closed = false;

  constructor(private readonly options: ProxierOptions) {
    this.metrics = new ProxyMetrics(options.registry);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.tcpOptions = { ...defaultTcpOptions, ...options.tcp };
    this.httpOptions = { ...defaultHttpOptions, ...options.http };
  }

  // ------------------------------------------------------------ event handlers (informer callbacks)

  onServiceAdd(service: Service): void {
    this.services.set(objectKey(service.metadata), service);
    this.changed(objectKey(service.metadata));
  }

  onServiceUpdate(_old: Service, service: Service): void {
    this.onServiceAdd(service);
  }

  onServiceDelete(service: Service): void {
    this.services.delete(objectKey(service.metadata));
    this.changed(objectKey(service.metadata));
  }

  onServiceSynced(): void {
    this.servicesSynced = true;
    this.schedule();
  }

  onEndpointsAdd(endpoints: Endpoints): void {
    this.endpoints.set(objectKey(endpoints.metadata), endpoints);
    this.changed(objectKey(endpoints.metadata));
  }

  onEndpointsUpdate(_old: Endpoints, endpoints: Endpoints): void {
    this.onEndpointsAdd(endpoints);
  }

  onEndpointsDelete(endpoints: Endpoints): void {
    this.endpoints.delete(objectKey(endpoints.metadata));
    this.changed(objectKey(endpoints.metadata));
  }

  onEndpointsSynced(): void {
    this.endpointsSynced = true;
    this.schedule();
  }

  // ------------------------------------------------------------ state

  /** The service ports being served, with the config last applied. */
  ports(): ServicePortConfig[] {
    return [...this.running.values()].map((p) => p.config);
  }

  /** Bound listener addresses of a userspace service port (empty for kernel mode or unknown keys). */
  addresses(portKey: string): ListenAddress[] {
    return this.running.get(portKey)?.userspace?.addresses() ?? [];
  }

  /** The mode a service port actually runs in. */
  modeOf(portKey: string): ProxyMode | undefined {
    return this.running.get(portKey)?.mode;
  }

  // ------------------------------------------------------------ sync

  /** Applies every change recorded since the last sync; concurrent calls share or queue one sync. */
  sync(): Promise<SyncResult> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight.then(() => this.sync());
    }
    const started = performance.now();
    this.inFlight = this.syncChanged().finally(() => {
      this.metrics.syncDuration.observe((performance.now() - started) / 1000);
      this.inFlight = undefined;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    });
    return this.inFlight;
  }

  /**
   * Closes every listener (open connections drain), removes kernel rules and stops syncing. Resolves
   * once the listeners are closed: new connections are refused, the addresses can be bound again.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.inFlight;
    await Promise.all([...this.running.values()].map((port) => port.userspace?.close()));
    this.running.clear();
    this.portsOf.clear();
    await this.options.kernel?.close();
  }

  private changed(serviceKey: string): void {
    this.dirty.add(serviceKey);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.scheduled || this.options.autoSync === false) return;
    if (!this.servicesSynced || !this.endpointsSynced || this.dirty.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.dirty.size > 0 && !this.closed) void this.sync();
    });
  }

  private modeFor(config: ServicePortConfig): ProxyMode {
    const mode = config.mode ?? this.options.mode ?? 'tcp';
    if (config.protocol !== 'TCP') return mode;
    return mode === 'kernel' && !this.options.kernel ? 'tcp' : mode;
  }

  private async syncChanged(): Promise<SyncResult> {
    const result: SyncResult = { opened: [], updated: [], closed: [], failed: [] };
    const keys = [...this.dirty];
    this.dirty.clear();
    const kernelUpserts: ServicePortConfig[] = [];
    const kernelRemovals: string[] = [];
    /** Listeners of removed ports being closed: the sync resolves once they are. */
    const closing: Array<Promise<void>> = [];
    for (const serviceKey of keys) {
      const service = this.services.get(serviceKey);
      const wanted = service ? serviceConfigFromApi(service, this.endpoints.get(serviceKey)) : [];
      const previous = this.portsOf.get(serviceKey) ?? new Set<string>();
      const next = new Set<string>();
      for (const config of wanted) {
        if (config.protocol !== 'TCP') continue; // UDP/SCTP: not served by this proxy
        next.add(config.key);
        const mode = this.modeFor(config);
        const current = this.running.get(config.key);
        const sameEngine =
          current?.engineKey === undefined || current.engineKey === this.engineKey(config, mode);
        if (current && current.mode === mode && sameEngine && !listenerChanged(current.config, config)) {
          if (current.config === config) continue;
          const moved = endpointsChanged(current.config, config);
          if (current.userspace) current.userspace.update(config);
          else kernelUpserts.push(config);
          current.config = config;
          if (moved) this.observeProgramming(config);
          result.updated.push(config.key);
          continue;
        }
        // A restarted port frees its addresses before binding them again.
        if (current) await this.stop(current, kernelRemovals);
        try {
          const port = await this.start(config, mode, kernelUpserts);
          this.running.set(config.key, port);
          this.observeProgramming(config);
          result.opened.push(config.key);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          this.logger.warn({ port: config.key, err: message }, 'cannot serve service port');
          result.failed.push({ key: config.key, error: message });
          next.delete(config.key);
          this.retryLater(serviceKey);
        }
      }
      for (const key of previous) {
        if (next.has(key)) continue;
        const current = this.running.get(key);
        if (current) closing.push(this.stop(current, kernelRemovals));
        this.running.delete(key);
        result.closed.push(key);
      }
      if (next.size > 0) this.portsOf.set(serviceKey, next);
      else this.portsOf.delete(serviceKey);
    }
    if (this.options.kernel && (kernelUpserts.length > 0 || kernelRemovals.length > 0)) {
      await this.options.kernel.apply(kernelUpserts, kernelRemovals);
    }
    await Promise.all(closing);
    return result;
  }

  private async start(config: ServicePortConfig, mode: ProxyMode, kernelUpserts: ServicePortConfig[]) {
    if (mode === 'kernel') {
      kernelUpserts.push(config);
      return { config, mode };
    }
    const userspace = new UserspacePort(config, {
      clock: this.clock,
      metrics: this.metrics,
      mode,
      nodeAddress: this.options.nodeAddress,
      nodePortAddresses: this.options.nodePortAddresses,
      bindClusterIP: this.options.bindClusterIPs,
      pauseOnConnect: mode === 'tcp',
    });
    if (mode === 'http') {
      const js = new HttpHandler(userspace, this.httpOptions);
      const native = this.nativeFor(config) && this.httpOptions.engine === 'native';
      const pump = native ? NativePump.get(this.pumpOptions()) : undefined;
      userspace.handler = pump ? new NativeHttpHandler(userspace, this.httpOptions, pump, js) : js;
    } else {
      userspace.handler = new TcpHandler(userspace, this.tcpOptions);
    }
    await userspace.listen();
    return { config, mode, userspace, engineKey: this.engineKey(config, mode) };
  }

  /** Native engines balance without ClientIP affinity and over IPv4 only. */
  private nativeFor(config: ServicePortConfig): boolean {
    return config.sessionAffinity !== 'ClientIP' && config.endpoints.every((e) => !e.ip.includes(':'));
  }

  private engineKey(config: ServicePortConfig, mode: ProxyMode): string | undefined {
    if (mode === 'kernel') return undefined;
    return `${this.nativeFor(config)}/${config.balancing ?? ''}`;
  }

  private pumpOptions() {
    return {
      threads: this.tcpOptions.pumpThreads,
      idleTimeoutMs: this.tcpOptions.idleTimeoutMs,
      halfOpenTimeoutMs: this.tcpOptions.halfOpenTimeoutMs,
    };
  }

  /** Resolves once a userspace port's listeners are closed; kernel ports join the sync's batch. */
  private async stop(port: RunningPort, kernelRemovals: string[]): Promise<void> {
    if (port.userspace) await port.userspace.close();
    else kernelRemovals.push(port.config.key);
  }

  private observeProgramming(config: ServicePortConfig): void {
    if (config.endpointsChangedAtMs === undefined) return;
    const seconds = (this.clock.now() - config.endpointsChangedAtMs) / 1000;
    if (seconds >= 0) this.metrics.networkProgramming.observe(seconds);
  }

  private retryLater(serviceKey: string): void {
    this.clock.setTimeout(() => this.changed(serviceKey), this.options.retryPeriodMs ?? 1000);
  }
}

export function createProxier(options: ProxierOptions): Proxier {
  return new Proxier(options);
}
