// The tcp (L4) data path end to end, with the native pump and the JavaScript pump: balancing,
// affinity, retries, churn, half-close, large bodies, backpressure, metrics.
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Proxier } from '../src/proxy/proxier.js';
import { FakeClock } from '../src/util/clock.js';
import {
  type Backend,
  counts,
  makeEndpoints,
  makeService,
  metricValue,
  newProxier,
  servicePort,
  sha256,
  startBackend,
  useCleanups,
  whoAnswers,
} from './proxy-fixtures.js';

const cleanups = useCleanups();

async function backends(n: number, onSocket?: (s: Socket) => void): Promise<Backend[]> {
  const list = await Promise.all(Array.from({ length: n }, (_, i) => startBackend(`b${i}`, onSocket)));
  cleanups.push(() => Promise.all(list.map((b) => b.close())).then(() => undefined));
  return list;
}

describe.each(['native', 'native-splice', 'js'] as const)('tcp proxy (%s pump)', (engine) => {
  function proxierFor(extra: Parameters<typeof newProxier>[0] = {}) {
    const made = newProxier({ tcp: { engine }, ...extra });
    cleanups.push(() => made.proxier.close());
    return made;
  }

  async function serve(proxier: Proxier, name: string, ports: number[], options = {}): Promise<number> {
    proxier.onServiceAdd(makeService(name, options));
    proxier.onEndpointsAdd(makeEndpoints(name, ports));
    const result = await proxier.sync();
    expect(result.failed).toEqual([]);
    return servicePort(proxier, name);
  }

  it('spreads connections round-robin', async () => {
    const bs = await backends(3);
    const { proxier } = proxierFor();
    const port = await serve(
      proxier,
      'rr',
      bs.map((b) => b.port),
    );
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) seen.push(await whoAnswers(port));
    expect(counts(seen)).toEqual({ b0: 10, b1: 10, b2: 10 });
  });

  it('sends new connections to the endpoint with the fewest open ones', async () => {
    const bs = await backends(2);
    const { proxier, registry } = proxierFor();
    const port = await serve(
      proxier,
      'lc',
      bs.map((b) => b.port),
      { balancing: 'least-connections' },
    );
    const open: Array<{ socket: Socket; name: string }> = [];
    const hold = () =>
      new Promise<{ socket: Socket; name: string }>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port });
        socket.once('data', (d) => resolve({ socket, name: d.toString().trim() }));
      });
    for (let i = 0; i < 4; i++) open.push(await hold());
    expect(counts(open.map((o) => o.name))).toEqual({ b0: 2, b1: 2 });
    for (const o of open.filter((o) => o.name === 'b0')) o.socket.destroy();
    // The proxy counts the closed connections (its balancer state) once both halves closed.
    await waitFor(async () => (await metricValue(registry, 'kubelite_proxy_active_connections')) === 2);
    const next = [await hold(), await hold()];
    expect(next.map((o) => o.name)).toEqual(['b0', 'b0']);
    for (const o of [...open, ...next]) o.socket.destroy();
  });

  it('keeps a client on one endpoint with ClientIP affinity until the timeout', async () => {
    const bs = await backends(3);
    const clock = new FakeClock(Date.now());
    const { proxier } = proxierFor({ clock });
    const port = await serve(
      proxier,
      'aff',
      bs.map((b) => b.port),
      { affinityTimeoutSeconds: 10 },
    );
    const first = await whoAnswers(port);
    for (let i = 0; i < 5; i++) expect(await whoAnswers(port)).toBe(first);
    clock.advance(10_001);
    expect(await whoAnswers(port)).not.toBe(first);
  });

  it('resets clients at once when the service has no endpoints', async () => {
    const { proxier } = proxierFor();
    const port = await serve(proxier, 'empty', []);
    await expect(whoAnswers(port)).rejects.toThrow();
  });

  it('retries a refused connect on another endpoint', async () => {
    const bs = await backends(1);
    const dead = await startBackend('dead');
    await dead.close();
    const { proxier, registry } = proxierFor();
    const port = await serve(proxier, 'retry', [dead.port, bs[0]!.port]);
    for (let i = 0; i < 6; i++) expect(await whoAnswers(port)).toBe('b0');
    // Round-robin meets the dead endpoint first on at least every other connection; each such
    // connection is retried once, on the live endpoint.
    const retries = await metricValue(registry, 'kubelite_proxy_retries_total');
    expect(retries).toBeGreaterThanOrEqual(3);
    expect(await metricValue(registry, 'kubelite_proxy_connect_errors_total')).toBe(retries);
  });

  it('keeps routing new connections while endpoints churn (zero failures)', async () => {
    const bs = await backends(4);
    const { proxier } = proxierFor();
    const port = await serve(
      proxier,
      'churn',
      bs.map((b) => b.port),
    );
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const client = async () => {
      while (!stop) {
        try {
          await whoAnswers(port);
          ok++;
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    const sets = [[0, 1], [1], [1, 2, 3], [3], [0, 3], [2], [0, 1, 2, 3]];
    for (let round = 0; round < 40; round++) {
      const set = sets[round % sets.length]!;
      proxier.onEndpointsUpdate(
        makeEndpoints('churn', []),
        makeEndpoints(
          'churn',
          set.map((i) => bs[i]!.port),
        ),
      );
      await proxier.sync();
      await new Promise((r) => setTimeout(r, 10));
    }
    stop = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(40);
  });

  it('lets connections to a removed endpoint drain while new ones go elsewhere', async () => {
    const bs = await backends(2);
    const { proxier } = proxierFor();
    const port = await serve(proxier, 'drain', [bs[0]!.port]);
    const socket = connect({ host: '127.0.0.1', port });
    cleanups.push(() => void socket.destroy());
    const lines = collectLines(socket);
    await waitFor(() => lines.length === 1);
    proxier.onEndpointsUpdate(makeEndpoints('drain', []), makeEndpoints('drain', [bs[1]!.port]));
    await proxier.sync();
    expect(await whoAnswers(port)).toBe('b1');
    socket.write('still here\n');
    await waitFor(() => lines.length === 2);
    expect(lines).toEqual(['b0', 'still here']);
  });

  it('creates and deletes services while traffic flows to another', async () => {
    const bs = await backends(2);
    const { proxier } = proxierFor();
    const port = await serve(proxier, 'steady', [bs[0]!.port]);
    let stop = false;
    const failures: string[] = [];
    let ok = 0;
    const loop = (async () => {
      while (!stop) {
        try {
          expect(await whoAnswers(port)).toBe('b0');
          ok++;
        } catch (err) {
          failures.push(String(err));
        }
      }
    })();
    for (let i = 0; i < 20; i++) {
      const name = `tmp${i}`;
      const tmpPort = await serve(proxier, name, [bs[1]!.port]);
      expect(await whoAnswers(tmpPort)).toBe('b1');
      proxier.onServiceDelete(makeService(name));
      proxier.onEndpointsDelete(makeEndpoints(name, []));
      const result = await proxier.sync();
      expect(result.closed).toEqual([`default/${name}:main`]);
      await expect(whoAnswers(tmpPort, 1000)).rejects.toThrow();
    }
    stop = true;
    await loop;
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(0);
  });

  it('forwards half-close in both directions', async () => {
    const bs = await backends(1, (socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (d) => chunks.push(d));
      socket.on('end', () => {
        socket.write(Buffer.concat(chunks));
        setTimeout(() => socket.end('bye'), 50);
      });
    });
    const { proxier } = proxierFor();
    const port = await serve(proxier, 'half', [bs[0]!.port]);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      const chunks: Buffer[] = [];
      socket.on('data', (d) => chunks.push(d));
      socket.on('end', () => resolve(Buffer.concat(chunks).toString()));
      socket.on('error', reject);
      socket.end('hello');
    });
    expect(reply).toBe('hellobye');
  });

  it('carries large bodies intact both ways', async () => {
    const bs = await backends(1, (socket) => socket.pipe(socket));
    const { proxier, registry } = proxierFor();
    const port = await serve(proxier, 'large', [bs[0]!.port]);
    const body = Buffer.alloc(32 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4096) body.writeUInt32LE((i ^ 0x9e3779b9) >>> 0, i);
    const echoed = await new Promise<Buffer>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      const chunks: Buffer[] = [];
      socket.on('data', (d) => chunks.push(d));
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
      socket.end(body);
    });
    expect(echoed.length).toBe(body.length);
    expect(sha256(echoed)).toBe(sha256(body));
    await waitFor(async () => (await metricValue(registry, 'kubelite_proxy_active_connections')) === 0);
    expect(await metricValue(registry, 'kubelite_proxy_bytes_total', { direction: 'in' })).toBe(body.length);
    expect(await metricValue(registry, 'kubelite_proxy_bytes_total', { direction: 'out' })).toBe(body.length);
    expect(await metricValue(registry, 'kubelite_proxy_connections_total')).toBe(1);
  });

  it('bounds what it buffers for a client that does not read', async () => {
    const total = 512 * 1024 * 1024;
    let accepted = 0;
    const bs = await backends(1, (socket) => {
      const chunk = Buffer.alloc(64 * 1024);
      const push = () => {
        while (accepted < total) {
          accepted += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', push);
        }
        socket.end();
      };
      push();
    });
    const { proxier } = proxierFor();
    const port = await serve(proxier, 'slow', [bs[0]!.port]);
    const socket = connect({ host: '127.0.0.1', port });
    cleanups.push(() => void socket.destroy());
    socket.pause();
    await new Promise((r) => setTimeout(r, 1500));
    // Kernel socket buffers on both hops plus the proxy's own bounded buffer: far below the total.
    expect(accepted).toBeLessThan(64 * 1024 * 1024);
    let received = 0;
    socket.on('data', (d) => (received += d.length));
    socket.resume();
    await waitFor(() => received === total, 30_000);
  });
});

function collectLines(socket: Socket): string[] {
  const lines: string[] = [];
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      lines.push(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf('\n');
    }
  });
  return lines;
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
