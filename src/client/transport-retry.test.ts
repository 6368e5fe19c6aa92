import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import { createTransport } from './transport.js';

const status = (code: number, reason: string) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: reason });

/** A server answering from a script of [code, retry-after] replies, then 200 `{"ok":true}`. */
async function scripted(replies: Array<[number, string | undefined]>) {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      seen.push(`${req.method} ${body}`);
      const next = replies.shift();
      if (!next) return res.end('{"ok":true}');
      const [code, retryAfter] = next;
      if (retryAfter !== undefined) res.setHeader('retry-after', retryAfter);
      res.statusCode = code;
      res.end(status(code, code === 429 ? 'TooManyRequests' : 'ServiceUnavailable'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { seen, server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

describe('transport retries as client-go does', () => {
  it('retries a 429 after its Retry-After pause, with the same body', async () => {
    const api = await scripted([
      [429, '1'],
      [429, '0'],
    ]);
    const transport = createTransport({ server: api.server });
    const started = performance.now();
    expect(await transport.json('POST', '/x', { body: { a: 1 } })).toEqual({ ok: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(api.seen).toEqual(['POST {"a":1}', 'POST {"a":1}', 'POST {"a":1}']);
    await transport.close();
  });

  it('retries a 5xx only when it carries Retry-After', async () => {
    const withHeader = await scripted([[503, '0']]);
    const t1 = createTransport({ server: withHeader.server });
    expect(await t1.json('GET', '/x')).toEqual({ ok: true });
    expect(withHeader.seen).toHaveLength(2);
    const without = await scripted([[503, undefined]]);
    const t2 = createTransport({ server: without.server });
    await expect(t2.json('GET', '/x')).rejects.toMatchObject({ httpCode: 503 });
    expect(without.seen).toHaveLength(1);
    await Promise.all([t1.close(), t2.close()]);
  });

  it('gives up after maxRetries with the TooManyRequests error', async () => {
    const api = await scripted([
      [429, '0'],
      [429, '0'],
      [429, '0'],
    ]);
    const transport = createTransport({ server: api.server, maxRetries: 2 });
    const err = await transport.json('GET', '/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).reason).toBe('TooManyRequests');
    expect(api.seen).toHaveLength(3);
    await transport.close();
  });

  it('stops waiting when the request is aborted', async () => {
    const api = await scripted([[429, '5']]);
    const transport = createTransport({ server: api.server });
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('stop')), 100);
    const started = performance.now();
    await expect(transport.json('GET', '/x', { signal: abort.signal })).rejects.toThrow('stop');
    expect(performance.now() - started).toBeLessThan(2000);
    await transport.close();
  });
});
