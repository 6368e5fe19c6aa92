// The JavaScript pump: the fallback when the native addon is unavailable, and the baseline it is
// measured against. Chunks go from one socket's 'data' to the other's write() as Buffers (never
// strings); a full writer pauses its peer until 'drain' (memory per direction stays bounded by the
// stream high-water marks); FIN is forwarded with end(); an error resets the peer. Handlers are
// shared functions that find their pair through a symbol, so a connection allocates no closures.
import type { Socket } from 'node:net';

const kPeer = Symbol('peer');
const kPair = Symbol('pair');

type PumpedSocket = Socket & { [kPeer]: PumpedSocket; [kPair]: JsPair };

export type JsPairEnd = (pair: JsPair, bytesIn: number, bytesOut: number) => void;

export class JsPair {
  private closed = 0;

  constructor(
    readonly client: Socket,
    readonly endpoint: Socket,
    private readonly onEnd: JsPairEnd,
    readonly context: unknown,
  ) {}

  /** Called as each socket closes; reports once when both are closed. */
  socketClosed(): void {
    if (++this.closed === 2) this.onEnd(this, this.client.bytesRead, this.endpoint.bytesRead);
  }
}

function onData(this: PumpedSocket, chunk: Buffer): void {
  if (!this[kPeer].write(chunk)) this.pause();
}

function onDrain(this: PumpedSocket): void {
  this[kPeer].resume();
}

function onEnd(this: PumpedSocket): void {
  this[kPeer].end();
}

function onFinishOrEnd(this: PumpedSocket): void {
  // Both directions done (our write side finished and our read side ended): nothing more to move.
  if (this.writableFinished && this.readableEnded) this.destroy();
}

function onError(this: PumpedSocket): void {
  const peer = this[kPeer];
  if (!peer.destroyed) peer.resetAndDestroy();
}

function onTimeout(this: PumpedSocket): void {
  this.resetAndDestroy();
  this[kPeer].resetAndDestroy();
}

function onClose(this: PumpedSocket): void {
  const peer = this[kPeer];
  if (!peer.destroyed) peer.destroy();
  this[kPair].socketClosed();
}

function wire(socket: Socket, peer: Socket, pair: JsPair, idleTimeoutMs: number): void {
  const s = socket as PumpedSocket;
  s[kPeer] = peer as PumpedSocket;
  s[kPair] = pair;
  s.on('data', onData);
  s.on('drain', onDrain);
  s.on('end', onEnd);
  s.on('end', onFinishOrEnd);
  s.on('finish', onFinishOrEnd);
  s.on('error', onError);
  s.on('close', onClose);
  if (idleTimeoutMs > 0) s.setTimeout(idleTimeoutMs, onTimeout);
}

/** Starts moving bytes between two connected sockets (both created with allowHalfOpen). */
export function pumpJs(pair: JsPair, idleTimeoutMs: number): void {
  wire(pair.client, pair.endpoint, pair, idleTimeoutMs);
  wire(pair.endpoint, pair.client, pair, 0);
  pair.client.resume();
  pair.endpoint.resume();
}
