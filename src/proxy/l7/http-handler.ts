// The http (L7, HTTP/1.1) data path of one service port. Each client connection is read as a
// sequence of requests framed by their heads (Content-Length or chunked); each request is balanced on
// its own (least outstanding requests) onto a pooled keep-alive upstream connection, so clients that
// open a connection per request still reuse backend connections. Requests are answered in order,
// one at a time per client (pipelined requests wait in the client's buffer). Only heads are parsed;
// bodies go through as the Buffers they arrived in. Errors: no endpoints → 503, an upstream that
// cannot be reached or breaks before answering → 502 (idempotent requests are retried first),
// silent upstream → 504.
import type { Socket } from 'node:net';
import type { Backend } from '../balancer/index.js';
import type { ConnectionHandler, UserspacePort } from '../port.js';
import { BodyKind, ChunkedTracker, findHeadEnd, Head, rewriteHead } from './http-parse.js';
import { type Upstream, UpstreamPool, type UpstreamUser } from './upstream.js';

export interface HttpOptions {
  /** `native`: the C++ engine serves the port (falls back to `js` where it cannot). */
  engine: 'native' | 'js';
  connectTimeoutMs: number;
  /** Endpoints tried for one request when connecting fails. */
  maxAttempts: number;
  maxIdlePerEndpoint: number;
  /** Upstream silence (no response bytes) and idle pooled connection lifetime. */
  upstreamTimeoutMs: number;
  /** Idle keep-alive client connections are closed after this long. */
  clientIdleTimeoutMs: number;
  /**
   * A request head must be complete this long after its first byte, else 408 (slowloris; HAProxy's
   * `timeout http-request`). The native engine checks every second; the js engine when bytes arrive
   * (a client that stops sending meets the idle timeout).
   */
  requestHeadTimeoutMs: number;
  maxHeadBytes: number;
}

export const defaultHttpOptions: HttpOptions = {
  engine: 'native',
  connectTimeoutMs: 1000,
  maxAttempts: 3,
  maxIdlePerEndpoint: 512,
  upstreamTimeoutMs: 60_000,
  clientIdleTimeoutMs: 120_000,
  requestHeadTimeoutMs: 10_000,
  maxHeadBytes: 64 * 1024,
};

function errorResponse(code: number, reason: string): Buffer {
  const body = `${reason}\n`;
  return Buffer.from(
    `HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    'latin1',
  );
}
const response400 = errorResponse(400, 'Bad Request');
const response431 = errorResponse(431, 'Request Header Fields Too Large');
const response502 = errorResponse(502, 'Bad Gateway');
const response503 = errorResponse(503, 'Service Unavailable');
const response504 = errorResponse(504, 'Gateway Timeout');
const response408 = errorResponse(408, 'Request Timeout');
const connectionClose = Buffer.from('Connection: close\r\n', 'latin1');
const connectionKeepAlive = Buffer.from('Connection: keep-alive\r\n', 'latin1');

enum State {
  /** Waiting for a request head. */
  Idle = 0,
  /** A request is with an upstream (its body may still be arriving). */
  Busy = 1,
  /** The connection is ending. */
  Closing = 2,
}

const kClient = Symbol('client');
type ClientSocket = Socket & { [kClient]: ClientConnection };

function onClientData(this: ClientSocket, chunk: Buffer): void {
  this[kClient].onData(chunk);
}
function onClientDrain(this: ClientSocket): void {
  this[kClient].upstream?.socket.resume();
}
function onClientGone(this: ClientSocket): void {
  this[kClient].onClientGone();
}
function onClientEnd(this: ClientSocket): void {
  this[kClient].onClientEnd();
}
function onClientTimeout(this: ClientSocket): void {
  if (this[kClient].state !== State.Busy) this.destroy();
}

class ClientConnection implements UpstreamUser {
  state = State.Idle;
  upstream: Upstream | undefined;
  private buffered: Buffer | undefined;
  private readonly head = new Head();
  private readonly requestChunked = new ChunkedTracker();
  private requestBody = BodyKind.None;
  private requestRemaining = 0;
  /** The forwarded head (kept for a retry on another connection while nothing else was sent). */
  private forwardHead: Buffer | undefined;
  private retriable = false;
  /** The head went to the current upstream: body bytes may follow it directly. */
  private headSent = false;
  private gone = false;
  private keepAlive = true;
  private isHeadRequest = false;
  private startedAt = 0;
  /** When an incomplete request head was first seen (performance.now(); 0: none pending). */
  private headSince = 0;
  private backend: Backend | undefined;
  private tried: Backend[] | undefined;
  private attempts = 0;
  private status = 0;
  private readonly xff: Buffer;

  constructor(
    readonly socket: Socket,
    private readonly handler: HttpHandler,
  ) {
    this.xff = Buffer.from(`X-Forwarded-For: ${socket.remoteAddress ?? ''}\r\n`, 'latin1');
  }

  onData(chunk: Buffer): void {
    if (this.state === State.Busy && this.requestRemaining !== 0 && this.headSent) {
      chunk = this.forwardBody(chunk);
      if (chunk.length === 0) return;
    }
    this.buffered = this.buffered === undefined ? chunk : Buffer.concat([this.buffered, chunk]);
    if (this.state === State.Idle) this.next();
    else if (this.buffered.length > this.handler.options.maxHeadBytes) this.socket.pause(); // pipelined backlog
  }

  /** Starts the next buffered request, if its head is complete. */
  private next(): void {
    const buf = this.buffered;
    if (buf === undefined) return;
    const end = findHeadEnd(buf, 0);
    if (end < 0) {
      if (buf.length > this.handler.options.maxHeadBytes) this.fail(response431, 431);
      else if (this.headSince === 0) this.headSince = performance.now();
      else if (performance.now() - this.headSince > this.handler.options.requestHeadTimeoutMs)
        this.fail(response408, 408);
      return;
    }
    this.headSince = 0;
    const head = this.head;
    head.parseRequest(buf, 0, end);
    if (head.invalid) {
      this.fail(response400, 400);
      return;
    }
    this.keepAlive = !head.connectionClose && (!head.http10 || head.connectionKeepAlive);
    this.isHeadRequest = head.isHead;
    this.forwardHead = rewriteHead(
      buf,
      0,
      end,
      head,
      head.http10 ? Buffer.concat([this.xff, connectionKeepAlive]) : this.xff,
    );
    this.requestBody = head.body;
    this.requestRemaining =
      head.body === BodyKind.Length ? head.contentLength : head.body === BodyKind.Chunked ? -1 : 0;
    if (head.body === BodyKind.Chunked) this.requestChunked.reset();
    this.retriable = head.idempotent && this.requestRemaining === 0;
    this.buffered = end < buf.length ? buf.subarray(end) : undefined;
    this.state = State.Busy;
    this.startedAt = performance.now();
    this.tried = undefined;
    this.attempts = 0;
    this.status = 0;
    this.headSent = false;
    this.dispatch();
  }

  /** Picks an endpoint and hands the request to a pooled or new upstream connection. */
  private dispatch(): void {
    const port = this.handler.port;
    const backend = port.balancer.pick(this.socket.remoteAddress, this.tried);
    if (backend === undefined || this.attempts >= this.handler.options.maxAttempts) {
      const empty = port.balancer.size === 0;
      this.fail(empty ? response503 : response502, empty ? 503 : 502);
      return;
    }
    if (this.attempts > 0) port.metrics.retries++;
    this.attempts++;
    this.backend = backend;
    backend.active++;
    const upstream = this.handler.pool.acquire(backend, this);
    this.upstream = upstream;
    if (upstream.connected) this.send(upstream);
  }

  onUpstreamConnect(upstream: Upstream): void {
    this.send(upstream);
  }

  /** Writes the head and whatever body is buffered, then streams the rest of the body as it comes. */
  private send(upstream: Upstream): void {
    upstream.headBuffer = undefined;
    upstream.socket.write(this.forwardHead!);
    this.headSent = true;
    if (this.requestRemaining !== 0 && this.buffered !== undefined) {
      const rest = this.buffered;
      this.buffered = undefined;
      const after = this.forwardBody(rest);
      if (after.length > 0) this.buffered = after;
    }
    if (!this.retriable) this.forwardHead = undefined;
    // Reading may have paused while the connect was pending (body backlog); go on unless the upstream is full.
    if (!upstream.socket.writableNeedDrain) this.socket.resume();
  }

  /** Forwards request body bytes; returns what follows the body (the next pipelined request). */
  private forwardBody(chunk: Buffer): Buffer {
    let end: number;
    if (this.requestBody === BodyKind.Chunked) {
      end = this.requestChunked.feed(chunk, 0, chunk.length);
      if (this.requestChunked.invalid) {
        this.fail(response400, 400);
        return chunk.subarray(chunk.length);
      }
      if (end >= 0) this.requestRemaining = 0;
      else end = chunk.length;
    } else {
      end = Math.min(this.requestRemaining, chunk.length);
      this.requestRemaining -= end;
    }
    const upstream = this.upstream!;
    const body = end === chunk.length ? chunk : chunk.subarray(0, end);
    if (!upstream.socket.write(body)) this.socket.pause();
    return end === chunk.length ? chunk.subarray(chunk.length) : chunk.subarray(end);
  }

  onUpstreamDrain(): void {
    if (this.state === State.Busy) this.socket.resume();
  }

  onUpstreamData(upstream: Upstream, chunk: Buffer): void {
    let data = chunk;
    if (!upstream.responseStarted) {
      // Response head (possibly split over reads).
      const buf = upstream.headBuffer === undefined ? data : Buffer.concat([upstream.headBuffer, data]);
      const end = findHeadEnd(buf, 0);
      if (end < 0) {
        if (buf.length > this.handler.options.maxHeadBytes) upstream.socket.destroy();
        else upstream.headBuffer = buf;
        return;
      }
      upstream.headBuffer = undefined;
      upstream.responseStarted = true;
      const head = upstream.head;
      head.parseResponse(buf, 0, end);
      if (head.invalid) return void upstream.socket.destroy();
      this.status = head.status;
      if (head.status >= 100 && head.status < 200 && head.status !== 101) {
        // Interim response: forward it and wait for the final one.
        upstream.responseStarted = false;
        this.socket.write(end === buf.length ? buf : buf.subarray(0, end));
        if (end < buf.length) this.onUpstreamData(upstream, buf.subarray(end));
        return;
      }
      if (head.status === 101) {
        this.tunnel(upstream, buf);
        return;
      }
      let body = head.body;
      if (this.isHeadRequest || head.status === 204 || head.status === 304) body = BodyKind.None;
      upstream.body = body;
      upstream.remaining = body === BodyKind.Length ? head.contentLength : 0;
      if (body === BodyKind.Chunked) upstream.chunked.reset();
      if (body === BodyKind.UntilClose) this.keepAlive = false; // the upstream's close ends the body
      if (!this.keepAlive && !head.connectionClose) {
        this.socket.write(rewriteHead(buf, 0, end, head, connectionClose));
      } else {
        this.socket.write(end === buf.length ? buf : buf.subarray(0, end));
      }
      data = buf.subarray(end);
      if (body === BodyKind.None || (body === BodyKind.Length && upstream.remaining === 0)) {
        if (data.length > 0) upstream.socket.destroy(); // bytes past the response: out of step
        this.complete(upstream, head.connectionClose || head.http10 || data.length > 0);
        return;
      }
      if (data.length === 0) return;
    }
    // Response body.
    let end = data.length;
    let done = false;
    if (upstream.body === BodyKind.Length) {
      if (upstream.remaining <= data.length) {
        end = upstream.remaining;
        done = true;
      }
      upstream.remaining -= end;
    } else if (upstream.body === BodyKind.Chunked) {
      const at = upstream.chunked.feed(data, 0, data.length);
      if (upstream.chunked.invalid) return void upstream.socket.destroy();
      if (at >= 0) {
        end = at;
        done = true;
      }
    }
    const out = end === data.length ? data : data.subarray(0, end);
    if (!this.socket.write(out)) upstream.socket.pause();
    if (done)
      this.complete(upstream, upstream.head.connectionClose || upstream.head.http10 || end < data.length);
  }

  /** The response ended: account for it, park the upstream, go on with the client. */
  private complete(upstream: Upstream, upstreamClosing: boolean): void {
    const port = this.handler.port;
    port.metrics.observeHttp((performance.now() - this.startedAt) / 1000, this.status);
    this.backend!.active--;
    this.backend = undefined;
    this.upstream = undefined;
    upstream.socket.resume();
    if (upstreamClosing || this.requestRemaining !== 0) {
      upstream.user = undefined;
      upstream.socket.destroy();
    } else {
      this.handler.pool.release(upstream);
    }
    this.forwardHead = undefined;
    if (!this.keepAlive || this.requestRemaining !== 0) {
      this.state = State.Closing;
      this.socket.end();
      return;
    }
    this.state = State.Idle;
    this.socket.resume();
    this.next();
  }

  onUpstreamGone(upstream: Upstream, beforeResponse: boolean): void {
    if (upstream !== this.upstream || this.state !== State.Busy) return;
    const port = this.handler.port;
    this.backend!.active--;
    this.upstream = undefined;
    this.headSent = false;
    if (!upstream.connected) {
      port.metrics.connectErrors++;
      (this.tried ??= []).push(upstream.backend);
    }
    if (beforeResponse) {
      // Nothing reached the client yet: a refused connect, or a stale pooled connection, may be retried.
      if (!upstream.connected || (upstream.reused && this.retriable)) {
        this.dispatch();
        return;
      }
      const timedOut = upstream.socket.errored?.message === 'upstream timeout';
      this.fail(timedOut ? response504 : response502, timedOut ? 504 : 502);
      return;
    }
    if (upstream.body === BodyKind.UntilClose) {
      // The close is the end of this response.
      this.keepAlive = false;
      this.complete(upstream, true);
      return;
    }
    this.socket.destroy(); // broken mid-response: the client must not take a truncated body as whole
  }

  private tunnel(upstream: Upstream, buf: Buffer): void {
    // 101 Switching Protocols: the connection becomes a byte tunnel and leaves the pool.
    this.handler.port.metrics.observeHttp((performance.now() - this.startedAt) / 1000, 101);
    this.state = State.Closing;
    upstream.user = undefined;
    upstream.socket.removeAllListeners('data');
    upstream.socket.setTimeout(0);
    this.socket.removeAllListeners('data');
    this.socket.write(buf);
    if (this.buffered) upstream.socket.write(this.buffered);
    this.buffered = undefined;
    upstream.socket.pipe(this.socket);
    this.socket.pipe(upstream.socket);
    this.socket.resume();
  }

  private fail(response: Buffer, code: number): void {
    this.handler.port.metrics.observeHttp((performance.now() - this.startedAt) / 1000, code);
    this.state = State.Closing;
    this.buffered = undefined;
    this.socket.end(response);
  }

  /** The client half-closed: answer what it sent, then close. */
  onClientEnd(): void {
    this.keepAlive = false;
    if (this.state === State.Idle) {
      this.state = State.Closing;
      this.socket.end();
    }
  }

  onClientGone(): void {
    if (!this.gone) {
      this.gone = true;
      const metrics = this.handler.port.metrics;
      metrics.activeConnections--;
      metrics.bytesIn += this.socket.bytesRead;
      metrics.bytesOut += this.socket.bytesWritten;
    }
    const upstream = this.upstream;
    if (this.state === State.Busy && upstream !== undefined) {
      this.backend!.active--;
      this.upstream = undefined;
      upstream.user = undefined;
      upstream.socket.destroy(); // a response in flight cannot be reused safely
    }
    this.state = State.Closing;
  }
}

export class HttpHandler implements ConnectionHandler {
  readonly options: HttpOptions;
  readonly pool: UpstreamPool;

  constructor(
    readonly port: UserspacePort,
    options: Partial<HttpOptions> = {},
  ) {
    this.options = { ...defaultHttpOptions, ...options };
    this.pool = new UpstreamPool({
      maxIdlePerEndpoint: this.options.maxIdlePerEndpoint,
      timeoutMs: this.options.upstreamTimeoutMs,
    });
  }

  handle(socket: Socket): void {
    const client = socket as ClientSocket;
    this.port.metrics.connections++;
    this.port.metrics.activeConnections++;
    client[kClient] = new ClientConnection(socket, this);
    client.on('data', onClientData);
    client.on('drain', onClientDrain);
    client.on('error', onClientGone);
    client.on('close', onClientGone);
    client.on('end', onClientEnd);
    client.setTimeout(this.options.clientIdleTimeoutMs, onClientTimeout);
  }

  endpointsChanged(): void {
    this.pool.dropRemoved();
  }

  close(): void {
    this.pool.close();
  }
}
