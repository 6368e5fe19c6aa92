// A watcher fleet for bench/apiserver.ts, run as a child process (several of them, so that reading
// thousands of watch streams does not bottleneck on one client thread). It holds `count` raw-socket
// watch connections and does the least work a watcher can: find the pod's sequence number in the
// bytes (no JSON parsing), check it is new to the connection, and when EVERY connection has seen event k, tell the parent
// when that happened (CLOCK_MONOTONIC, comparable across processes).
//
// IPC protocol: parent → {type:'start', url, path, count}; child → {type:'ready', opened, failed};
// child → {type:'seen', k, atMs} per event; parent → {type:'stop'}; child → {type:'done', stats}.
import { connect, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface StartMessage {
  type: 'start';
  url: string;
  /** e.g. /api/v1/namespaces/fan/pods?watch=true&resourceVersion=12 */
  path: string;
  count: number;
  /** Pods are named `${prefix}${k}`, k from 1 to `events`. */
  prefix: string;
  events: number;
}

export interface FleetStats {
  connections: number;
  /** Connections that ended before `stop` (closed by the server or failed). */
  lost: number;
  /** Events seen by at least one connection / by every live one. */
  eventsSeen: number;
  eventsComplete: number;
  /** Events delivered twice to a connection, or not written by the benchmark. */
  unexpected: number;
  eventLoopDelayP99Ms: number;
}

export type FleetMessage =
  | { type: 'ready'; opened: number; failed: number; error?: string }
  | { type: 'seen'; k: number; atMs: number }
  | { type: 'done'; stats: FleetStats };

export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

class WatchConnection {
  /** Which events this connection has seen (writes may commit, so arrive, out of k order). */
  readonly seen: Uint8Array;
  headers = false;
  ended = false;
  /** The start of a marker (or of its number) that the previous read cut off. */
  private carry: Buffer | undefined;

  constructor(
    readonly socket: Socket,
    private readonly marker: Buffer,
    events: number,
    private readonly onEvent: (conn: WatchConnection, k: number) => void,
  ) {
    this.seen = new Uint8Array(events + 1);
  }

  read(chunk: Buffer): void {
    if (!this.headers) {
      if (!chunk.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 200')) {
        this.socket.destroy(new Error(`watch answered ${chunk.subarray(0, 40).toString('latin1')}`));
        return;
      }
      this.headers = true;
    }
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    const marker = this.marker;
    for (let at = data.indexOf(marker); at >= 0; at = data.indexOf(marker, at + 1)) {
      let k = 0;
      let i = at + marker.length;
      for (; i < data.length; i++) {
        const c = data[i]!;
        if (c < 48 || c > 57) break;
        k = k * 10 + (c - 48);
      }
      if (i >= data.length) {
        this.carry = Buffer.from(data.subarray(at));
        return;
      }
      this.onEvent(this, k);
    }
    // A marker cut in two: the end of this read is a proper prefix of it.
    for (let n = Math.min(marker.length - 1, data.length); n > 0; n--) {
      if (data.compare(marker, 0, n, data.length - n, data.length) === 0) {
        this.carry = Buffer.from(data.subarray(data.length - n));
        return;
      }
    }
  }
}

function run(): void {
  const connections: WatchConnection[] = [];
  const remaining = new Map<number, number>();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let unexpected = 0;
  let eventsSeen = 0;
  let eventsComplete = 0;
  let stopping = false;
  let live = 0;

  const send = (message: FleetMessage) => process.send?.(message);

  const onEvent = (conn: WatchConnection, k: number) => {
    if (k >= conn.seen.length || conn.seen[k] === 1) {
      unexpected++;
      return;
    }
    conn.seen[k] = 1;
    let left = remaining.get(k);
    if (left === undefined) {
      left = live;
      eventsSeen++;
    }
    left--;
    if (left <= 0) {
      remaining.delete(k);
      eventsComplete++;
      send({ type: 'seen', k, atMs: nowMs() });
    } else remaining.set(k, left);
  };

  const open = (url: URL, path: string, marker: Buffer, events: number) =>
    new Promise<WatchConnection>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      socket.setNoDelay(true);
      const conn = new WatchConnection(socket, marker, events, onEvent);
      socket.once('connect', () => {
        socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: application/json\r\n\r\n`);
      });
      socket.on('data', (chunk: Buffer) => {
        const before = conn.headers;
        conn.read(chunk);
        if (!before && conn.headers) resolve(conn);
      });
      socket.once('error', (err) => {
        if (!conn.headers) reject(err);
      });
      socket.once('close', () => {
        if (!conn.ended && conn.headers && !stopping) {
          conn.ended = true;
          live--;
        }
        if (!conn.headers) reject(new Error('watch connection closed before its headers'));
      });
    });

  process.on('message', async (message: StartMessage | { type: 'stop' }) => {
    if (message.type === 'start') {
      delay.enable();
      const url = new URL(message.url);
      const marker = Buffer.from(`"name":"${message.prefix}`);
      let failed = 0;
      let error: string | undefined;
      // Open in batches: thousands of simultaneous connects overflow the listen backlog.
      for (let i = 0; i < message.count; i += 100) {
        const batch = Array.from({ length: Math.min(100, message.count - i) }, () =>
          open(url, message.path, marker, message.events),
        );
        for (const result of await Promise.allSettled(batch)) {
          if (result.status === 'fulfilled') connections.push(result.value);
          else {
            failed++;
            error ??= String(result.reason);
          }
        }
      }
      live = connections.length;
      send({ type: 'ready', opened: connections.length, failed, error });
    } else if (message.type === 'stop') {
      stopping = true;
      delay.disable();
      const stats: FleetStats = {
        connections: connections.length,
        lost: connections.filter((c) => c.ended).length,
        eventsSeen,
        eventsComplete,
        unexpected,
        eventLoopDelayP99Ms: Math.round(delay.percentile(99) / 1e4) / 100,
      };
      for (const c of connections) c.socket.destroy();
      send({ type: 'done', stats });
      process.disconnect?.();
    }
  });
}

if (process.send) run();
