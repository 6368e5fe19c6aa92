// The probe handlers against real sockets on loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeRuntime } from '../runtime/fake/index.js';
import { resolvePort, runProbe } from './probe.js';

let server: Server;
let port: number;
const seen: Array<{ path?: string; ua?: string; x?: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({
      path: req.url,
      ua: req.headers['user-agent'],
      x: req.headers['x-probe'] as string | undefined,
    });
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
    res.writeHead(req.url === '/healthz' ? 200 : req.url === '/moved' ? 302 : 500);
    res.end('body');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const container = { name: 'web', ports: [{ name: 'http', containerPort: 8080 }] };
const target = (id = 'c') => ({ podIP: '127.0.0.1', container, containerId: id });
const runtime = createFakeRuntime({ nodeName: 'n' });

describe('probes', () => {
  it('httpGet: 2xx/3xx succeed, others fail with the status code; headers and user agent sent', async () => {
    const ok = await runProbe(
      { httpGet: { port, path: '/healthz', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } },
      target(),
      runtime,
    );
    expect(ok.ok).toBe(true);
    expect(seen.at(-1)).toEqual({ path: '/healthz', ua: 'kube-probe/1.32', x: 'yes' });
    expect((await runProbe({ httpGet: { port, path: '/moved' } }, target(), runtime)).ok).toBe(true);
    expect(await runProbe({ httpGet: { port, path: '/boom' } }, target(), runtime)).toEqual({
      ok: false,
      output: 'HTTP probe failed with statuscode: 500',
    });
  });

  it('httpGet: times out after timeoutSeconds and reports refused connections', async () => {
    const slow = await runProbe({ httpGet: { port, path: '/slow' }, timeoutSeconds: 1 }, target(), runtime);
    expect(slow.ok).toBe(false);
    expect(slow.output).toContain('context deadline exceeded');
    const refused = await runProbe({ httpGet: { port: 1, path: '/' } }, target(), runtime);
    expect(refused.output).toBe(
      'Get "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused',
    );
  });

  it('tcpSocket: an open port succeeds, a closed one fails', async () => {
    expect((await runProbe({ tcpSocket: { port } }, target(), runtime)).ok).toBe(true);
    expect(await runProbe({ tcpSocket: { port: 1 } }, target(), runtime)).toEqual({
      ok: false,
      output: 'dial tcp 127.0.0.1:1: connect: connection refused',
    });
  });

  it('exec: exit code 0 succeeds, output is kept', async () => {
    const rt = createFakeRuntime({
      nodeName: 'n',
      exec: (_id, cmd) => ({ exitCode: cmd[0] === 'true' ? 0 : 1, stdout: Buffer.from(cmd.join(' ')) }),
    });
    const { sandboxId } = await rt.runPodSandbox({ uid: 'u', namespace: 'd', name: 'p' });
    const id = await rt.createContainer(sandboxId, { name: 'web', image: 'i', attempt: 0 });
    await rt.startContainer(id);
    expect(await runProbe({ exec: { command: ['true'] } }, target(id), rt)).toEqual({
      ok: true,
      output: 'true',
    });
    expect(await runProbe({ exec: { command: ['false', 'x'] } }, target(id), rt)).toEqual({
      ok: false,
      output: 'false x',
    });
  });

  it('resolves named ports', () => {
    expect(resolvePort('http', container)).toBe(8080);
    expect(resolvePort('81', container)).toBe(81);
    expect(() => resolvePort('nope', container)).toThrow(/cannot find port/);
  });
});
