// `kubelite proxy` as a library: shared informers over services and endpoints feed the proxier's
// event handlers (list once, then watch; no polling), and this module drives its syncs: the first
// one once both informers have listed (then the proxy is ready), later ones on the next tick after
// any change, and a retry while a port could not be served. A small HTTP port serves /metrics,
// /healthz and /readyz. Kernel mode programs an nftables table of this node's own; ports the kernel
// cannot serve (http mode by annotation, UDP) stay with the userspace paths, as the proxier decides.
//
//   const proxy = createProxyServer({ client, nodeName: 'node-1', nodeAddress: '127.0.1.1' });
//   const done = proxy.run(signal); await proxy.ready(); … abort; await done;
import { isIPv4 } from 'node:net';
import type { Endpoints, Service } from '../api/types.js';
import { createInformerFactory, type SharedInformerFactory } from '../client/informer-factory.js';
import type { KubeClient } from '../client/rest.js';
import { createRegistry, type Registry } from '../metrics/registry.js';
import { type StatusServer, startStatusServer } from '../metrics/status-server.js';
import { type Clock, systemClock, type TimerHandle } from '../util/clock.js';
import { type Logger, silentLogger } from '../util/log.js';
import type { ProxyMode } from './config.js';
import { createNftRules, type NftRulesOptions } from './kernel/nftables.js';
import type { TcpOptions } from './l4/tcp-handler.js';
import type { HttpOptions } from './l7/http-handler.js';
import { type ResolveOptions, resolveNodePortAddresses } from './node-port-addresses.js';
import { createProxier, type Proxier, type SyncResult } from './proxier.js';

export interface ProxyServerOptions {
  client: Pick<KubeClient, 'resource'>;
  nodeName: string;
  /** The node's own address: node ports are served here (none without it and nodePortAddresses). */
  nodeAddress?: string;
  /**
   * Further places for node ports: IPv4 addresses or interface names (the Docker bridge `kubelite0`,
   * where Docker pods reach the node). Only the proxy that binds the cluster IPs should take a
   * machine-wide address such as the bridge gateway: node ports are unique in the cluster.
   */
  nodePortAddresses?: readonly string[];
  /** How long to wait for nodePortAddresses to exist on this machine (default 60 s). */
  nodePortAddressWaitMs?: number;
  /** Data path of services without a `kubelite.io/proxy-mode` annotation (default tcp). */
  mode?: ProxyMode;
  /**
   * Default true. With several nodes on one machine only one proxy binds the service cluster IPs;
   * the others serve their node ports only (DESIGN.md "Networking").
   */
  bindClusterIPs?: boolean;
  /** /metrics, /healthz, /readyz port (default 10249; 0 = any free port). */
  metricsPort?: number;
  /** Address of that port (default nodeAddress, else 127.0.0.1). */
  metricsHost?: string;
  /** Kernel mode's nftables: table (default `kubelite-<node>`) and nft command (tests: a netns). */
  kernel?: Pick<NftRulesOptions, 'table' | 'command'>;
  tcp?: Partial<TcpOptions>;
  http?: Partial<HttpOptions>;
  /** Delay before a sync retries ports that could not be served (default 1 s). */
  retryPeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
  registry?: Registry;
  /** Default: a factory over `client` (shared when the caller runs other informers on it). */
  informerFactory?: Pick<SharedInformerFactory, 'informer' | 'start' | 'waitForSync' | 'stopped'>;
  /** For tests of the node port address wait. */
  resolveAddresses?: Pick<ResolveOptions, 'interfaceAddresses' | 'bindable'>;
}

export interface ProxyServer {
  readonly nodeName: string;
  readonly registry: Registry;
  /** The proxier, once run() has created it. */
  readonly proxier: Proxier | undefined;
  /** http://host:port of /metrics, /healthz, /readyz, once run() serves it. */
  readonly metricsUrl: string | undefined;
  /** Where node ports are served (resolved nodeAddress + nodePortAddresses), once run() resolved them. */
  readonly nodePortAddresses: readonly string[];
  /** Watches and serves until the signal aborts, then closes everything; rejects if start-up fails. */
  run(signal: AbortSignal): Promise<void>;
  /** Resolves once the first sync has served every port; rejects if run() fails before that. */
  ready(): Promise<void>;
  isReady(): boolean;
  /** Aborts run() and waits for it: listeners closed (open connections drain), kernel table removed. */
  close(): Promise<void>;
}

/** nftables table names: letters, digits, `_` and `-`. */
function tableFor(nodeName: string): string {
  return `kubelite-${nodeName.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 64);
}

export function createProxyServer(options: ProxyServerOptions): ProxyServer {
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? silentLogger).child({ node: options.nodeName });
  const registry = options.registry ?? createRegistry({ component: 'proxy' });
  const retryPeriodMs = options.retryPeriodMs ?? 1000;
  const own = new AbortController();
  let proxier: Proxier | undefined;
  let status: StatusServer | undefined;
  let nodePortAddresses: string[] = [];
  let synced = false;
  let ready = false;
  let syncScheduled = false;
  let retryTimer: TimerHandle | undefined;
  let running: Promise<void> | undefined;
  let markReady!: () => void;
  let failStart!: (err: unknown) => void;
  const readyPromise = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failStart = reject;
  });
  readyPromise.catch(() => {}); // a failed run() is reported there; ready() callers see it too

  function requestSync(): void {
    if (!synced || syncScheduled || own.signal.aborted) return;
    syncScheduled = true;
    setImmediate(() => {
      syncScheduled = false;
      if (proxier && !own.signal.aborted) void runSync(proxier);
    });
  }

  async function runSync(p: Proxier): Promise<void> {
    let result: SyncResult;
    try {
      result = await p.sync();
    } catch (err) {
      // Kernel batches fail as a whole (nft refused it): logged; the next change or retry re-applies.
      logger.error({ err }, 'proxy sync failed');
      scheduleRetry();
      return;
    }
    if (result.opened.length + result.closed.length + result.failed.length > 0) {
      logger.info(
        { opened: result.opened.length, updated: result.updated.length, closed: result.closed.length },
        'proxy rules synced',
      );
    }
    for (const f of result.failed) logger.warn({ port: f.key, err: f.error }, 'service port not served');
    if (result.failed.length > 0) return scheduleRetry();
    if (!ready) {
      ready = true;
      logger.info({ ports: p.ports().length }, 'proxy ready: every service port is served');
      markReady();
    }
  }

  function scheduleRetry(): void {
    retryTimer?.cancel();
    retryTimer = clock.setTimeout(requestSync, retryPeriodMs);
  }

  async function start(signal: AbortSignal): Promise<Proxier> {
    if (options.nodeAddress !== undefined && !isIPv4(options.nodeAddress)) {
      throw new Error(`node address "${options.nodeAddress}": an IPv4 address is needed`);
    }
    // First, so that health is answered (and the process kept alive) while addresses are awaited.
    status = await startStatusServer({
      registry,
      ready: () => ready,
      notReadyMessage: 'service rules not synced yet',
      host: options.metricsHost ?? options.nodeAddress ?? '127.0.0.1',
      port: options.metricsPort ?? 10249,
    });
    nodePortAddresses = await resolveNodePortAddresses(
      [...(options.nodeAddress ? [options.nodeAddress] : []), ...(options.nodePortAddresses ?? [])],
      {
        ...options.resolveAddresses,
        signal,
        clock,
        timeoutMs: options.nodePortAddressWaitMs,
        onWaiting: (missing) => logger.warn({ missing }, 'waiting for node port addresses to appear'),
      },
    );
    const bindClusterIPs = options.bindClusterIPs ?? true;
    const mode = options.mode ?? 'tcp';
    let kernel: ReturnType<typeof createNftRules> | undefined;
    if (mode === 'kernel') {
      kernel = createNftRules({
        table: options.kernel?.table ?? tableFor(options.nodeName),
        command: options.kernel?.command,
        nodePortAddresses,
        clusterIPs: bindClusterIPs,
      });
      await kernel.start(); // fails here without root or nft: kernel mode was asked for explicitly
    }
    const p = createProxier({
      registry,
      mode,
      nodePortAddresses,
      bindClusterIPs,
      kernel,
      clock,
      logger,
      tcp: options.tcp,
      http: options.http,
      autoSync: false,
      // The proxier marks a failed port dirty again at once; this module's retry timer syncs it.
      retryPeriodMs: 0,
    });
    proxier = p;
    return p;
  }

  function watch(p: Proxier, signal: AbortSignal): SharedInformerFactory['stopped'] {
    const factory = options.informerFactory ?? createInformerFactory(options.client, { clock, logger });
    /** An informer callback that records the change in the proxier, then asks for a sync. */
    const andSync =
      <A extends unknown[]>(record: (...args: A) => void) =>
      (...args: A) => {
        record(...args);
        requestSync();
      };
    factory.informer<Service>('services').addEventHandler({
      onAdd: andSync((s: Service) => p.onServiceAdd(s)),
      onUpdate: andSync((o: Service, s: Service) => p.onServiceUpdate(o, s)),
      onDelete: andSync((s: Service) => p.onServiceDelete(s)),
    });
    factory.informer<Endpoints>('endpoints').addEventHandler({
      onAdd: andSync((e: Endpoints) => p.onEndpointsAdd(e)),
      onUpdate: andSync((o: Endpoints, e: Endpoints) => p.onEndpointsUpdate(o, e)),
      onDelete: andSync((e: Endpoints) => p.onEndpointsDelete(e)),
    });
    factory.start(signal);
    void factory.waitForSync(signal).then((ok) => {
      if (!ok) return;
      p.onServiceSynced();
      p.onEndpointsSynced();
      synced = true;
      logger.info('services and endpoints listed');
      requestSync();
    });
    return () => factory.stopped();
  }

  async function shutdown(): Promise<void> {
    retryTimer?.cancel();
    await proxier?.close();
    await status?.close();
  }

  async function run(signal: AbortSignal): Promise<void> {
    const onAbort = () => own.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) own.abort();
    let stopped: (() => Promise<void>) | undefined;
    try {
      const p = await start(own.signal);
      stopped = watch(p, own.signal);
      await new Promise<void>((resolve) => {
        if (own.signal.aborted) resolve();
        else own.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } catch (err) {
      failStart(err);
      if (!own.signal.aborted) throw err; // stopped while starting (e.g. waiting for addresses): no error
    } finally {
      signal.removeEventListener('abort', onAbort);
      own.abort();
      await stopped?.();
      await shutdown();
      failStart(new Error('proxy stopped before it was ready'));
      logger.info('proxy stopped');
    }
  }

  return {
    nodeName: options.nodeName,
    registry,
    get proxier() {
      return proxier;
    },
    get metricsUrl() {
      return status?.url;
    },
    get nodePortAddresses() {
      return nodePortAddresses;
    },
    run(signal) {
      running ??= run(signal);
      return running;
    },
    ready: () => readyPromise,
    isReady: () => ready,
    async close() {
      own.abort();
      await running?.catch(() => {});
    },
  };
}
