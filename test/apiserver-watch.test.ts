// Black-box: watch over HTTP — stream format, resume, 410 below the window, selector transitions,
// bookmarks, timeouts, Table watches — on every storage backend.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, type StartedApiServer, startApiServer } from './harness/apiserver.js';
import { http, watch } from './harness/http.js';

const backends: Backend[] = ['memory', 'embedded', 'etcd'];

function pod(name: string, labels: Record<string, string> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  };
}

describe.each(backends)('apiserver watch (%s)', (backend) => {
  let api: StartedApiServer;
  const pods = '/api/v1/namespaces/default/pods';
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    http(api.url, method, path, body, headers);
  const mergePatch = { 'content-type': 'application/merge-patch+json' };

  beforeAll(async () => {
    api = await startApiServer({ storage: backend, watchCacheCapacity: 20, bookmarkIntervalMs: 300 });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('streams chunked JSON lines: synthetic ADDED, then changes, with headers sent at once', async () => {
    await call('POST', pods, pod('w-1'));
    const w = await watch(api.url, `${pods}?watch=true`);
    expect(w.status).toBe(200);
    expect(w.headers['content-type']).toBe('application/json');
    expect(w.headers['transfer-encoding']).toBe('chunked');
    const initial = await w.next();
    expect(initial).toMatchObject({ type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'w-1' } } });
    await call('PATCH', `${pods}/w-1`, { metadata: { labels: { v: '2' } } }, mergePatch);
    await call('DELETE', `${pods}/w-1`);
    const events = await w.take(2);
    expect(events.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
    expect(Number(events[1]!.object.metadata.resourceVersion)).toBeGreaterThan(
      Number(events[0]!.object.metadata.resourceVersion),
    );
    w.close();
  });

  it('watches without headers-first events on an empty result (idle stream stays open)', async () => {
    const w = await watch(api.url, `${pods}?watch=true&labelSelector=nothing%3Dhere`);
    expect(w.status).toBe(200);
    await expect(w.next(300)).rejects.toThrow(/no watch event/);
    w.close();
  });

  it('resumes from a list resourceVersion with exactly the later events, also via the legacy path', async () => {
    const list = await call('GET', pods);
    const rv = list.json.metadata.resourceVersion;
    await call('POST', pods, pod('w-2'));
    await call('POST', pods, pod('w-3'));
    const w = await watch(api.url, `${pods}?watch=1&resourceVersion=${rv}`);
    expect((await w.take(2)).map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'w-2'],
      ['ADDED', 'w-3'],
    ]);
    w.close();
    const legacy = await watch(api.url, `/api/v1/watch/namespaces/default/pods/w-3?resourceVersion=${rv}`);
    expect((await legacy.take(1)).map((e) => e.object.metadata.name)).toEqual(['w-3']);
    legacy.close();
  });

  it('answers a resourceVersion below the window with one ERROR 410 event, never the fresh list RV', async () => {
    const old = (await call('GET', pods)).json.metadata.resourceVersion;
    for (let i = 0; i < 25; i++) await call('POST', pods, pod(`churn-${i}`));
    const w = await watch(api.url, `${pods}?watch=true&resourceVersion=${old}`);
    expect(w.status).toBe(200);
    const error = await w.next();
    expect(error).toMatchObject({ type: 'ERROR', object: { kind: 'Status', reason: 'Expired', code: 410 } });
    expect(await w.next()).toBeUndefined();
    const fresh = (await call('GET', pods)).json.metadata.resourceVersion;
    const ok = await watch(api.url, `${pods}?watch=true&resourceVersion=${fresh}`);
    await call('DELETE', `${pods}/churn-0`);
    expect((await ok.next())?.type).toBe('DELETED');
    ok.close();
    await call('DELETE', `${pods}?labelSelector=`);
  });

  it('turns label changes into ADDED / DELETED for selector watches', async () => {
    await call('POST', pods, pod('sel', { tier: 'a' }));
    const rv = (await call('GET', pods)).json.metadata.resourceVersion;
    const w = await watch(api.url, `${pods}?watch=true&resourceVersion=${rv}&labelSelector=tier%3Db`);
    await call('PATCH', `${pods}/sel`, { metadata: { labels: { tier: 'b' } } }, mergePatch);
    await call('PATCH', `${pods}/sel`, { metadata: { labels: { tier: 'c' } } }, mergePatch);
    const events = await w.take(2);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    expect(events[1]!.object.metadata.labels.tier).toBe('b');
    w.close();
  });

  it('filters by spec.nodeName (kubelet watches) and sees a pod arrive when bound', async () => {
    await call('POST', pods, pod('to-bind'));
    const w = await watch(api.url, `/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3Dnode-7`);
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'to-bind' },
      target: { kind: 'Node', name: 'node-7' },
    };
    expect((await call('POST', `${pods}/to-bind/binding`, binding)).status).toBe(201);
    const event = await w.next();
    expect(event).toMatchObject({ type: 'ADDED', object: { spec: { nodeName: 'node-7' } } });
    w.close();
  });

  it('sends BOOKMARKs on idle watches that allow them, and closes at timeoutSeconds', async () => {
    const w = await watch(
      api.url,
      `${pods}?watch=true&allowWatchBookmarks=true&labelSelector=none%3Dx&timeoutSeconds=2`,
    );
    const bookmark = await w.next(3000);
    expect(bookmark).toMatchObject({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1' } });
    expect(Number(bookmark!.object.metadata.resourceVersion)).toBeGreaterThan(0);
    let end: unknown = bookmark;
    while (end !== undefined) end = await w.next(5000);
    expect(end).toBeUndefined();
  });

  it('sends a one-row Table per event to Table watchers', async () => {
    const w = await watch(api.url, `${pods}?watch=true&fieldSelector=metadata.name%3Dtabled`, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    await call('POST', pods, pod('tabled'));
    const event = await w.next();
    expect(event?.type).toBe('ADDED');
    expect(event?.object.kind).toBe('Table');
    expect(event?.object.rows).toHaveLength(1);
    expect(event?.object.rows[0].cells[0]).toBe('tabled');
    w.close();
  });

  it('ends the initial events with a marked BOOKMARK when sendInitialEvents=true', async () => {
    const w = await watch(
      api.url,
      `${pods}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=`,
    );
    const events: Array<{ type: string; object: any }> = [];
    for (let e = await w.next(); e && e.type !== 'BOOKMARK'; e = await w.next()) events.push(e);
    expect(events.every((e) => e.type === 'ADDED')).toBe(true);
    const list = (await call('GET', pods)).json.items;
    expect(events).toHaveLength(list.length);
    w.close();
  });

  it('rejects watches with an invalid selector with 400', async () => {
    const res = await call('GET', `${pods}?watch=true&fieldSelector=nope%3Dx`);
    expect(res.status).toBe(400);
  });
});

describe('apiserver watch: a client that stops reading', () => {
  it('is cut off once its unsent bytes pass the bound, and the others keep streaming', async () => {
    const api = await startApiServer({ storage: 'memory', maxWatcherBufferBytes: 256 * 1024 });
    const socket = connect(Number(new URL(api.url).port), '127.0.0.1');
    try {
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.write('GET /api/v1/namespaces/default/pods?watch=true HTTP/1.1\r\nHost: x\r\n\r\n');
      socket.pause(); // never read: the kernel buffers fill, then the server's
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      const healthy = await watch(api.url, '/api/v1/namespaces/default/pods?watch=true');
      const cache = api.server.watchCache.cache('pods');
      for (let i = 0; i < 20 && cache.watchers.size < 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect(cache.watchers.size).toBe(2);
      const big = 'x'.repeat(100 * 1024);
      let created = 0;
      while (cache.watchers.size === 2 && created < 400) {
        const res = await http(api.url, 'POST', '/api/v1/namespaces/default/pods', {
          ...pod(`big-${created}`),
          metadata: { name: `big-${created}`, annotations: { pad: big } },
        });
        expect(res.status).toBe(201);
        created++;
      }
      expect(cache.watchers.size).toBe(1);
      socket.resume();
      await closed;
      const metrics = await api.server.metricsRegistry.getSingleMetricAsString(
        'apiserver_terminated_watchers_total',
      );
      expect(metrics).toMatch(/apiserver_terminated_watchers_total\{resource="pods"[^}]*\} 1/);
      expect((await healthy.take(created, 10_000)).length).toBe(created);
      healthy.close();
    } finally {
      socket.destroy();
      await api.stop();
    }
  });
});

describe('apiserver watch: the chunked stream on the wire', () => {
  it('frames every event as one HTTP/1.1 chunk, ends with the last chunk, and the connection serves on', async () => {
    const api = await startApiServer({ storage: 'memory' });
    const socket = connect(Number(new URL(api.url).port), '127.0.0.1');
    try {
      let received = '';
      socket.on('data', (d: Buffer) => {
        received += d.toString('latin1');
      });
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.write(
        'GET /api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1 HTTP/1.1\r\nHost: x\r\n\r\n',
      );
      const until = async (check: () => boolean) => {
        for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
      };
      await until(() => received.includes('\r\n\r\n'));
      await http(api.url, 'POST', '/api/v1/namespaces/default/pods', pod('wire-1'));
      const unicode = { ...pod('wire-2'), metadata: { name: 'wire-2', annotations: { note: 'é ü — 日本' } } };
      expect((await http(api.url, 'POST', '/api/v1/namespaces/default/pods', unicode)).status).toBe(201);
      await until(() => received.endsWith('0\r\n\r\n'));
      const body = received.slice(received.indexOf('\r\n\r\n') + 4);
      // Decode the chunks by their declared sizes (bytes, not characters).
      const bytes = Buffer.from(body, 'latin1');
      const lines: string[] = [];
      let at = 0;
      for (;;) {
        const eol = bytes.indexOf('\r\n', at);
        const size = Number.parseInt(bytes.subarray(at, eol).toString(), 16);
        if (size === 0) break;
        lines.push(bytes.subarray(eol + 2, eol + 2 + size).toString('utf8'));
        expect(bytes.subarray(eol + 2 + size, eol + 4 + size).toString()).toBe('\r\n');
        at = eol + 4 + size;
      }
      expect(lines.map((l) => [l.endsWith('\n'), JSON.parse(l).object.metadata.name])).toEqual([
        [true, 'wire-1'],
        [true, 'wire-2'],
      ]);
      expect(JSON.parse(lines[1]!).object.metadata.annotations).toEqual({ note: 'é ü — 日本' });
      // The same keep-alive connection answers the next request.
      received = '';
      socket.write('GET /version HTTP/1.1\r\nHost: x\r\n\r\n');
      await until(() => received.includes('"minor":"32"'));
      expect(received.startsWith('HTTP/1.1 200 OK')).toBe(true);
    } finally {
      socket.destroy();
      await api.stop();
    }
  });
});
