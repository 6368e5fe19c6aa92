// The kubelet's HTTP API on the node address (Kubernetes' port 10250): /healthz,
// /pods (a PodList of what runs here), /metrics, and /containerLogs/{namespace}/{pod}/{container}
// which the apiserver's pods/{name}/log proxies to (so `kubectl logs [-f] [--previous]` works).
// HTTPS with client certificates and an `authorize` hook when `tls` is given (docs/security.md);
// plain HTTP without (tests, the process and fake runtimes on a developer machine).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { Pod } from '../../api/types.js';
import type { Registry } from '../../metrics/registry.js';
import type { Logger } from '../../util/log.js';
import { type LogLookup, openContainerLog } from './container-logs.js';

export interface KubeletServerOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  registry: Registry;
  logger: Logger;
  /** The pods this kubelet runs, with their current status. */
  pods(): Pod[];
  logs: LogLookup;
  healthy(): boolean;
  /** Serve HTTPS with this certificate; with `clientCA`, clients may present certificates it signed. */
  tls?: KubeletServingTls;
  /** Who may call which path (default everyone): 'allow', or the status to refuse with (401, 403). */
  authorize?: (req: IncomingMessage, path: string) => 'allow' | 401 | 403;
}

export interface KubeletServingTls {
  cert: string | Buffer;
  key: string | Buffer;
  clientCA?: string | Buffer;
}

export interface KubeletServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function handle(o: KubeletServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://kubelet');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'text/plain', 'method not allowed\n');
    return;
  }
  const path = url.pathname;
  const access = o.authorize?.(req, path) ?? 'allow';
  if (access !== 'allow') {
    send(res, access, 'text/plain', access === 401 ? 'Unauthorized\n' : `Forbidden (path=${path})\n`);
    return;
  }
  if (path === '/healthz') {
    const ok = o.healthy();
    send(res, ok ? 200 : 500, 'text/plain', ok ? 'ok' : 'not healthy');
    return;
  }
  if (path === '/pods' || path === '/pods/') {
    const list = { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: o.pods() };
    send(res, 200, 'application/json', JSON.stringify(list));
    return;
  }
  if (path === '/metrics') {
    send(res, 200, o.registry.contentType, await o.registry.metrics());
    return;
  }
  const logs = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(path);
  if (logs) {
    const [namespace, pod, container] = logs.slice(1).map(decodeURIComponent) as [string, string, string];
    const result = await openContainerLog(o.logs, namespace, pod, container, url.searchParams);
    if (!result.ok) {
      send(res, result.code, 'text/plain', result.message);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    res.once('close', () => result.stream.destroy());
    try {
      await pipeline(result.stream, res);
    } catch {
      res.destroy();
    }
    return;
  }
  send(res, 404, 'text/plain', '404 page not found\n');
}

export function startKubeletServer(o: KubeletServerOptions): Promise<KubeletServer> {
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(o, req, res).catch((err) => {
      o.logger.error({ err, url: req.url }, 'kubelet API request failed');
      if (!res.headersSent) send(res, 500, 'text/plain', String((err as Error).message));
      else res.destroy();
    });
  };
  const tls = o.tls;
  const server: Server = tls
    ? (createHttpsServer(
        {
          cert: tls.cert,
          key: tls.key,
          minVersion: 'TLSv1.2',
          ...(tls.clientCA ? { ca: tls.clientCA, requestCert: true, rejectUnauthorized: false } : {}),
        },
        listener,
      ) as unknown as Server)
    : createServer(listener);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      const host = o.host.includes(':') ? `[${o.host}]` : o.host;
      resolve({
        port,
        url: `${tls ? 'https' : 'http'}://${host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
