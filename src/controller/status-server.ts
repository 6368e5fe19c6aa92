// The controller-manager's own HTTP port: /metrics (Prometheus text of its registry), /healthz and
// /livez (the process answers), /readyz (every enabled controller's caches have synced).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from '../metrics/registry.js';

export interface StatusServerOptions {
  registry: Registry;
  ready: () => boolean;
  host?: string;
  /** 0 = any free port. */
  port: number;
}

export interface StatusServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const text = (status: number, body: string) => ({ status, body, type: 'text/plain; charset=utf-8' });
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (r: { status: number; body: string; type: string }) =>
      res.writeHead(r.status, { 'content-type': r.type }).end(req.method === 'HEAD' ? undefined : r.body);
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(text(405, 'method not allowed'));
    switch (path) {
      case '/metrics':
        options.registry.metrics().then(
          (body) => reply({ status: 200, body, type: options.registry.contentType }),
          (e: unknown) => reply(text(500, String(e))),
        );
        return;
      case '/healthz':
      case '/livez':
        return reply(text(200, 'ok'));
      case '/readyz':
        return options.ready() ? reply(text(200, 'ok')) : reply(text(503, 'informers not synced'));
      default:
        return reply(text(404, 'not found'));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
