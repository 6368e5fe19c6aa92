// Black-box: the apiserver's overload limits over real sockets — read-only and mutating in-flight
// caps (429 + Retry-After, watches exempt), request timeouts (504), watches per user (429), request
// head and body sizes (431, 413). A test stage holds requests inside the server to fill the slots.
import { connect } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTokenFile } from '../src/apiserver/auth/token-file.js';
import type { Stage } from '../src/apiserver/pipeline.js';
import { type StartedApiServer, startApiServer } from './harness/apiserver.js';
import { http, watch } from './harness/http.js';

const servers: StartedApiServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

/** A stage that parks requests carrying `x-hold` until released. */
function holder() {
  const waiting: Array<() => void> = [];
  const stage: Stage = async (ctx, next) => {
    if (ctx.req.headers['x-hold']) await new Promise<void>((release) => waiting.push(release));
    await next();
  };
  return {
    stage,
    held: () => waiting.length,
    releaseAll: () => {
      for (const release of waiting.splice(0)) release();
    },
  };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
});

describe('in-flight limits', () => {
  it('answers 429 with Retry-After past the mutating and read-only caps; watches take no slot', async () => {
    const hold = holder();
    const api = await startApiServer({
      limits: { maxMutatingRequestsInflight: 2, maxRequestsInflight: 1 },
      stages: [hold.stage],
    });
    servers.push(api);
    const base = '/api/v1/namespaces/default/pods';
    const parked = [1, 2].map((i) => http(api.url, 'POST', base, pod(`held-${i}`), { 'x-hold': '1' }));
    await until(() => hold.held() === 2);
    const rejected = await http(api.url, 'POST', base, pod('third'));
    expect(rejected.status).toBe(429);
    expect(rejected.headers['retry-after']).toBe('1');
    expect(rejected.json).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
    // Reads have their own pool, and a watch does not take a read slot.
    const stream = await watch(api.url, `${base}?watch=true`);
    expect((await http(api.url, 'GET', base)).status).toBe(200);
    const readHeld = http(api.url, 'GET', base, undefined, { 'x-hold': '1' });
    await until(() => hold.held() === 3);
    expect((await http(api.url, 'GET', '/api/v1/namespaces')).status).toBe(429);
    hold.releaseAll();
    expect((await Promise.all(parked)).map((r) => r.status)).toEqual([201, 201]);
    expect((await readHeld).status).toBe(200);
    expect((await http(api.url, 'POST', base, pod('third'))).status).toBe(201);
    stream.close();
  });
});

describe('request timeouts', () => {
  it('answers 504 Timeout when a request outlives the deadline, and honours a shorter ?timeout=', async () => {
    const hold = holder();
    const api = await startApiServer({ limits: { requestTimeoutMs: 400 }, stages: [hold.stage] });
    servers.push(api);
    const started = Date.now();
    const slow = await http(api.url, 'GET', '/api/v1/namespaces/default/pods', undefined, { 'x-hold': '1' });
    expect(slow.status).toBe(504);
    expect(slow.json).toMatchObject({
      kind: 'Status',
      reason: 'Timeout',
      code: 504,
      message: 'Timeout: request did not complete within requested timeout - context deadline exceeded',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    const quick = await http(api.url, 'GET', '/api/v1/namespaces/default/pods?timeout=50ms', undefined, {
      'x-hold': '1',
    });
    expect(quick.status).toBe(504);
    hold.releaseAll();
    // Watches are long-running: no deadline.
    const stream = await watch(api.url, '/api/v1/namespaces/default/pods?watch=true');
    await new Promise((r) => setTimeout(r, 600));
    await http(api.url, 'POST', '/api/v1/namespaces/default/pods', pod('after-deadline'));
    const event = await stream.next();
    expect(event?.object.metadata.name).toBe('after-deadline');
    stream.close();
  });
});

describe('watches per user', () => {
  it('caps the watches one user holds open', async () => {
    const api = await startApiServer({
      authentication: { tokens: parseTokenFile('t1,alice,1,system:masters\nt2,bob,2,system:masters') },
      limits: { maxWatchesPerUser: 2 },
    });
    servers.push(api);
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const path = '/api/v1/pods?watch=true';
    const first = await watch(api.url, path, as('t1'));
    const second = await watch(api.url, path, as('t1'));
    const third = await http(api.url, 'GET', path, undefined, as('t1'));
    expect(third.status).toBe(429);
    expect(third.json.message).toBe('Too many requests: user "alice" already holds 2 watches');
    const bobs = await watch(api.url, path, as('t2'));
    expect(bobs.status).toBe(200);
    first.close();
    let again = await http(api.url, 'GET', `${path}&timeoutSeconds=1`, undefined, as('t1'));
    for (let i = 0; again.status === 429 && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20));
      again = await http(api.url, 'GET', `${path}&timeoutSeconds=1`, undefined, as('t1'));
    }
    expect(again.status).toBe(200);
    second.close();
    bobs.close();
  });
});

describe('request sizes', () => {
  it('answers 431 to an oversized request head and 413 to an oversized body', async () => {
    const api = await startApiServer({ maxHeaderBytes: 4096, maxRequestBodyBytes: 1024 });
    servers.push(api);
    const { port } = new URL(api.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8192)}\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (d) => {
        text += d;
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    const big = await request(`${api.url}/api/v1/namespaces/default/pods`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...pod('big'),
        metadata: { name: 'big', annotations: { a: 'x'.repeat(4096) } },
      }),
    });
    expect(big.statusCode).toBe(413);
    expect(((await big.body.json()) as { reason: string }).reason).toBe('RequestEntityTooLarge');
  });
});
