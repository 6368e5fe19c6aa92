// The tcp (L4) data path of one service port: accept, pick an endpoint, connect with retries, then
// move bytes with the native pump (splice or recv/send on its own thread) or the JavaScript pump.
// A service with no endpoints (or none reachable) gets its client reset at once.
import type { Socket } from 'node:net';
import type { Backend } from '../balancer/index.js';
import { type ConnectOptions, connectToEndpoint } from '../connect.js';
import type { ConnectionHandler, UserspacePort } from '../port.js';
import { JsPair, pumpJs } from './js-pump.js';
import { NativePump } from './native-pump.js';

export type TcpEngine = 'native' | 'native-splice' | 'js';

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
