// Loads the native pump addon (built from source when missing or older than its sources) and talks
// to it: whole tcp and http service ports (JS hands over listening sockets, swaps endpoint sets and
// reads counters), or connected socket pairs from JS-balanced ports (affinity) to move bytes for.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PumpAddon {
  init(
    onClosed: (batch: Float64Array) => void,
    onAcknowledged: (tickets: Float64Array) => void,
    threads: number,
    idleMs: number,
    halfOpenMs: number,
  ): void;
  add(id: number, clientFd: number, endpointFd: number, splice: boolean): boolean;
  closeAll(): void;
  /** options: [maxAttempts, connectTimeoutMs, upstreamTimeoutMs, clientIdleMs, maxIdlePerEndpoint, requestHeadMs] */
  httpCreate(id: number, options: number[], bucketBounds: number[]): void;
  /** endpoints: [ip, port, ip, port, ...] (IPv4) */
  httpEndpoints(id: number, endpoints: Array<string | number>): void;
  httpListen(id: number, fd: number): boolean;
  /** True when `ticket` will be acknowledged once the service's listening descriptors are closed. */
  httpClose(id: number, ticket: number): boolean;
  httpStats(id: number): Float64Array;
  /** options: [leastConnections 0|1, maxAttempts, connectTimeoutMs, splice 0|1] */
  tcpCreate(id: number, options: number[]): void;
  /** endpoints: [ip, port, ip, port, ...] (IPv4) */
  tcpEndpoints(id: number, endpoints: Array<string | number>): void;
  tcpListen(id: number, fd: number): boolean;
  /** True when `ticket` will be acknowledged once the service's listening descriptors are closed. */
  tcpClose(id: number, ticket: number): boolean;
  /** [connections, active, bytesIn, bytesOut, connectErrors, retries] */
  tcpStats(id: number): Float64Array;
}

export interface PumpOptions {
  /** Pump threads (each an epoll loop); 1 suits a 2-core node. */
  threads: number;
  idleTimeoutMs: number;
  halfOpenTimeoutMs: number;
}

/** How a pumped pair ended, as the addon reports it. */
export enum PumpCloseReason {
  Done = 0,
  Error = 1,
  Idle = 2,
  Shutdown = 3,
}

export type PumpClosed = (id: number, bytesIn: number, bytesOut: number, reason: PumpCloseReason) => void;

const nativeDir = join(dirname(fileURLToPath(import.meta.url)), 'native');
const addonPath = join(nativeDir, 'build', 'kubelite_pump.node');
const sources = ['pump.h', 'pump.cc', 'http_engine.cc'].map((file) => join(nativeDir, file));

function stale(): boolean {
  if (!existsSync(addonPath)) return true;
  const built = statSync(addonPath).mtimeMs;
  return sources.some((file) => existsSync(file) && statSync(file).mtimeMs > built);
}

let addon: PumpAddon | undefined;
let loadError: Error | undefined;
const listeners = new Set<PumpClosed>();
/** Requests the pump threads acknowledge when done, by ticket. */
const awaiting = new Map<number, () => void>();
let nextTicket = 1;

function load(): PumpAddon | undefined {
  if (addon !== undefined || loadError !== undefined) return addon;
  try {
    if (stale()) execFileSync(process.execPath, [join(nativeDir, 'build.mjs')], { stdio: 'ignore' });
    addon = createRequire(import.meta.url)(addonPath) as PumpAddon;
  } catch (err) {
    loadError = err instanceof Error ? err : new Error(String(err));
  }
  return addon;
}

/** Why the native pump is unavailable, or undefined when it loads. */
export function nativePumpError(): Error | undefined {
  load();
  return loadError;
}

/** A listening server's descriptor (Linux), to hand over to the pump. */
export function serverFd(server: unknown): number | undefined {
  const fd = (server as { _handle?: { fd?: number } })._handle?.fd;
  return fd !== undefined && fd >= 0 ? fd : undefined;
}

/** The endpoints of a balancer as the pump takes them: [ip, port, ...]. */
export function endpointList(backends: ReadonlyArray<{ ip: string; port: number }>): Array<string | number> {
  const list: Array<string | number> = [];
  for (const backend of backends) list.push(backend.ip, backend.port);
  return list;
}

export class NativePump {
  private static instance: NativePump | undefined;

  private constructor(private readonly native: PumpAddon) {}

  /** The process-wide pump (one set of threads per process), started on first use. */
  static get(options: PumpOptions): NativePump | undefined {
    if (NativePump.instance) return NativePump.instance;
    const native = load();
    if (native === undefined) return undefined;
    native.init(
      (batch) => {
        for (let i = 0; i + 3 < batch.length; i += 4) {
          for (const listener of listeners) listener(batch[i]!, batch[i + 1]!, batch[i + 2]!, batch[i + 3]!);
        }
      },
      (tickets) => {
        for (const ticket of tickets) {
          awaiting.get(ticket)?.();
          awaiting.delete(ticket);
        }
      },
      options.threads,
      options.idleTimeoutMs,
      options.halfOpenTimeoutMs,
    );
    NativePump.instance = new NativePump(native);
    return NativePump.instance;
  }

  onClosed(listener: PumpClosed): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /**
   * Moves a connected pair into the pump. On success both JS sockets are destroyed (the pump owns
   * duplicates of their descriptors); on failure they are left untouched for the JS pump.
   */
  adopt(id: number, client: Socket, endpoint: Socket, splice: boolean): boolean {
    const clientFd = (client as unknown as { _handle?: { fd?: number } })._handle?.fd;
    const endpointFd = (endpoint as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (clientFd === undefined || endpointFd === undefined || clientFd < 0 || endpointFd < 0) return false;
    if (!this.native.add(id, clientFd, endpointFd, splice)) return false;
    client.destroy();
    endpoint.destroy();
    return true;
  }

  closeAll(): void {
    this.native.closeAll();
  }

  /** The http engine's entry points (run on the first pump thread). */
  get http(): Pick<PumpAddon, 'httpCreate' | 'httpEndpoints' | 'httpListen' | 'httpStats'> {
    return this.native;
  }

  /** Native tcp services: accept, balance, connect and pump on the first pump thread. */
  get tcp(): Pick<PumpAddon, 'tcpCreate' | 'tcpEndpoints' | 'tcpListen' | 'tcpStats'> {
    return this.native;
  }

  /**
   * Stops a native tcp service; resolves once the pump thread has closed its listening descriptors
   * (new connections are refused and the address can be bound again). Open pairs drain.
   */
  closeTcp(id: number): Promise<void> {
    return acknowledged((ticket) => this.native.tcpClose(id, ticket));
  }

  /** As closeTcp, for a native http service (open client connections finish their requests). */
  closeHttp(id: number): Promise<void> {
    return acknowledged((ticket) => this.native.httpClose(id, ticket));
  }
}

/** Sends a request under a fresh ticket; resolves when the pump acknowledges it (at once if it will not). */
function acknowledged(send: (ticket: number) => boolean): Promise<void> {
  const ticket = nextTicket++;
  return new Promise((resolve) => {
    if (send(ticket)) awaiting.set(ticket, resolve);
    else resolve();
  });
}

let nextNativeServiceId = 1;

/** A fresh id for a service port run natively (tcp and http share the sequence). */
export function nativeServiceId(): number {
  return nextNativeServiceId++;
}
