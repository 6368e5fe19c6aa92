import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import type { Node, Pod, ReplicationController } from '../api/types.js';
import { createRegistry } from '../metrics/registry.js';
import { isAlreadyExists, isConflict, isNotFound } from './errors.js';
import { createClient } from './rest.js';
import { retryOnConflict } from './retry.js';
import { eventually } from './testing/eventually.js';
import { startFakeApiServer } from './testing/fake-apiserver.js';
import { useFakeApiServer } from './testing/fixture.js';

function pod(name: string, labels: Record<string, string> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  };
}

const fx = useFakeApiServer();

describe('typed accessors', () => {
  it('creates, gets, lists, updates and deletes a namespaced object', async () => {
    const created = await fx.client.pods.create('default', pod('web-1', { app: 'web' }));
    expect(created.metadata.namespace).toBe('default');
    expect(created.metadata.uid).toBeTruthy();
    expect(created.metadata.resourceVersion).toBeTruthy();

    const got = await fx.client.pods.get('default', 'web-1');
    expect(got.metadata.uid).toBe(created.metadata.uid);

    await fx.client.pods.create('default', pod('db-1', { app: 'db' }));
    const list = await fx.client.pods.list({ namespace: 'default', labelSelector: 'app=web' });
    expect(list.items.map((p) => p.metadata.name)).toEqual(['web-1']);
    // Kubernetes omits kind/apiVersion in list items; the client fills them in.
    expect(list.items[0]!.kind).toBe('Pod');
    expect(list.items[0]!.apiVersion).toBe('v1');
    expect(Number(list.metadata.resourceVersion)).toBeGreaterThan(0);

    got.metadata.labels = { app: 'web', tier: 'front' };
    const updated = await fx.client.pods.update('default', got);
    expect(updated.metadata.labels).toEqual({ app: 'web', tier: 'front' });
    expect(updated.metadata.resourceVersion).not.toBe(got.metadata.resourceVersion);

    const deleted = await fx.client.pods.delete('default', 'web-1', { propagationPolicy: 'Background' });
    expect((deleted as Pod).metadata.name).toBe('web-1');
    const deleteRequest = fx.server.requests.find((r) => r.method === 'DELETE');
    expect(deleteRequest?.body).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background',
    });
    await expect(fx.client.pods.get('default', 'web-1')).rejects.toSatisfy(isNotFound);
  });

  it('addresses cluster-scoped resources without a namespace', async () => {
    const node: Node = { metadata: { name: 'node-1', labels: { zone: 'a' } } };
    await fx.client.nodes.create(node);
    expect(fx.server.requests.at(-1)!.path).toBe('/api/v1/nodes');
    const got = await fx.client.nodes.get('node-1');
    expect(got.metadata.name).toBe('node-1');
    got.status = { conditions: [{ type: 'Ready', status: 'True' }] };
    const withStatus = await fx.client.nodes.updateStatus(got);
    expect(withStatus.status?.conditions?.[0]?.status).toBe('True');
    expect(fx.server.requests.at(-1)!.path).toBe('/api/v1/nodes/node-1/status');
    expect((await fx.client.nodes.list()).items).toHaveLength(1);
  });

  it('the generic accessor is typed by resource name and ignores the namespace of cluster-scoped ones', async () => {
    const nodes = fx.client.resource('nodes');
    await nodes.create('ignored', { metadata: { name: 'n1' } });
    expect(fx.server.requests.at(-1)!.path).toBe('/api/v1/nodes');
    expect((await nodes.get(undefined, 'n1')).metadata.name).toBe('n1');
    expect(fx.client.resource('pods')).toBe(fx.client.pods);
    expect(() => fx.client.resource('widgets')).toThrow(/unknown resource/);
  });

  it('rejects a namespaced call without a namespace before sending anything', async () => {
    const before = fx.server.requests.length;
    await expect(fx.client.resource('pods').get(undefined, 'x')).rejects.toThrow(/namespace is required/);
    expect(fx.server.requests.length).toBe(before);
  });

  it('patches with each patch type and sends the matching content type', async () => {
    await fx.client.pods.create('default', pod('p', { a: '1' }));
    const merged = await fx.client.pods.patch('default', 'p', 'merge', { metadata: { labels: { b: '2' } } });
    expect(merged.metadata.labels).toEqual({ a: '1', b: '2' });
    expect(fx.server.requests.at(-1)!.contentType).toBe('application/merge-patch+json');

    const jsonPatched = await fx.client.pods.patch('default', 'p', 'json', [
      { op: 'remove', path: '/metadata/labels/a' },
    ]);
    expect(jsonPatched.metadata.labels).toEqual({ b: '2' });
    expect(fx.server.requests.at(-1)!.contentType).toBe('application/json-patch+json');

    await fx.client.pods.patch('default', 'p', 'strategic', { metadata: { labels: { c: '3' } } });
    expect(fx.server.requests.at(-1)!.contentType).toBe('application/strategic-merge-patch+json');

    await fx.client.pods.patch(
      'default',
      'p',
      'apply',
      { metadata: { labels: { d: '4' } } },
      { fieldManager: 'me', force: true },
    );
    const applyRequest = fx.server.requests.at(-1)!;
    expect(applyRequest.contentType).toBe('application/apply-patch+yaml');
    expect(applyRequest.query.get('fieldManager')).toBe('me');
    expect(applyRequest.query.get('force')).toBe('true');

    const status = await fx.client.pods.patch(
      'default',
      'p',
      'merge',
      { status: { phase: 'Running' } },
      { subresource: 'status' },
    );
    expect(status.status?.phase).toBe('Running');
    expect(fx.server.requests.at(-1)!.path).toBe('/api/v1/namespaces/default/pods/p/status');
  });

  it('sends dryRun=All and saves nothing', async () => {
    await fx.client.pods.create('default', pod('dry'), { dryRun: true });
    expect(fx.server.requests.at(-1)!.query.get('dryRun')).toBe('All');
    await expect(fx.client.pods.get('default', 'dry')).rejects.toSatisfy(isNotFound);
  });

  it('deletes a collection by label selector', async () => {
    await fx.client.pods.create('default', pod('a', { app: 'x' }));
    await fx.client.pods.create('default', pod('b', { app: 'x' }));
    await fx.client.pods.create('default', pod('c', { app: 'y' }));
    await fx.client.pods.deleteCollection('default', { labelSelector: 'app=x' });
    const left = await fx.client.pods.list({ namespace: 'default' });
    expect(left.items.map((p) => p.metadata.name)).toEqual(['c']);
  });
});

describe('errors', () => {
  it('decodes the Status of a failed request into ApiError with reason, code and details', async () => {
    await fx.client.pods.create('default', pod('dup'));
    const err = await fx.client.pods.create('default', pod('dup')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(isAlreadyExists(err)).toBe(true);
    const apiErr = err as ApiError;
    expect(apiErr.httpCode).toBe(409);
    expect(apiErr.message).toBe('pods "dup" already exists');
    expect(apiErr.details).toEqual({ name: 'dup', kind: 'pods' });
  });

  it('reports a stale update as Conflict, which retryOnConflict retries with a fresh read', async () => {
    const first = await fx.client.pods.create('default', pod('c'));
    await fx.client.pods.patch('default', 'c', 'merge', { metadata: { labels: { bump: '1' } } });
    const stale = { ...first, metadata: { ...first.metadata, labels: { x: 'y' } } };
    await expect(fx.client.pods.update('default', stale)).rejects.toSatisfy(isConflict);

    let attempts = 0;
    const result = await retryOnConflict(async () => {
      attempts++;
      const fresh = attempts === 1 ? first : await fx.client.pods.get('default', 'c');
      fresh.metadata.labels = { ...fresh.metadata.labels, done: 'yes' };
      return fx.client.pods.update('default', fresh);
    });
    expect(attempts).toBe(2);
    expect(result.metadata.labels?.done).toBe('yes');
  });

  it('retryOnConflict gives up after its steps and passes other errors through at once', async () => {
    let calls = 0;
    const conflictError = new ApiError('Conflict', 'again');
    await expect(
      retryOnConflict(
        async () => {
          calls++;
          throw conflictError;
        },
        { steps: 3, delayMs: 1 },
      ),
    ).rejects.toBe(conflictError);
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      retryOnConflict(async () => {
        calls++;
        throw new ApiError('NotFound', 'gone');
      }),
    ).rejects.toSatisfy(isNotFound);
    expect(calls).toBe(1);
  });

  it('maps a non-Status error body to a reason from the HTTP code', async () => {
    fx.server.failNext({ method: 'GET', code: 503, reason: 'NotAReason', message: 'busy' });
    const err = (await fx.client.pods.list().catch((e: unknown) => e)) as ApiError;
    expect(err.reason).toBe('ServiceUnavailable');
    expect(err.httpCode).toBe(503);
    expect(err.message).toBe('busy');
  });

  it('sends the bearer token, and a wrong one is Unauthorized', async () => {
    const secured = await startFakeApiServer({ token: 's3cret' });
    const good = createClient({ server: secured.url, token: 's3cret' });
    const bad = createClient({ server: secured.url, token: 'nope' });
    try {
      expect((await good.pods.list()).items).toEqual([]);
      const err = (await bad.pods.list().catch((e: unknown) => e)) as ApiError;
      expect(err.reason).toBe('Unauthorized');
      expect(err.httpCode).toBe(401);
    } finally {
      await good.close();
      await bad.close();
      await secured.close();
    }
  });
});

describe('subresources and raw', () => {
  it('binds a pod to a node', async () => {
    await fx.client.pods.create('default', pod('p'));
    const status = await fx.client.bind('default', 'p', 'node-7');
    expect(status.status).toBe('Success');
    expect((await fx.client.pods.get('default', 'p')).spec.nodeName).toBe('node-7');
    expect(fx.server.requests.at(-2)!.body).toMatchObject({
      kind: 'Binding',
      metadata: { name: 'p' },
      target: { kind: 'Node', name: 'node-7' },
    });
    await expect(fx.client.bind('default', 'p', 'node-8')).rejects.toSatisfy(isConflict);
  });

  it('scales a replication controller through its scale subresource', async () => {
    const rc: ReplicationController = {
      metadata: { name: 'web' },
      spec: { replicas: 1, selector: { app: 'web' }, template: { spec: { containers: [{ name: 'c' }] } } },
    };
    await fx.client.replicationControllers.create('default', rc);
    const scale = await fx.client.scale('default', 'web', 5);
    expect(scale.kind).toBe('Scale');
    expect(scale.spec.replicas).toBe(5);
    expect(fx.server.requests.at(-1)!.path).toBe(
      '/api/v1/namespaces/default/replicationcontrollers/web/scale',
    );
    expect((await fx.client.replicationControllers.get('default', 'web')).spec.replicas).toBe(5);
    expect((await fx.client.getScale('default', 'web')).status.selector).toBe('app=web');
  });

  it('reads pod logs, and follows them as a stream', async () => {
    await fx.client.pods.create('default', pod('p'));
    fx.server.appendLog('default', 'p', 'line 1\n');
    const all = await fx.client.podLogs('default', 'p', { container: 'c', tailLines: 10 });
    expect(await all.text()).toBe('line 1\n');
    expect(fx.server.requests.at(-1)!.query.get('tailLines')).toBe('10');

    const follow = await fx.client.podLogs('default', 'p', { follow: true });
    const seen: string[] = [];
    const gotTwo = new Promise<void>((resolve) => {
      follow.on('data', (chunk: Buffer) => {
        seen.push(chunk.toString());
        if (seen.join('').includes('line 2')) resolve();
      });
    });
    fx.server.appendLog('default', 'p', 'line 2\n');
    await gotTwo;
    expect(seen.join('')).toBe('line 1\nline 2\n');
    follow.destroy();
  });

  it('raw requests parse JSON, return text otherwise, and throw ApiError on failure', async () => {
    await fx.client.pods.create('default', pod('p'));
    fx.server.appendLog('default', 'p', 'hello');
    const list = await fx.client.raw<{ kind: string }>('GET', '/api/v1/pods');
    expect(list.kind).toBe('PodList');
    expect(await fx.client.raw('GET', '/api/v1/namespaces/default/pods/p/log')).toBe('hello');
    await expect(fx.client.raw('GET', '/api/v1/namespaces/default/pods/nope')).rejects.toSatisfy(isNotFound);
  });
});

describe('metrics and connections', () => {
  it('counts requests by code and method on the injected registry', async () => {
    const registry = createRegistry({ component: 'test' });
    const measured = createClient({ server: fx.server.url, registry });
    const second = createClient({ server: fx.server.url, registry }); // shares the metrics, no clash
    try {
      await measured.pods.list();
      await measured.pods.get('default', 'missing').catch(() => {});
      await second.pods.list();
      const text = await registry.metrics();
      expect(text).toMatch(
        /rest_client_requests_total\{code="200",method="GET",host="127\.0\.0\.1:\d+",component="test"\} 2/,
      );
      expect(text).toMatch(
        /rest_client_requests_total\{code="404",method="GET",host="127\.0\.0\.1:\d+",component="test"\} 1/,
      );
      expect(text).toMatch(
        /rest_client_request_duration_seconds_count\{component="test",verb="GET",host="[^"]+"\} 3/,
      );
    } finally {
      await measured.close();
      await second.close();
    }
  });

  it('keeps ordinary requests flowing while more watches are open than request connections', async () => {
    const small = createClient({ server: fx.server.url, connections: 2 });
    const watches = Array.from({ length: 5 }, () => small.pods.watch({}, () => {}));
    try {
      await eventually(() => fx.server.openWatches()).toBe(5);
      await small.pods.create('default', pod('still-works'));
      expect((await small.pods.get('default', 'still-works')).metadata.name).toBe('still-works');
    } finally {
      for (const w of watches) w.stop();
      await Promise.all(watches.map((w) => w.done));
      await small.close();
    }
  });
});
