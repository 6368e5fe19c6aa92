// The http (L7) data path end to end against node:http backends: keep-alive and backend connection
// reuse, X-Forwarded-For, chunked and large bodies, pipelining, per-request balancing, retries,
// 502/503, metrics.
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';
import type { HttpOptions } from '../src/proxy/l7/http-handler.js';
import {
  makeEndpoints,
  makeService,
  metricValue,
  newProxier,
  servicePort,
  sha256,
  startBackend,
  useCleanups,
} from './proxy-fixtures.js';

const cleanups = useCleanups();

interface HttpBackend {
  name: string;
  port: number;
  server: Server;
  connections: number;
  requests: Array<{ method: string; url: string; xff: string | undefined; connection: string | undefined }>;
}

async function httpBackend(name: string, handle?: (req: IncomingMessage, res: ServerResponse) => void) {
  const backend: HttpBackend = {
    name,
    port: 0,
    server: undefined as unknown as Server,
    connections: 0,
    requests: [],
  };
  const server = createServer((req, res) => {
    backend.requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      xff: req.headers['x-forwarded-for'] as string | undefined,
      connection: req.headers.connection,
    });
    if (handle) return handle(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      res.setHeader('x-backend', name);
      if (req.url === '/slow') return void setTimeout(() => res.end(name), 1000);
      if (req.url === '/chunked') {
        res.write(body.subarray(0, body.length >> 1));
        setTimeout(() => res.end(body.subarray(body.length >> 1)), 5);
        return;
      }
      res.end(req.url === '/echo' ? body : name);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', () => backend.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  backend.server = server;
  backend.port = (server.address() as { port: number }).port;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return backend;
}

let engine: 'native' | 'js' = 'native';

function proxierFor(http: Partial<HttpOptions> = {}) {
  const made = newProxier({ mode: 'http', http: { engine, ...http } });
  cleanups.push(() => made.proxier.close());
  return made;
}

async function serve(ports: number[], http: Partial<HttpOptions> = {}) {
  const made = proxierFor(http);
  made.proxier.onServiceAdd(makeService('web'));
  made.proxier.onEndpointsAdd(makeEndpoints('web', ports));
  expect((await made.proxier.sync()).failed).toEqual([]);
  return { ...made, port: servicePort(made.proxier, 'web') };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request on its own connection (Connection: close), optionally chunked. */
function send(port: number, method: string, path: string, body?: Buffer, chunked = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { connection: 'close' };
    if (body && !chunked) headers['content-length'] = String(body.length);
    const req = request({ host: '127.0.0.1', port, method, path, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body && chunked) {
      req.write(body.subarray(0, body.length >> 1));
      req.end(body.subarray(body.length >> 1));
    } else {
      req.end(body);
    }
  });
}

/** Writes raw bytes and collects the raw reply until the proxy closes the connection or `until` matches. */
function raw(port: number, payload: string, until?: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      text += d;
      if (until?.(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(payload);
  });
}

describe.each(['native', 'js'] as const)('http proxy (%s engine)', (which) => {
  beforeEach(() => {
    engine = which;
  });

  it('reuses backend connections for connection-per-request clients and adds X-Forwarded-For', async () => {
    const backend = await httpBackend('a');
    const { port } = await serve([backend.port]);
    for (let i = 0; i < 20; i++) {
      const reply = await send(port, 'GET', `/n${i}`);
      expect(reply.status).toBe(200);
      expect(reply.body.toString()).toBe('a');
      expect(reply.headers.connection).toBe('close');
    }
    expect(backend.requests).toHaveLength(20);
    expect(backend.connections).toBe(1);
    expect(new Set(backend.requests.map((r) => r.xff))).toEqual(new Set(['127.0.0.1']));
    expect(backend.requests.every((r) => r.connection !== 'close')).toBe(true);
  });

  it('serves keep-alive clients and pipelined requests in order', async () => {
    const backend = await httpBackend('a');
    const { port } = await serve([backend.port]);
    const three = ['/1', '/2', '/3'].map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`).join('');
    const text = await raw(
      port,
      three,
      (t) => (t.match(/HTTP\/1\.1 200/g) ?? []).length === 3 && t.endsWith('a'),
    );
    expect((text.match(/HTTP\/1\.1 200/g) ?? []).length).toBe(3);
    expect(backend.requests.map((r) => r.url)).toEqual(['/1', '/2', '/3']);
  });

  it('carries chunked request and response bodies and large bodies intact', async () => {
    const backend = await httpBackend('a');
    const { port } = await serve([backend.port]);
    const body = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 1024) body.writeUInt32LE(i, i);
    // First on a new upstream connection: the body backlog waits for the connect, then flows.
    const chunked = await send(port, 'POST', '/chunked', body, true);
    expect(chunked.status).toBe(200);
    expect(chunked.headers['transfer-encoding']).toBe('chunked');
    expect(sha256(chunked.body)).toBe(sha256(body));
    const small = await send(port, 'POST', '/chunked', Buffer.from('hello world'), true);
    expect(small.body.toString()).toBe('hello world');
    const plain = await send(port, 'PUT', '/echo', body);
    expect(sha256(plain.body)).toBe(sha256(body));
    const head = await send(port, 'HEAD', '/x');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('balances each request on outstanding requests', async () => {
    const a = await httpBackend('a');
    const b = await httpBackend('b');
    const { port } = await serve([a.port, b.port]);
    const slow = send(port, 'GET', '/slow');
    while (a.requests.length + b.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const busy = a.requests.length === 1 ? 'a' : 'b';
    const fast: string[] = [];
    for (let i = 0; i < 4; i++) fast.push((await send(port, 'GET', '/fast')).body.toString());
    expect(fast).toEqual(Array(4).fill(busy === 'a' ? 'b' : 'a'));
    expect((await slow).body.toString()).toBe(busy);
  });

  it('answers 408 to a client that trickles a request head past the head timeout (slowloris)', async () => {
    const backend = await httpBackend('a');
    const { port } = await serve([backend.port], { requestHeadTimeoutMs: 1000 });
    const socket = connect({ host: '127.0.0.1', port });
    cleanups.push(() => void socket.destroy());
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      text += d;
    });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    // One header byte every 200 ms keeps the connection busy, never idle, and never ends the head.
    const trickle = setInterval(() => socket.writable && socket.write('X'), 200);
    try {
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
    } finally {
      clearInterval(trickle);
    }
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(backend.requests).toHaveLength(0);
    // A prompt client on the same service is unaffected.
    expect((await send(port, 'GET', '/ok')).status).toBe(200);
  });

  it('answers 503 without endpoints and 502 when no endpoint answers', async () => {
    const dead = await startBackend('dead');
    await dead.close();
    const { proxier, port, registry } = await serve([]);
    expect((await send(port, 'GET', '/')).status).toBe(503);
    proxier.onEndpointsUpdate(makeEndpoints('web', []), makeEndpoints('web', [dead.port]));
    await proxier.sync();
    expect((await send(port, 'GET', '/')).status).toBe(502);
    expect(await metricValue(registry, 'kubelite_proxy_http_responses_total', { code: '503' })).toBe(1);
    expect(await metricValue(registry, 'kubelite_proxy_http_responses_total', { code: '502' })).toBe(1);
  });

  it('retries a refused connect on another endpoint, and answers 502 when a backend breaks', async () => {
    const dead = await startBackend('dead');
    await dead.close();
    const good = await httpBackend('good');
    const broken = await httpBackend('broken', (req) => req.socket.destroy());
    const { port, registry, proxier } = await serve([dead.port, good.port]);
    for (let i = 0; i < 4; i++) expect((await send(port, 'GET', '/')).body.toString()).toBe('good');
    expect(await metricValue(registry, 'kubelite_proxy_retries_total')).toBeGreaterThan(0);
    proxier.onEndpointsUpdate(makeEndpoints('web', []), makeEndpoints('web', [broken.port]));
    await proxier.sync();
    expect((await send(port, 'POST', '/', Buffer.from('x'))).status).toBe(502);
    expect(await metricValue(registry, 'kubelite_proxy_http_responses_total', { code: '200' })).toBe(4);
  });

  it('retries an idempotent request when a pooled connection turns out closed', async () => {
    // The backend drops every connection at its second request, as a server closing an idle
    // keep-alive connection just as the proxy reuses it.
    const seen = new WeakMap<object, number>();
    const backend = await httpBackend('a', (req, res) => {
      const n = (seen.get(req.socket) ?? 0) + 1;
      seen.set(req.socket, n);
      if (n > 1) return void req.socket.destroy();
      res.end('a');
    });
    const { port, registry } = await serve([backend.port]);
    expect((await send(port, 'GET', '/')).status).toBe(200);
    expect((await send(port, 'GET', '/')).status).toBe(200);
    expect(backend.connections).toBe(2);
    expect(await metricValue(registry, 'kubelite_proxy_retries_total')).toBe(1);
  });

  it('bounds what it buffers for a client that does not read the response', async () => {
    const total = 256 * 1024 * 1024;
    let written = 0;
    const backend = await httpBackend('big', (_req, res) => {
      res.writeHead(200, { 'content-length': String(total) });
      const chunk = Buffer.alloc(64 * 1024, 0x62);
      const push = () => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', push);
        }
        res.end();
      };
      push();
    });
    const { port } = await serve([backend.port]);
    const socket = connect({ host: '127.0.0.1', port });
    cleanups.push(() => void socket.destroy());
    socket.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.pause();
    await new Promise((r) => setTimeout(r, 1500));
    // Kernel socket buffers on both hops plus the proxy's bounded backlog: far below the total.
    expect(written).toBeLessThan(64 * 1024 * 1024);
    let received = 0;
    socket.on('data', (d: Buffer) => {
      received += d.length;
    });
    socket.resume();
    const deadline = Date.now() + 30_000;
    while (received < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(received).toBeGreaterThan(total); // the body plus the response head
  });

  it('counts requests and durations per service', async () => {
    const backend = await httpBackend('a');
    const { port, registry } = await serve([backend.port]);
    for (let i = 0; i < 5; i++) await send(port, 'GET', '/');
    const durations = await registry.getSingleMetric('kubelite_proxy_http_request_duration_seconds')?.get();
    const count = durations?.values.find((v) =>
      (v as { metricName?: string }).metricName?.endsWith('_count'),
    );
    expect(count?.value).toBe(5);
    expect(count?.labels).toMatchObject({ service: 'default/web:main', mode: 'http' });
  });
});
