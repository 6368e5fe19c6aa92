// The HTTP layer under every client call: undici's `request` API over one keep-alive Pool for ordinary
// requests (bounded, no pipelining) and a second, unbounded Pool for long-lived streams (watches,
// followed logs). A watch holds its HTTP/1.1 connection for minutes, so streams must never take
// connections from the bounded pool: ten informers would otherwise starve every create and update.
import { type Dispatcher, Pool } from 'undici';
import { latencyBucketsSeconds, type Registry } from '../metrics/registry.js';
import { systemClock } from '../util/clock.js';
import { sleep } from './backoff.js';
import { apiErrorFromResponse } from './errors.js';
import { counterOn, histogramOn } from './metrics.js';

export interface TlsOptions {
  /** PEM certificate(s) of the authority that signed the apiserver's certificate. */
  ca?: string | Buffer;
  /** PEM client certificate and key, for client-certificate authentication. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Accept any server certificate (kubeconfig `insecure-skip-tls-verify`). */
  insecureSkipVerify?: boolean;
  /** SNI / verification name when it differs from the URL host. */
  serverName?: string;
}

export interface ClientOptions {
  /** Base URL of the apiserver, e.g. `http://127.0.0.1:6443` (a path prefix is kept). */
  server: string;
  /** Bearer token sent as `Authorization: Bearer …`. */
  token?: string;
  tls?: TlsOptions;
  /** Default `kubelite/<version>`. */
  userAgent?: string;
  /** Per request: time to response headers and longest pause inside a body. Default 30 000. */
  timeoutMs?: number;
  /** Keep-alive connections for ordinary requests. Default 8 (the apiserver is one event loop). */
  connections?: number;
  /** Used for requests and streams instead of the client's own pools (tests, proxies); never closed by us. */
  dispatcher?: Dispatcher;
  /** Client metrics rest_client_requests_total{code,method,host}, rest_client_request_duration_seconds{verb,host}. */
  registry?: Registry;
  /**
   * A watch with bookmarks that stays silent this long is treated as a dead connection and re-opened
   * from its last resourceVersion (the apiserver sends a bookmark at least every 30 s). 0 disables.
   * Default 300 000.
   */
  watchIdleTimeoutMs?: number;
  /**
   * As client-go: a 429, or a 5xx with Retry-After, is retried after the pause the server asks for
   * (capped at maxRetryAfterMs) up to this many times. Default 10; 0 disables.
   */
  maxRetries?: number;
  /** Longest Retry-After pause honoured. Default 10 000. */
  maxRetryAfterMs?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface SendOptions {
  /** Serialized with JSON.stringify unless it is already a string or Buffer. */
  body?: unknown;
  /** Content-Type of the body; default `application/json`. */
  contentType?: string;
  /** Default `application/json`. */
  accept?: string;
  signal?: AbortSignal;
  /** Overrides the client's timeoutMs for this request. */
  timeoutMs?: number;
  /** A stream: no limit on the pause between body chunks unless given here (ms; 0 = none). */
  stream?: boolean;
  idleTimeoutMs?: number;
}

export type ResponseData = Dispatcher.ResponseData;

export interface Transport {
  /** The server URL as configured. */
  readonly server: string;
  readonly watchIdleTimeoutMs: number;
  /** Sends a request; resolves with the 2xx response (body unread) or rejects with an ApiError. */
  send(method: HttpMethod, path: string, options?: SendOptions): Promise<ResponseData>;
  /** Sends a request and parses the JSON answer once. */
  json<R>(method: HttpMethod, path: string, options?: SendOptions): Promise<R>;
  close(): Promise<void>;
}

const defaultUserAgent = 'kubelite/v1.32.0-kubelite';

export function createTransport(options: ClientOptions): Transport {
  const url = new URL(options.server);
  const origin = url.origin;
  const prefix = url.pathname.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const tls = options.tls;
  const connect =
    url.protocol === 'https:' && tls
      ? {
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          rejectUnauthorized: !tls.insecureSkipVerify,
          ...(tls.serverName ? { servername: tls.serverName } : {}),
        }
      : undefined;
  const owned = !options.dispatcher;
  const requests: Dispatcher =
    options.dispatcher ?? new Pool(origin, { connections: options.connections ?? 8, pipelining: 1, connect });
  const streams: Dispatcher =
    options.dispatcher ?? new Pool(origin, { connections: null, pipelining: 1, connect });

  // Header objects are shared across requests: one per (content type, accept) pair seen.
  const baseHeaders: Record<string, string> = {
    'user-agent': options.userAgent ?? defaultUserAgent,
    accept: 'application/json',
  };
  if (options.token) baseHeaders.authorization = `Bearer ${options.token}`;
  const headerCache = new Map<string, Record<string, string>>();
  function headersFor(contentType: string | undefined, accept: string | undefined): Record<string, string> {
    if (contentType === undefined && accept === undefined) return baseHeaders;
    const cacheKey = `${contentType}\n${accept}`;
    let headers = headerCache.get(cacheKey);
    if (!headers) {
      headers = { ...baseHeaders };
      if (contentType !== undefined) headers['content-type'] = contentType;
      if (accept !== undefined) headers.accept = accept;
      headerCache.set(cacheKey, headers);
    }
    return headers;
  }

  const metrics = options.registry ? createRestMetrics(options.registry, url.host) : undefined;
  const maxRetries = options.maxRetries ?? 10;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 10_000;

  async function send(method: HttpMethod, path: string, opts: SendOptions = {}): Promise<ResponseData> {
    for (let retries = 0; ; retries++) {
      const response = await sendOnce(method, path, opts);
      if (response.statusCode < 300) return response;
      const waitMs = retries < maxRetries ? retryAfterMs(response, maxRetryAfterMs) : undefined;
      const text = await response.body.text().catch(() => '');
      if (waitMs === undefined) throw apiErrorFromResponse(response.statusCode, text);
      if (!(await sleep(systemClock, waitMs, opts.signal))) throw opts.signal!.reason;
    }
  }

  /** One attempt; a response of 300 or more comes back with its body unread. */
  async function sendOnce(method: HttpMethod, path: string, opts: SendOptions): Promise<ResponseData> {
    let body: string | Buffer | undefined;
    let contentType: string | undefined;
    if (opts.body !== undefined) {
      body =
        typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
      contentType = opts.contentType ?? 'application/json';
    }
    const started = metrics ? performance.now() : 0;
    const requestTimeout = opts.timeoutMs ?? timeoutMs;
    let response: ResponseData;
    try {
      response = await (opts.stream ? streams : requests).request({
        origin,
        path: prefix + path,
        method,
        headers: headersFor(contentType, opts.accept),
        body,
        signal: opts.signal,
        headersTimeout: requestTimeout,
        bodyTimeout: opts.stream ? (opts.idleTimeoutMs ?? 0) : requestTimeout,
      });
    } catch (e) {
      metrics?.observe(method, '<error>', started);
      throw e;
    }
    metrics?.observe(method, response.statusCode, started);
    return response;
  }

  return {
    server: options.server,
    watchIdleTimeoutMs: options.watchIdleTimeoutMs ?? 300_000,
    send,
    async json<R>(method: HttpMethod, path: string, opts?: SendOptions): Promise<R> {
      const response = await send(method, path, opts);
      return (await response.body.json()) as R;
    },
    async close() {
      if (!owned) return;
      await Promise.all([requests.close(), streams.destroy()]);
    },
  };
}

function createRestMetrics(registry: Registry, host: string) {
  const requests = counterOn(
    registry,
    'rest_client_requests_total',
    'HTTP requests by status code and method.',
    ['code', 'method', 'host'],
  );
  const duration = histogramOn(
    registry,
    'rest_client_request_duration_seconds',
    'Request latency to response headers, by verb.',
    ['verb', 'host'],
    latencyBucketsSeconds,
  );
  return {
    observe(method: HttpMethod, code: number | string, startedMs: number): void {
      requests.labels(String(code), method, host).inc();
      duration.labels(method, host).observe((performance.now() - startedMs) / 1000);
    },
  };
}

/** The pause a 429 or a 5xx with Retry-After asks for (client-go's checkWait), or undefined: no retry. */
function retryAfterMs(response: ResponseData, capMs: number): number | undefined {
  const code = response.statusCode;
  const header = response.headers['retry-after'];
  const value = Array.isArray(header) ? header[0] : header;
  if (code !== 429 && !(code >= 500 && value !== undefined)) return undefined;
  const seconds = value === undefined ? 1 : Number.parseInt(value, 10);
  if (!Number.isFinite(seconds) || seconds < 0) return code === 429 ? Math.min(1000, capMs) : undefined;
  return Math.min(seconds * 1000, capMs);
}
