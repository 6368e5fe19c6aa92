// Black-box: namespace lifecycle, service IP/port allocation (also across a restart), event expiry
// and pod logs through a kubelet, against live apiservers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, freshStorageUrl, type StartedApiServer, startApiServer } from './harness/apiserver.js';
import { http } from './harness/http.js';

const backends: Backend[] = ['memory', 'embedded', 'etcd'];

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function pod(name: string, nodeName?: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'busybox' }], nodeName },
  };
}

function service(name: string, spec: Record<string, unknown>) {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } };
}

describe.each(backends)('apiserver lifecycle (%s)', (backend) => {
  let api: StartedApiServer;
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    http(api.url, method, path, body, headers);

  beforeAll(async () => {
    api = await startApiServer({ storage: backend, eventTtlMs: 500, serviceNodePortRange: '30000-30099' });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('terminates a namespace: 403 for new content, contents purged, then the namespace goes', async () => {
    expect((await call('POST', '/api/v1/namespaces', { metadata: { name: 'doomed' } })).status).toBe(201);
    for (const name of ['a', 'b']) {
      expect((await call('POST', '/api/v1/namespaces/doomed/pods', pod(name))).status).toBe(201);
    }
    await call('POST', '/api/v1/namespaces/doomed/services', service('s', {}));
    // a pod on a node waits for its kubelet: deleting the namespace leaves it terminating
    await call('POST', '/api/v1/namespaces/doomed/pods', pod('bound', 'node-1'));
    const deleted = await call('DELETE', '/api/v1/namespaces/doomed');
    expect(deleted.status).toBe(200);
    expect(deleted.json.status.phase).toBe('Terminating');
    const refused = await call('POST', '/api/v1/namespaces/doomed/pods', pod('late'));
    expect(refused.status).toBe(403);
    expect(refused.json.message).toContain(
      'unable to create new content in namespace doomed because it is being terminated',
    );
    await eventually(
      () => call('GET', '/api/v1/namespaces/doomed/pods'),
      (r) =>
        r.json.items.length === 1 &&
        r.json.items[0].metadata.name === 'bound' &&
        r.json.items[0].metadata.deletionTimestamp !== undefined,
    );
    // the kubelet finishes the delete
    await call('DELETE', '/api/v1/namespaces/doomed/pods/bound?gracePeriodSeconds=0');
    await eventually(
      () => call('GET', '/api/v1/namespaces/doomed'),
      (r) => r.status === 404,
    );
    expect((await call('GET', '/api/v1/namespaces/doomed/services')).json.items).toEqual([]);
  });

  it('changes only spec.finalizers through namespaces/{name}/finalize', async () => {
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'fin-ns' } });
    const current = (await call('GET', '/api/v1/namespaces/fin-ns')).json;
    expect(current.spec.finalizers).toEqual(['kubernetes']);
    const body = {
      ...current,
      metadata: { ...current.metadata, labels: { ignored: 'yes' } },
      spec: { finalizers: [] },
    };
    const res = await call('PUT', '/api/v1/namespaces/fin-ns/finalize', body);
    expect(res.status).toBe(200);
    expect(res.json.spec.finalizers).toEqual([]);
    expect(res.json.metadata.labels).toBeUndefined();
    // without the finalizer, deleting the namespace removes it at once
    await call('DELETE', '/api/v1/namespaces/fin-ns');
    expect((await call('GET', '/api/v1/namespaces/fin-ns')).status).toBe(404);
  });

  it('refuses to delete the system namespaces', async () => {
    const res = await call('DELETE', '/api/v1/namespaces/default');
    expect(res.status).toBe(403);
  });

  it('allocates unique cluster IPs and node ports, refuses taken ones, releases on delete', async () => {
    const svcs = '/api/v1/namespaces/default/services';
    const a = await call('POST', svcs, service('alloc-a', { type: 'NodePort' }));
    expect(a.status).toBe(201);
    const ip = a.json.spec.clusterIP as string;
    const port = a.json.spec.ports[0].nodePort as number;
    expect(ip).toMatch(/^127\.10\.\d+\.\d+$/);
    expect(a.json.spec.clusterIPs).toEqual([ip]);
    expect(port).toBeGreaterThanOrEqual(30000);
    expect(port).toBeLessThanOrEqual(30099);
    expect(a.json.spec.ports[0].protocol).toBe('TCP');
    const takenIp = await call('POST', svcs, service('alloc-b', { clusterIP: ip }));
    expect(takenIp.status).toBe(422);
    expect(takenIp.json.details.causes[0]).toMatchObject({
      field: 'spec.clusterIPs',
      message: `Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: provided IP is already allocated`,
    });
    const takenPort = await call(
      'POST',
      svcs,
      service('alloc-c', { type: 'NodePort', ports: [{ port: 80, nodePort: port }] }),
    );
    expect(takenPort.status).toBe(422);
    expect(takenPort.json.message).toContain(
      `spec.ports[0].nodePort: Invalid value: ${port}: provided port is already allocated`,
    );
    const headless = await call('POST', svcs, service('alloc-h', { clusterIP: 'None' }));
    expect(headless.json.spec.clusterIP).toBe('None');
    // an update that omits allocated values keeps them
    const replaced = await call('PUT', `${svcs}/alloc-a`, { ...service('alloc-a', { type: 'NodePort' }) });
    expect(replaced.status).toBe(200);
    expect(replaced.json.spec.clusterIP).toBe(ip);
    expect(replaced.json.spec.ports[0].nodePort).toBe(port);
    expect((await call('DELETE', `${svcs}/alloc-a`)).status).toBe(200);
    const reuse = await call(
      'POST',
      svcs,
      service('alloc-d', { clusterIP: ip, type: 'NodePort', ports: [{ port: 80, nodePort: port }] }),
    );
    expect(reuse.status).toBe(201);
  });

  it('expires events after their TTL', async () => {
    const events = '/api/v1/namespaces/default/events';
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'ev-1' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
      reason: 'Scheduled',
      message: 'assigned',
      type: 'Normal',
      source: { component: 'test' },
      count: 1,
    };
    expect((await call('POST', events, event)).status).toBe(201);
    const selected = await call(
      'GET',
      `${events}?fieldSelector=involvedObject.name%3Dp,involvedObject.kind%3DPod`,
    );
    expect(selected.json.items.map((e: any) => e.metadata.name)).toEqual(['ev-1']);
    await eventually(
      () => call('GET', `${events}/ev-1`),
      (r) => r.status === 404,
      5000,
    );
  });

  it('proxies pod logs to the kubelet of the pod node, passing the query through', async () => {
    const seen: string[] = [];
    let release: () => void = () => {};
    const released = new Promise<void>((r) => {
      release = r;
    });
    const kubelet: Server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/plain' });
      if (!req.url?.includes('follow=true')) {
        res.end('line 1\nline 2\n');
        return;
      }
      res.write('first\n');
      void released.then(() => res.end('second\n'));
    });
    await new Promise<void>((r) => kubelet.listen(0, '127.0.0.1', r));
    try {
      const port = (kubelet.address() as AddressInfo).port;
      const node = {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'log-node' },
        status: {
          addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
          daemonEndpoints: { kubeletEndpoint: { Port: port } },
        },
      };
      expect((await call('POST', '/api/v1/nodes', node)).status).toBe(201);
      await call('POST', '/api/v1/namespaces/default/pods', pod('logged', 'log-node'));
      const res = await call(
        'GET',
        '/api/v1/namespaces/default/pods/logged/log?tailLines=10&timestamps=true',
      );
      expect(res.status).toBe(200);
      expect(res.text).toBe('line 1\nline 2\n');
      expect(seen).toEqual(['/containerLogs/default/logged/c?tailLines=10&timestamps=true']);
      // follow=true streams: the first line arrives while the kubelet still holds the second
      const stream = await request(
        `${api.url}/api/v1/namespaces/default/pods/logged/log?follow=true&container=c`,
      );
      expect(stream.statusCode).toBe(200);
      const reader = stream.body[Symbol.asyncIterator]();
      expect(String((await reader.next()).value)).toBe('first\n');
      release();
      let rest = '';
      for (let r = await reader.next(); !r.done; r = await reader.next()) rest += String(r.value);
      expect(rest).toBe('second\n');
    } finally {
      kubelet.close();
    }
  });
});

describe('apiserver restart (embedded)', () => {
  it('keeps objects and service reservations across a restart', async () => {
    const storage = await freshStorageUrl('embedded');
    try {
      const first = await startApiServer({ storage: storage.url });
      const created = await http(
        first.url,
        'POST',
        '/api/v1/namespaces/default/services',
        service('keep', { type: 'NodePort' }),
      );
      expect(created.status).toBe(201);
      await first.server.close();
      const second = await startApiServer({ storage: storage.url });
      try {
        const again = await http(second.url, 'GET', '/api/v1/namespaces/default/services/keep');
        expect(again.json.spec.clusterIP).toBe(created.json.spec.clusterIP);
        const clash = await http(
          second.url,
          'POST',
          '/api/v1/namespaces/default/services',
          service('clash', { clusterIP: created.json.spec.clusterIP }),
        );
        expect(clash.status).toBe(422);
        expect(second.server.allocators.ports.isTaken(created.json.spec.ports[0].nodePort)).toBe(true);
      } finally {
        await second.server.close();
      }
    } finally {
      await storage.cleanup();
    }
  });
});
