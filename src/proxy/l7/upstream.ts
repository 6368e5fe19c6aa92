// Upstream connections of the http data path: one keep-alive pool per endpoint (a stack, so the
// warmest connection is reused first), connections parked when a response ends cleanly, closed when
// their endpoint leaves the service or when they sit idle past the timeout.
import { connect, type Socket } from 'node:net';
import type { Backend } from '../balancer/index.js';
import { BodyKind, ChunkedTracker, Head } from './http-parse.js';

/** What an upstream connection reports to the exchange using it. */
export interface UpstreamUser {
  onUpstreamConnect(upstream: Upstream): void;
  onUpstreamData(upstream: Upstream, chunk: Buffer): void;
  /** Connect failure, error or close; `beforeResponse` when no response byte had arrived. */
  onUpstreamGone(upstream: Upstream, beforeResponse: boolean): void;
  onUpstreamDrain(upstream: Upstream): void;
}

const kUpstream = Symbol('upstream');
type UpstreamSocket = Socket & { [kUpstream]: Upstream };

function onData(this: UpstreamSocket, chunk: Buffer): void {
  const upstream = this[kUpstream];
  if (upstream.user) upstream.user.onUpstreamData(upstream, chunk);
  else this.destroy(); // bytes on an idle connection: the stream is out of step, drop it
}

function onConnect(this: UpstreamSocket): void {
  const upstream = this[kUpstream];
  upstream.connected = true;
  upstream.user?.onUpstreamConnect(upstream);
}

function onGone(this: UpstreamSocket): void {
  const upstream = this[kUpstream];
  if (upstream.dead) return;
  upstream.dead = true;
  upstream.pool.forget(upstream);
  const user = upstream.user;
  upstream.user = undefined;
  user?.onUpstreamGone(upstream, !upstream.responseStarted);
}

function onDrain(this: UpstreamSocket): void {
  const upstream = this[kUpstream];
  upstream.user?.onUpstreamDrain(upstream);
}

function onTimeout(this: UpstreamSocket): void {
  this.destroy(new Error('upstream timeout'));
}

export class Upstream {
  user: UpstreamUser | undefined;
  connected = false;
  dead = false;
  /** Served at least one response before: a failure before the response may just be a stale reuse. */
  reused = false;
  responseStarted = false;
  /** Response parsing state, owned by the exchange. */
  readonly head = new Head();
  readonly chunked = new ChunkedTracker();
  headBuffer: Buffer | undefined;
  body = BodyKind.None;
  remaining = 0;

  constructor(
    readonly socket: Socket,
    readonly backend: Backend,
    readonly pool: UpstreamPool,
  ) {}
}

export interface UpstreamPoolOptions {
  maxIdlePerEndpoint: number;
  /** Idle pooled connections and silent upstreams are closed after this long. */
  timeoutMs: number;
}

export class UpstreamPool {
  private readonly idle = new Map<Backend, Upstream[]>();

  constructor(private readonly options: UpstreamPoolOptions) {}

  /** An idle connection to `backend`, or a new one (the user hears onUpstreamConnect). */
  acquire(backend: Backend, user: UpstreamUser): Upstream {
    const stack = this.idle.get(backend);
    while (stack !== undefined && stack.length > 0) {
      const upstream = stack.pop()!;
      if (upstream.dead) continue;
      upstream.user = user;
      upstream.responseStarted = false;
      return upstream;
    }
    const socket = connect({ host: backend.ip, port: backend.port, noDelay: true }) as UpstreamSocket;
    const upstream = new Upstream(socket, backend, this);
    upstream.user = user;
    socket[kUpstream] = upstream;
    socket.on('connect', onConnect);
    socket.on('data', onData);
    socket.on('drain', onDrain);
    socket.on('error', onGone);
    socket.on('close', onGone);
    socket.setTimeout(this.options.timeoutMs, onTimeout);
    return upstream;
  }

  /** Parks a connection whose response ended cleanly; closes it when it cannot be reused. */
  release(upstream: Upstream): void {
    upstream.user = undefined;
    upstream.reused = true;
    if (upstream.dead) return;
    const backend = upstream.backend;
    let stack = this.idle.get(backend);
    if (stack === undefined) this.idle.set(backend, (stack = []));
    if (backend.removed || stack.length >= this.options.maxIdlePerEndpoint) {
      upstream.socket.destroy();
      return;
    }
    stack.push(upstream);
  }

  forget(upstream: Upstream): void {
    const stack = this.idle.get(upstream.backend);
    if (stack === undefined) return;
    const at = stack.indexOf(upstream);
    if (at >= 0) stack.splice(at, 1);
  }

  /** Closes idle connections to endpoints that left the service. */
  dropRemoved(): void {
    for (const [backend, stack] of this.idle) {
      if (!backend.removed) continue;
      this.idle.delete(backend);
      for (const upstream of stack) upstream.socket.destroy();
    }
  }

  close(): void {
    for (const stack of this.idle.values()) for (const upstream of stack) upstream.socket.destroy();
    this.idle.clear();
  }
}
