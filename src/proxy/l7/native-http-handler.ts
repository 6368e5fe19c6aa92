// The http data path run by the native engine (l4/native/http_engine.cc): after the listeners are
// bound here, their descriptors go to the engine, which accepts, frames, balances and pools on its
// own thread. This side only swaps endpoint sets and pulls counters into the port's metrics.
import type { Server, Socket } from 'node:net';
import { latencyBucketsSeconds } from '../../metrics/registry.js';
import { endpointList, type NativePump, nativeServiceId, serverFd } from '../l4/native-pump.js';
import type { ConnectionHandler, UserspacePort } from '../port.js';
import type { HttpHandler, HttpOptions } from './http-handler.js';

export class NativeHttpHandler implements ConnectionHandler {
  private readonly id = nativeServiceId();
  private closed: Promise<void> | undefined;

  constructor(
    private readonly port: UserspacePort,
    options: HttpOptions,
    private readonly pump: NativePump,
    /** Serves connections accepted before the handover (none in practice) and stays as the fallback. */
    private readonly fallback: HttpHandler,
  ) {
    const http = pump.http;
    http.httpCreate(
      this.id,
      [
        options.maxAttempts,
        options.connectTimeoutMs,
        options.upstreamTimeoutMs,
        options.clientIdleTimeoutMs,
        options.maxIdlePerEndpoint,
        options.requestHeadTimeoutMs,
      ],
      latencyBucketsSeconds,
    );
    this.endpointsChanged();
    port.metrics.pull = () => this.pull();
  }

  takeListeners(servers: readonly Server[]): boolean {
    for (const server of servers) {
      const fd = serverFd(server);
      if (fd === undefined || !this.pump.http.httpListen(this.id, fd)) return false;
    }
    return true;
  }

  handle(socket: Socket): void {
    this.fallback.handle(socket);
  }

  endpointsChanged(): void {
    this.pump.http.httpEndpoints(this.id, endpointList(this.port.balancer.backends));
  }

  /** Resolves once the engine's thread has closed the listeners. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = this.pump.closeHttp(this.id);
      this.fallback.close();
    }
    return this.closed;
  }

  /** Copies the engine's counters into the port's metrics (on scrape). */
  private pull(): void {
    if (this.closed) return;
    const s = this.pump.http.httpStats(this.id);
    if (s.length < 8) return;
    const m = this.port.metrics;
    m.connections = s[0]!;
    m.activeConnections = s[1]!;
    m.bytesIn = s[2]!;
    m.bytesOut = s[3]!;
    m.connectErrors = s[4]!;
    m.retries = s[5]!;
    const buckets = latencyBucketsSeconds.length + 1;
    m.setHttpDurationTotals(s.subarray(8, 8 + buckets), s[7]!, s[6]!);
    for (let i = 8 + buckets; i + 1 < s.length; i += 2) m.setHttpCodeTotals(s[i]!, s[i + 1]!);
  }
}
