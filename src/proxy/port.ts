// One service port served in userspace: its listeners (cluster IP and node port), its balancer and
// its metrics. The data path (tcp or http) only sees accepted sockets through a ConnectionHandler.
import { createServer, type Server, type Socket } from 'node:net';
import type { Clock } from '../util/clock.js';
import { Balancer } from './balancer/index.js';
import { balancingChanged, nodePortAddresses, type ServicePortConfig } from './config.js';
import type { PortMetrics, ProxyMetrics } from './metrics.js';

export interface ConnectionHandler {
  handle(client: Socket): void;
  /** Offered the bound listeners once; true when the handler serves them itself (JS servers then close). */
  takeListeners?(servers: readonly Server[]): boolean;
  /** Called after every endpoint change (e.g. to drop idle upstream connections to removed ones). */
  endpointsChanged?(): void;
  /** Stops accepting; resolves once the listeners it took over are closed (native engines: on their thread). */
  close?(): Promise<void> | void;
}

export interface ListenAddress {
  address: string;
  port: number;
}

export interface UserspacePortOptions {
  clock: Clock;
  metrics: ProxyMetrics;
  mode: 'tcp' | 'http';
  /** The node's address for node ports; node ports are not served when absent. */
  nodeAddress?: string;
  /** Further addresses for node ports (e.g. the Docker bridge gateway pods reach the node on). */
  nodePortAddresses?: readonly string[];
  /** False: another proxy on this machine binds the cluster IPs; this one serves node ports only. */
  bindClusterIP?: boolean;
  /** tcp: accepted sockets stay paused so the native pump can adopt them before any read. */
  pauseOnConnect: boolean;
}

function balancerFor(config: ServicePortConfig, options: UserspacePortOptions): Balancer {
  return new Balancer({
    // http balances each request on outstanding requests by default; tcp round-robins connections.
    algorithm: config.balancing ?? (options.mode === 'http' ? 'least-connections' : 'round-robin'),
    affinityTimeoutMs: config.sessionAffinity === 'ClientIP' ? config.affinityTimeoutMs : undefined,
    clock: options.clock,
  });
}

export class UserspacePort {
  balancer: Balancer;
  readonly metrics: PortMetrics;
  handler!: ConnectionHandler;
  private readonly servers: Server[] = [];
  private bound: ListenAddress[] = [];

  constructor(
    public config: ServicePortConfig,
    private readonly options: UserspacePortOptions,
  ) {
    this.balancer = balancerFor(config, options);
    this.balancer.setEndpoints(config.endpoints);
    this.metrics = options.metrics.port(config.key, options.mode);
    this.metrics.endpoints = config.endpoints.length;
  }

  /** Binds the cluster IP (and node port); rejects when an address cannot be bound. */
  async listen(): Promise<void> {
    const targets: ListenAddress[] = [];
    if (this.config.clusterIP && this.options.bindClusterIP !== false) {
      targets.push({ address: this.config.clusterIP, port: this.config.port });
    }
    if (this.config.nodePort) {
      for (const address of nodePortAddresses(this.options.nodeAddress, this.options.nodePortAddresses)) {
        targets.push({ address, port: this.config.nodePort });
      }
    }
    const onConnection = (socket: Socket): void => this.handler.handle(socket);
    try {
      for (const target of targets) {
        const server = createServer({
          allowHalfOpen: true,
          pauseOnConnect: this.options.pauseOnConnect,
          noDelay: true,
        });
        server.on('connection', onConnection);
        this.servers.push(server);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host: target.address, port: target.port, backlog: 4096 }, () => {
            server.removeListener('error', reject);
            resolve();
          });
        });
      }
    } catch (err) {
      await this.close();
      throw err;
    }
    this.bound = this.addressesOfServers();
    if (this.handler.takeListeners?.(this.servers)) {
      for (const server of this.servers) server.close();
      this.servers.length = 0;
    }
  }

  addresses(): ListenAddress[] {
    return this.bound;
  }

  private addressesOfServers(): ListenAddress[] {
    const result: ListenAddress[] = [];
    for (const server of this.servers) {
      const address = server.address();
      if (address && typeof address === 'object')
        result.push({ address: address.address, port: address.port });
    }
    return result;
  }

  /** Applies a new config of the same listeners: endpoints swapped at once, balancing replaced if changed. */
  update(config: ServicePortConfig): void {
    if (balancingChanged(this.config, config)) {
      const next = balancerFor(config, this.options);
      next.adopt(this.balancer);
      this.balancer = next;
    }
    this.config = config;
    this.balancer.setEndpoints(config.endpoints);
    this.metrics.endpoints = config.endpoints.length;
    this.handler.endpointsChanged?.();
  }

  /**
   * Stops accepting; resolves once every listener is closed: new connections are refused and the
   * addresses can be bound again. Open connections drain on their own.
   */
  async close(): Promise<void> {
    for (const server of this.servers) server.close(); // the descriptor closes now; 'close' waits for connections
    this.servers.length = 0;
    this.options.metrics.release(this.metrics);
    this.bound = [];
    await this.handler.close?.();
  }
}
