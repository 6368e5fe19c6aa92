// A loopback TCP proxy in front of an HTTP server for tests that need a network partition: hold()
// cuts every connection and parks new ones until release(). It also reads the plain HTTP going
// through: the request lines clients sent and the watch events that reported 410 Expired.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** http://127.0.0.1:PORT, to use instead of the target's URL. */
  readonly url: string;
  /** Request lines seen, in order: "GET /api/v1/...?watch=true&resourceVersion=12". */
  readonly requests: string[];
  /** How many `"reason":"Expired"` watch ERROR events the server sent through the proxy. */
  readonly expiredEvents: number;
  /** Destroys every open connection; new ones wait (accepted, not forwarded) until release(). */
  hold(): void;
  /** Forwards the waiting connections and every new one again. */
  release(): void;
  close(): Promise<void>;
}

const requestLine = /(?:^|\r\n)((?:GET|POST|PUT|PATCH|DELETE|HEAD) \S+) HTTP\/1\.1\r\n/g;
const expiredEvent = /"type":"ERROR","object":\{[^\n]*"reason":"Expired"/g;

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const open = new Set<Socket>();
  const waiting: Socket[] = [];
  const requests: string[] = [];
  let expiredEvents = 0;
  let held = false;

  const forward = (client: Socket) => {
    const upstream = connect(Number(target.port), target.hostname);
    open.add(client);
    open.add(upstream);
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(requestLine)) requests.push(m[1]!);
    });
    upstream.on('data', (chunk: Buffer) => {
      expiredEvents += chunk.toString('utf8').match(expiredEvent)?.length ?? 0;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.resume();
  };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    if (held) {
      waiting.push(client);
      client.on('error', () => client.destroy());
    } else forward(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get expiredEvents() {
      return expiredEvents;
    },
    hold() {
      held = true;
      for (const socket of [...open]) socket.destroy();
    },
    release() {
      held = false;
      for (const client of waiting.splice(0)) if (!client.destroyed) forward(client);
    },
    async close() {
      held = true;
      for (const socket of [...open, ...waiting]) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
