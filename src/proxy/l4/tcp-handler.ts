// The tcp (L4) data path of one service port: accept, pick an endpoint, connect with retries, then
// move bytes with the native pump (splice or recv/send on its own thread) or the JavaScript pump.
// A service with no endpoints (or none reachable) gets its client reset at once.
import type { Server, Socket } from 'node:net';
import type { Backend } from '../balancer/index.js';
import { type ConnectOptions, connectToEndpoint } from '../connect.js';
import type { ConnectionHandler, UserspacePort } from '../port.js';
import { JsPair, pumpJs } from './js-pump.js';
import { endpointList, NativePump, nativeServiceId, serverFd } from './native-pump.js';

export type TcpEngine = 'native' | 'native-splice' | 'js';

/** The native pump runs a whole port unless it needs ClientIP affinity or IPv6 (JS balancing then). */
export function nativeTcpCapable(port: UserspacePort): boolean {
  return (
    port.config.sessionAffinity !== 'ClientIP' && port.config.endpoints.every((e) => !e.ip.includes(':'))
  );
}

export interface TcpOptions extends ConnectOptions {
  engine: TcpEngine;
  idleTimeoutMs: number;
  halfOpenTimeoutMs: number;
  pumpThreads: number;
}

interface Pumped {
  port: UserspacePort;
  backend: Backend;
}

/** Pairs handed to the native pump, by id, until it reports them closed. */
const pumped = new Map<number, Pumped>();
let nextId = 1;
let pumpSubscribed = false;

function onPumpClosed(id: number, bytesIn: number, bytesOut: number): void {
  const entry = pumped.get(id);
  if (entry === undefined) return;
  pumped.delete(id);
  const metrics = entry.port.metrics;
  metrics.activeConnections--;
  metrics.bytesIn += bytesIn;
  metrics.bytesOut += bytesOut;
  entry.backend.active--;
}

function onJsPairEnd(pair: JsPair, bytesIn: number, bytesOut: number): void {
  const entry = pair.context as Pumped;
  entry.port.metrics.activeConnections--;
  entry.port.metrics.bytesIn += bytesIn;
  entry.port.metrics.bytesOut += bytesOut;
  entry.backend.active--;
}

function onClientErrorBeforeConnect(): void {
  // The client went away while we were connecting; the endpoint socket is closed by the caller.
}

export class TcpHandler implements ConnectionHandler {
  private readonly pump: NativePump | undefined;
  /** Set when the whole port (accept, balance, connect, pump) runs in the native pump. */
  private readonly nativeId: number | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly port: UserspacePort,
    private readonly options: TcpOptions,
  ) {
    this.pump =
      options.engine === 'js'
        ? undefined
        : NativePump.get({
            threads: options.pumpThreads,
            idleTimeoutMs: options.idleTimeoutMs,
            halfOpenTimeoutMs: options.halfOpenTimeoutMs,
          });
    if (this.pump && !pumpSubscribed) {
      pumpSubscribed = true;
      this.pump.onClosed(onPumpClosed);
    }
    if (this.pump && nativeTcpCapable(port)) {
      const id = nativeServiceId();
      this.nativeId = id;
      const leastConnections = port.config.balancing === 'least-connections' ? 1 : 0;
      const splice = options.engine === 'native-splice' ? 1 : 0;
      this.pump.tcp.tcpCreate(id, [leastConnections, options.maxAttempts, options.connectTimeoutMs, splice]);
      this.endpointsChanged();
      const stats = this.pump.tcp;
      port.metrics.pull = () => {
        const s = stats.tcpStats(id);
        if (s.length < 6) return;
        const m = port.metrics;
        [m.connections, m.activeConnections, m.bytesIn, m.bytesOut, m.connectErrors, m.retries] = s;
      };
    }
  }

  takeListeners(servers: readonly Server[]): boolean {
    if (this.nativeId === undefined || this.pump === undefined) return false;
    for (const server of servers) {
      const fd = serverFd(server);
      if (fd === undefined || !this.pump.tcp.tcpListen(this.nativeId, fd)) return false;
    }
    return true;
  }

  endpointsChanged(): void {
    if (this.nativeId !== undefined) {
      this.pump!.tcp.tcpEndpoints(this.nativeId, endpointList(this.port.balancer.backends));
    }
  }

  /** Native ports: resolves once the pump thread has closed the listeners (JS listeners close at once). */
  close(): Promise<void> {
    this.closing ??= this.nativeId !== undefined ? this.pump!.closeTcp(this.nativeId) : Promise.resolve();
    return this.closing;
  }

  /** Which engine actually runs (native falls back to js when the addon cannot load). */
  get engine(): TcpEngine {
    return this.pump ? this.options.engine : 'js';
  }

  handle(client: Socket): void {
    const port = this.port;
    const metrics = port.metrics;
    metrics.connections++;
    if (port.balancer.size === 0) {
      client.resetAndDestroy();
      return;
    }
    client.on('error', onClientErrorBeforeConnect);
    connectToEndpoint(port.balancer, client.remoteAddress, this.options, metrics, (endpoint, backend) => {
      if (endpoint === undefined || backend === undefined) {
        client.resetAndDestroy();
        return;
      }
      if (client.destroyed) {
        endpoint.destroy();
        backend.active--;
        return;
      }
      client.removeListener('error', onClientErrorBeforeConnect);
      metrics.activeConnections++;
      const entry: Pumped = { port, backend };
      if (this.pump) {
        const id = nextId++;
        pumped.set(id, entry);
        if (this.pump.adopt(id, client, endpoint, this.options.engine === 'native-splice')) return;
        pumped.delete(id);
      }
      pumpJs(new JsPair(client, endpoint, onJsPairEnd, entry), this.options.idleTimeoutMs);
    });
  }
}
