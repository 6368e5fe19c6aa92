// Proxy metrics on an injected prom-client registry. Data paths hold one PortMetrics per service
// port: plain number fields bumped on the hot path and folded into the prom-client families only when
// the registry is scraped (collect hooks), so counting bytes costs an addition per read, nothing more.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { latencyBucketsSeconds } from '../metrics/registry.js';

/** Live counters of one service port in one mode; the data path mutates these fields directly. */
export class PortMetrics {
  activeConnections = 0;
  connections = 0;
  bytesIn = 0;
  bytesOut = 0;
  connectErrors = 0;
  retries = 0;
  endpoints = 0;
  /** Folded counts, so each scrape adds only the delta. */
  folded = { connections: 0, bytesIn: 0, bytesOut: 0, connectErrors: 0, retries: 0 };
  /** Set by data paths that keep their counters elsewhere (the native engine): refreshes the fields. */
  pull: (() => void) | undefined;
  private readonly foldedCodes = new Map<number, number>();

  constructor(
    readonly service: string,
    readonly mode: string,
    private readonly families: ProxyMetrics,
  ) {}

  /** One HTTP exchange: duration in seconds and the response status code (502/503 included). */
  observeHttp(seconds: number, code: number): void {
    this.families.httpDuration.labels(this.service, this.mode).observe(seconds);
    this.families.httpResponses.labels(this.service, this.mode, String(code)).inc();
  }

  /** Absolute status-code counts kept elsewhere (native engine): adds what is new since the last call. */
  setHttpCodeTotals(code: number, total: number): void {
    const seen = this.foldedCodes.get(code) ?? 0;
    if (total > seen)
      this.families.httpResponses.labels(this.service, this.mode, String(code)).inc(total - seen);
    this.foldedCodes.set(code, total);
  }

  /**
   * Absolute request-duration totals kept elsewhere: `buckets` per upper bound of the family (not
   * cumulative) then +Inf. prom-client has no merge API, so the label set's entry is written directly
   * (its internal shape is stable across prom-client 15).
   */
  setHttpDurationTotals(buckets: ArrayLike<number>, sum: number, count: number): void {
    const histogram = this.families.httpDuration as unknown as {
      hashMap: Record<
        string,
        { labels: Record<string, string>; bucketValues: Record<number, number>; sum: number; count: number }
      >;
      upperBounds: number[];
    };
    const find = () =>
      Object.values(histogram.hashMap).find(
        (e) => e.labels.service === this.service && e.labels.mode === this.mode,
      );
    let entry = find();
    if (!entry) {
      this.families.httpDuration.zero({ service: this.service, mode: this.mode });
      entry = find()!;
    }
    histogram.upperBounds.forEach((bound, i) => {
      entry.bucketValues[bound] = buckets[i] ?? 0;
    });
    entry.sum = sum;
    entry.count = count;
  }
}

export class ProxyMetrics {
  readonly ports = new Set<PortMetrics>();
  readonly activeConnections: Gauge;
  readonly connections: Counter;
  readonly bytes: Counter;
  readonly connectErrors: Counter;
  readonly retries: Counter;
  readonly endpoints: Gauge;
  readonly httpDuration: Histogram;
  readonly httpResponses: Counter;
  readonly networkProgramming: Histogram;
  readonly syncDuration: Histogram;

  constructor(registry: Registry) {
    const labelNames = ['service', 'mode'];
    const fold = (): void => this.fold();
    // Per-port families: all labelled by service port and mode, all refreshed from the live counters on scrape.
    const family = { registers: [registry], collect: fold };
    const counter = (name: string, help: string, extra: string[] = []) =>
      new Counter({ name, help, labelNames: [...labelNames, ...extra], ...family });
    const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames, ...family });
    this.activeConnections = gauge(
      'kubelite_proxy_active_connections',
      'Open client connections per service port and mode.',
    );
    this.connections = counter(
      'kubelite_proxy_connections_total',
      'Accepted client connections per service port and mode.',
    );
    this.bytes = counter(
      'kubelite_proxy_bytes_total',
      'Bytes proxied; direction "in" is client to backend, "out" backend to client.',
      ['direction'],
    );
    this.connectErrors = counter(
      'kubelite_proxy_connect_errors_total',
      'Failed connection attempts to endpoints (refused, timed out, reset before use).',
    );
    this.retries = counter(
      'kubelite_proxy_retries_total',
      'Connections or requests retried on another endpoint.',
    );
    this.endpoints = gauge('kubelite_proxy_endpoints', 'Ready endpoints per service port.');
    this.httpDuration = new Histogram({
      name: 'kubelite_proxy_http_request_duration_seconds',
      help: 'HTTP request duration through the proxy, request head received to response end.',
      labelNames,
      buckets: latencyBucketsSeconds,
      ...family,
    });
    this.httpResponses = counter(
      'kubelite_proxy_http_responses_total',
      'HTTP responses sent to clients by status code.',
      ['code'],
    );
    this.networkProgramming = new Histogram({
      name: 'kubeproxy_network_programming_duration_seconds',
      help: 'From an endpoint change in the API (last-change-trigger-time) to the proxy routing it.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    });
    this.syncDuration = new Histogram({
      name: 'kubeproxy_sync_proxy_rules_duration_seconds',
      help: 'Duration of one proxier sync (listeners, endpoint sets, kernel rules).',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    });
  }

  port(service: string, mode: string): PortMetrics {
    const port = new PortMetrics(service, mode, this);
    this.ports.add(port);
    return port;
  }

  /** Stops reporting a service port that was deleted (its counters are folded one last time). */
  release(port: PortMetrics): void {
    this.foldPort(port);
    this.ports.delete(port);
    this.activeConnections.remove(port.service, port.mode);
    this.endpoints.remove(port.service, port.mode);
  }

  private fold(): void {
    for (const port of this.ports) this.foldPort(port);
  }

  private foldPort(port: PortMetrics): void {
    port.pull?.();
    const { service, mode, folded } = port;
    this.activeConnections.labels(service, mode).set(port.activeConnections);
    this.endpoints.labels(service, mode).set(port.endpoints);
    const add = (counter: Counter, value: number, seen: number, ...extra: string[]): void => {
      if (value > seen) counter.labels(service, mode, ...extra).inc(value - seen);
    };
    add(this.connections, port.connections, folded.connections);
    add(this.bytes, port.bytesIn, folded.bytesIn, 'in');
    add(this.bytes, port.bytesOut, folded.bytesOut, 'out');
    add(this.connectErrors, port.connectErrors, folded.connectErrors);
    add(this.retries, port.retries, folded.retries);
    folded.connections = port.connections;
    folded.bytesIn = port.bytesIn;
    folded.bytesOut = port.bytesOut;
    folded.connectErrors = port.connectErrors;
    folded.retries = port.retries;
  }
}
