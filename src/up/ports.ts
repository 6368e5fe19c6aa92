// Free ports for `kubelite up --port 0`: every wanted port is bound on its address at once (so no two
// requests get the same port), read back and released. Another process may take one between the
// release and the component's own bind; the component then fails to listen and is restarted with a
// fresh look at its log, which says so.
import { createServer, type Server } from 'node:net';

export interface PortRequest {
  host: string;
  /** A fixed port is returned as is; 0 asks for a free one. */
  port: number;
}

function listen(host: string): Promise<Server> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen({ host, port: 0, exclusive: true }, () => done(server));
  });
}

export async function choosePorts(requests: readonly PortRequest[]): Promise<number[]> {
  const held: Server[] = [];
  try {
    const ports: number[] = [];
    for (const request of requests) {
      if (request.port !== 0) {
        ports.push(request.port);
        continue;
      }
      const server = await listen(request.host);
      held.push(server);
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error(`no port on ${request.host}`);
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(held.map((s) => new Promise((done) => s.close(done))));
  }
}
