// The small HTTP port every kubelite component but the apiserver and kubelet serves (scheduler,
// controller-manager, proxy): /metrics (Prometheus text of the component's registry), /healthz and
// /livez (the process answers), /readyz (the component says it is ready, e.g. informers synced).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from './registry.js';

export interface StatusServerOptions {
  registry: Registry;
  /** /readyz answers 200 while this is true, else 503 with `notReadyMessage`. */
  ready: () => boolean;
  /** Default 'not ready'. */
  notReadyMessage?: string;
  /** /healthz and /livez answer 503 while this is false. Default: always healthy. */
  healthy?: () => boolean;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = any free port. */
  port: number;
}

export interface StatusServer {
  readonly server: Server;
  /** The bound address. */
  readonly host: string;
  readonly port: number;
  /** http://host:port (IPv6 hosts bracketed). */
  readonly url: string;
  /** Stops listening and cuts open connections (scrapers keep theirs alive). */
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: string;
  type: string;
}

const text = (status: number, body: string): Reply => ({ status, body, type: 'text/plain; charset=utf-8' });

export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const notReady = options.notReadyMessage ?? 'not ready';
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (r: Reply) =>
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
        return options.healthy?.() === false ? reply(text(503, 'unhealthy')) : reply(text(200, 'ok'));
      case '/readyz':
        return options.ready() ? reply(text(200, 'ok')) : reply(text(503, notReady));
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
    server,
    host: address,
    port,
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
