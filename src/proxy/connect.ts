// Connecting to an endpoint with retries: a refused, reset or timed-out connect is retried on another
// endpoint of the same service (up to maxAttempts) before the client sees an error.
import { connect, type Socket } from 'node:net';
import type { Backend, Balancer } from './balancer/index.js';
import type { PortMetrics } from './metrics.js';

export interface ConnectOptions {
  connectTimeoutMs: number;
  /** Endpoints tried for one connection, the first included. */
  maxAttempts: number;
}

export type Connected = (socket: Socket | undefined, backend: Backend | undefined) => void;

function onConnectTimeout(this: Socket): void {
  this.destroy(new Error('connect timeout'));
}

class ConnectAttempt {
  private tried: Backend[] | undefined;
  private attempts = 0;

  constructor(
    private readonly balancer: Balancer,
    private readonly clientIp: string | undefined,
    private readonly options: ConnectOptions,
    private readonly metrics: PortMetrics,
    private readonly done: Connected,
  ) {}

  next(): void {
    const backend = this.balancer.pick(this.clientIp, this.tried);
    if (backend === undefined || this.attempts >= this.options.maxAttempts) {
      this.done(undefined, undefined);
      return;
    }
    if (this.attempts > 0) this.metrics.retries++;
    this.attempts++;
    backend.active++;
    const socket = connect({ host: backend.ip, port: backend.port, allowHalfOpen: true, noDelay: true });
    socket.pause();
    socket.setTimeout(this.options.connectTimeoutMs, onConnectTimeout);
    const onError = (): void => {
      backend.active--;
      this.metrics.connectErrors++;
      socket.destroy();
      (this.tried ??= []).push(backend);
      this.next();
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.removeListener('error', onError);
      socket.setTimeout(0, onConnectTimeout);
      socket.removeListener('timeout', onConnectTimeout);
      this.done(socket, backend);
    });
  }
}

/**
 * Connects to an endpoint picked by `balancer`; `done(socket, backend)` gets a connected, paused
 * socket whose backend's `active` count has been incremented (the caller decrements it on close),
 * or `done(undefined, undefined)` when no endpoint is left to try.
 */
export function connectToEndpoint(
  balancer: Balancer,
  clientIp: string | undefined,
  options: ConnectOptions,
  metrics: PortMetrics,
  done: Connected,
): void {
  new ConnectAttempt(balancer, clientIp, options, metrics, done).next();
}
