// Black-box: the REST API over HTTP against a live in-process apiserver, on every storage backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, type StartedApiServer, startApiServer } from './harness/apiserver.js';
import { http } from './harness/http.js';

const backends: Backend[] = ['memory', 'embedded', 'etcd'];

function pod(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
    ...extra,
  };
}

describe.each(backends)('apiserver CRUD (%s)', (backend) => {
  let api: StartedApiServer;
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    http(api.url, method, path, body, headers);
  const pods = '/api/v1/namespaces/default/pods';

  beforeAll(async () => {
    api = await startApiServer({ storage: backend });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('serves version, health, discovery and OpenAPI', async () => {
    const version = await call('GET', '/version?timeout=5s');
    expect(version.json).toMatchObject({ major: '1', minor: '32' });
    for (const path of ['/healthz', '/livez', '/readyz']) expect((await call('GET', path)).text).toBe('ok');
    expect((await call('GET', '/api')).json.versions).toEqual(['v1']);
    const groups = (await call('GET', '/apis')).json;
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups.map((g: { name: string }) => g.name)).toEqual([
      'rbac.authorization.k8s.io',
      'coordination.k8s.io',
      'authorization.k8s.io',
    ]);
    const resources = (await call('GET', '/api/v1')).json.resources.map((r: { name: string }) => r.name);
    expect(resources).toEqual(
      expect.arrayContaining([
        'pods',
        'pods/status',
        'pods/binding',
        'pods/log',
        'replicationcontrollers/scale',
      ]),
    );
    const root = (await call('GET', '/openapi/v3')).json;
    expect(root.paths['api/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1\?hash=/);
    expect((await call('GET', root.paths['api/v1'].serverRelativeURL)).json.openapi).toMatch(/^3\./);
    const leases = root.paths['apis/coordination.k8s.io/v1'].serverRelativeURL;
    expect((await call('GET', leases)).json.components.schemas).toHaveProperty([
      'io.k8s.api.coordination.v1.Lease',
    ]);
    const rbac = root.paths['apis/rbac.authorization.k8s.io/v1'].serverRelativeURL;
    expect((await call('GET', rbac)).json.components.schemas).toHaveProperty([
      'io.k8s.api.rbac.v1.ClusterRole',
    ]);
    const missing = await call('GET', '/apis/discovery.k8s.io/v1');
    expect(missing.status).toBe(404);
    const metrics = await call('GET', '/metrics');
    expect(metrics.text).toContain('apiserver_request_total');
  });

  it('has the system namespaces from the start', async () => {
    const names = (await call('GET', '/api/v1/namespaces')).json.items.map((n: any) => n.metadata.name);
    expect(names).toEqual(
      expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']),
    );
  });

  it('creates with server-filled metadata, reads back, lists and refuses duplicates', async () => {
    const created = await call('POST', pods, pod('crud-1'));
    expect(created.status).toBe(201);
    const meta = created.json.metadata;
    expect(meta.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(meta.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(meta.generation).toBe(1);
    expect(Number(meta.resourceVersion)).toBeGreaterThan(0);
    expect(created.json.status.phase).toBe('Pending');
    const got = await call('GET', `${pods}/crud-1`);
    expect(got.json.metadata).toEqual(meta);
    const list = await call('GET', pods);
    expect(list.json).toMatchObject({ kind: 'PodList', apiVersion: 'v1' });
    expect(Number(list.json.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(meta.resourceVersion));
    expect(list.json.items.map((p: any) => p.metadata.name)).toContain('crud-1');
    const all = await call('GET', '/api/v1/pods');
    expect(all.json.items.some((p: any) => p.metadata.name === 'crud-1')).toBe(true);
    const dup = await call('POST', pods, pod('crud-1'));
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({
      kind: 'Status',
      reason: 'AlreadyExists',
      message: 'pods "crud-1" already exists',
      code: 409,
    });
    const none = await call('GET', `${pods}/nope`);
    expect(none.json).toMatchObject({ reason: 'NotFound', message: 'pods "nope" not found', code: 404 });
  });

  it('tolerates null creationTimestamp and empty status in bodies; expands generateName', async () => {
    const body = { ...pod(''), metadata: { generateName: 'gen-', creationTimestamp: null }, status: {} };
    const created = await call('POST', pods, body);
    expect(created.status).toBe(201);
    expect(created.json.metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('serves Tables to kubectl-style Accept headers, with metadata in each row', async () => {
    const accept =
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    const table = await call('GET', `${pods}?labelSelector=app%3Dweb`, undefined, { accept });
    expect(table.json.kind).toBe('Table');
    expect(table.json.columnDefinitions.map((c: any) => c.name).slice(0, 5)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
    ]);
    expect(table.json.rows[0].object.metadata.labels).toEqual({ app: 'web' });
    const one = await call('GET', `${pods}/crud-1`, undefined, { accept });
    expect(one.json.rows).toHaveLength(1);
  });

  it('filters lists by label and field selectors and rejects bad selectors', async () => {
    await call('POST', pods, pod('sel-db', { metadata: { name: 'sel-db', labels: { app: 'db' } } }));
    const names = async (q: string) =>
      (await call('GET', `${pods}?${q}`)).json.items.map((p: any) => p.metadata.name as string);
    expect(await names('labelSelector=app%3Ddb')).toEqual(['sel-db']);
    expect(await names('labelSelector=app+in+(db,cache)')).toEqual(['sel-db']);
    expect(await names('labelSelector=app,app!%3Dweb')).toEqual(['sel-db']);
    expect(await names('fieldSelector=metadata.name%3Dsel-db')).toEqual(['sel-db']);
    expect(await names('fieldSelector=status.phase%3DPending,metadata.name%3Dsel-db')).toEqual(['sel-db']);
    expect((await call('GET', `${pods}?labelSelector=a%3D%3D%3Db`)).status).toBe(400);
    const badField = await call('GET', `${pods}?fieldSelector=spec.foo%3Dx`);
    expect(badField.status).toBe(400);
    expect(badField.json.reason).toBe('BadRequest');
  });

  it('replaces with optimistic concurrency; status is ignored on the main resource', async () => {
    const current = (await call('GET', `${pods}/crud-1`)).json;
    const next = structuredClone(current);
    next.metadata.labels.tier = 'front';
    next.status.phase = 'Running';
    const updated = await call('PUT', `${pods}/crud-1`, next);
    expect(updated.status).toBe(200);
    expect(updated.json.metadata.labels.tier).toBe('front');
    expect(updated.json.status.phase).toBe('Pending');
    const stale = await call('PUT', `${pods}/crud-1`, next);
    expect(stale.status).toBe(409);
    expect(stale.json.message).toBe(
      'Operation cannot be fulfilled on pods "crud-1": the object has been modified; please apply your changes to the latest version and try again',
    );
    const renamed = await call('PUT', `${pods}/crud-1`, {
      ...next,
      metadata: { ...next.metadata, name: 'other' },
    });
    expect(renamed.status).toBe(400);
    expect(renamed.json.message).toBe(
      'the name of the object (other) does not match the name on the URL (crud-1)',
    );
  });

  it('lists at an exact older resourceVersion from storage', async () => {
    const before = (await call('GET', pods)).json;
    await call('POST', pods, pod('after-exact'));
    const exact = await call(
      'GET',
      `${pods}?resourceVersion=${before.metadata.resourceVersion}&resourceVersionMatch=Exact`,
    );
    expect(exact.status).toBe(200);
    expect(exact.json.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(exact.json.items.map((p: any) => p.metadata.name)).toEqual(
      before.items.map((p: any) => p.metadata.name),
    );
    const notOlder = await call('GET', `${pods}?resourceVersion=${before.metadata.resourceVersion}`);
    expect(notOlder.json.items.some((p: any) => p.metadata.name === 'after-exact')).toBe(true);
    const bad = await call('GET', `${pods}?resourceVersionMatch=Exact`);
    expect(bad.status).toBe(400);
  });

  it('creates endpoints on PUT (Kubernetes allows create-on-update there) but not pods', async () => {
    const ep = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ep-put' }, subsets: [] };
    const created = await call('PUT', '/api/v1/namespaces/default/endpoints/ep-put', ep);
    expect(created.status).toBe(201);
    expect((await call('PUT', `${pods}/not-there`, pod('not-there'))).status).toBe(404);
  });

  it('updates status only through the status subresource', async () => {
    const current = (await call('GET', `${pods}/crud-1`)).json;
    const body = structuredClone(current);
    body.status.phase = 'Running';
    body.metadata.labels.ignored = 'yes';
    const res = await call('PUT', `${pods}/crud-1/status`, body);
    expect(res.status).toBe(200);
    expect(res.json.status.phase).toBe('Running');
    expect(res.json.metadata.labels.ignored).toBeUndefined();
    const patched = await call(
      'PATCH',
      `${pods}/crud-1/status`,
      { status: { podIP: '127.0.0.9' } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(patched.json.status).toMatchObject({ phase: 'Running', podIP: '127.0.0.9' });
  });

  it('patches with merge, JSON, strategic and apply patches; a stale resourceVersion in a patch is 409', async () => {
    const merge = await call(
      'PATCH',
      `${pods}/crud-1`,
      { metadata: { labels: { m: '1' } } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(merge.json.metadata.labels).toMatchObject({ app: 'web', m: '1' });
    const json = await call(
      'PATCH',
      `${pods}/crud-1`,
      [{ op: 'add', path: '/metadata/annotations', value: { a: 'b' } }],
      {
        'content-type': 'application/json-patch+json',
      },
    );
    expect(json.json.metadata.annotations).toEqual({ a: 'b' });
    const strategic = await call(
      'PATCH',
      `${pods}/crud-1`,
      { spec: { containers: [{ name: 'c', image: 'busybox:2' }] } },
      { 'content-type': 'application/strategic-merge-patch+json' },
    );
    expect(strategic.status).toBe(200);
    expect(strategic.json.spec.containers).toHaveLength(1);
    expect(strategic.json.spec.containers[0].image).toBe('busybox:2');
    const stale = await call(
      'PATCH',
      `${pods}/crud-1`,
      { metadata: { resourceVersion: '1', labels: { x: 'y' } } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(stale.status).toBe(409);
    const applyCreate = await call('PATCH', `${pods}/applied?fieldManager=kubectl`, pod('applied'), {
      'content-type': 'application/apply-patch+yaml',
    });
    expect(applyCreate.status).toBe(201);
    const applyUpdate = await call(
      'PATCH',
      `${pods}/applied?fieldManager=kubectl`,
      { ...pod('applied'), metadata: { name: 'applied', labels: { app: 'web', v: '2' } } },
      { 'content-type': 'application/apply-patch+yaml' },
    );
    expect(applyUpdate.status).toBe(200);
    expect(applyUpdate.json.metadata.labels.v).toBe('2');
    const noManager = await call('PATCH', `${pods}/applied`, pod('applied'), {
      'content-type': 'application/apply-patch+yaml',
    });
    expect(noManager.status).toBe(422);
    const badType = await call('PATCH', `${pods}/crud-1`, {}, { 'content-type': 'text/plain' });
    expect(badType.status).toBe(415);
  });

  it('retries concurrent patches on the same object so none is lost', async () => {
    await call('POST', pods, pod('contended'));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(
          'PATCH',
          `${pods}/contended`,
          { metadata: { labels: { [`l${i}`]: 'x' } } },
          {
            'content-type': 'application/merge-patch+json',
          },
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const labels = (await call('GET', `${pods}/contended`)).json.metadata.labels;
    expect(Object.keys(labels).filter((k) => k.startsWith('l'))).toHaveLength(20);
  });

  it('runs dryRun=All writes fully without saving anything', async () => {
    const created = await call('POST', `${pods}?dryRun=All`, pod('dry'));
    expect(created.status).toBe(201);
    expect(created.json.metadata.uid).toBeDefined();
    expect((await call('GET', `${pods}/dry`)).status).toBe(404);
    const existing = await call('POST', `${pods}?dryRun=All`, pod('crud-1'));
    expect(existing.status).toBe(409);
    const invalid = await call('POST', `${pods}?dryRun=All`, { ...pod('dry'), spec: { containers: [] } });
    expect(invalid.status).toBe(422);
    const before = (await call('GET', `${pods}/crud-1`)).json;
    const patched = await call(
      'PATCH',
      `${pods}/crud-1?dryRun=All`,
      { metadata: { labels: { dry: 'run' } } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(patched.json.metadata.labels.dry).toBe('run');
    const deleted = await call('DELETE', `${pods}/crud-1?dryRun=All`);
    expect(deleted.status).toBe(200);
    expect((await call('GET', `${pods}/crud-1`)).json.metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
  });

  it('validates fields: Strict rejects unknown fields, Warn warns, Ignore accepts', async () => {
    const body = { ...pod('strict'), spec: { ...pod('strict').spec, foo: 1 } };
    const strict = await call('POST', `${pods}?fieldValidation=Strict`, body);
    expect(strict.status).toBe(400);
    expect(strict.json.message).toBe('strict decoding error: unknown field "spec.foo"');
    const warn = await call('POST', `${pods}?fieldValidation=Warn&dryRun=All`, body);
    expect(warn.status).toBe(201);
    expect(String(warn.headers.warning)).toContain('unknown field \\"spec.foo\\"');
    expect((await call('POST', `${pods}?dryRun=All`, body)).status).toBe(201);
  });

  it('answers bad input with the right Status and stays up', async () => {
    const malformed = await call('POST', pods, '{"kind":', { 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.kind).toBe('Status');
    const wrongKind = await call('POST', pods, { ...pod('k'), kind: 'Service' });
    expect(wrongKind.status).toBe(400);
    const wrongVersion = await call('POST', pods, { ...pod('k'), apiVersion: 'apps/v1' });
    expect(wrongVersion.status).toBe(400);
    const wrongNs = await call('POST', pods, { ...pod('k'), metadata: { name: 'k', namespace: 'other' } });
    expect(wrongNs.status).toBe(400);
    const longName = await call('POST', pods, pod('x'.repeat(300)));
    expect(longName.status).toBe(422);
    const huge = await call('POST', pods, {
      ...pod('big'),
      metadata: { name: 'big', annotations: { a: 'x'.repeat(4 << 20) } },
    });
    expect(huge.status).toBe(413);
    const yaml = await call(
      'POST',
      pods,
      'apiVersion: v1\nkind: Pod\nmetadata: {name: from-yaml}\nspec:\n  containers: [{name: c, image: busybox}]\n',
      {
        'content-type': 'application/yaml',
      },
    );
    expect(yaml.status).toBe(201);
    const badYaml = await call('POST', pods, 'a: [', { 'content-type': 'application/yaml' });
    expect(badYaml.status).toBe(400);
    const unsupported = await call('POST', pods, 'x', { 'content-type': 'application/xml' });
    expect(unsupported.status).toBe(415);
    const missingNs = await call('POST', '/api/v1/namespaces/nowhere/pods', pod('p'));
    expect(missingNs.status).toBe(404);
    expect(missingNs.json.message).toBe('namespaces "nowhere" not found');
    const method = await call('POST', `${pods}/crud-1`, pod('crud-1'));
    expect(method.status).toBe(405);
    expect((await call('GET', '/version')).status).toBe(200);
  });

  it('decodes kubectl protobuf bodies (create namespace)', async () => {
    // `kubectl create namespace pb-ns` as captured: k8s\0 + Unknown{typeMeta{v1,Namespace}, raw Namespace}
    const name = 'pb-ns';
    const meta = Buffer.concat([Buffer.from([0x0a, name.length]), Buffer.from(name)]);
    const raw = Buffer.concat([Buffer.from([0x0a, meta.length]), meta]);
    const typeMeta = Buffer.concat([
      Buffer.from([0x0a, 2]),
      Buffer.from('v1'),
      Buffer.from([0x12, 9]),
      Buffer.from('Namespace'),
    ]);
    const unknown = Buffer.concat([
      Buffer.from([0x0a, typeMeta.length]),
      typeMeta,
      Buffer.from([0x12, raw.length]),
      raw,
    ]);
    const body = Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), unknown]);
    const res = await call('POST', '/api/v1/namespaces', body, {
      'content-type': 'application/vnd.kubernetes.protobuf',
    });
    expect(res.status).toBe(201);
    expect(res.json.metadata.name).toBe(name);
    expect(res.json.status.phase).toBe('Active');
  });

  it('scales replication controllers through autoscaling/v1 Scale', async () => {
    const rcs = '/api/v1/namespaces/default/replicationcontrollers';
    const rc = {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { app: 'web' },
        template: { metadata: { labels: { app: 'web' } }, spec: pod('x').spec },
      },
    };
    expect((await call('POST', rcs, rc)).status).toBe(201);
    const scale = await call('GET', `${rcs}/web/scale`);
    expect(scale.json).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 2 },
      status: { selector: 'app=web' },
    });
    const patched = await call(
      'PATCH',
      `${rcs}/web/scale`,
      { spec: { replicas: 5 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patched.json.spec.replicas).toBe(5);
    const put = await http(
      api.url,
      'PUT',
      `${rcs}/web/scale`,
      JSON.stringify({ ...scale.json, metadata: { name: 'web' }, spec: { replicas: 3 } }),
      {
        'content-type': '',
      },
    );
    expect(put.status).toBe(200);
    const after = (await call('GET', `${rcs}/web`)).json;
    expect(after.spec.replicas).toBe(3);
    expect(after.metadata.generation).toBe(3);
    const negative = await call(
      'PATCH',
      `${rcs}/web/scale`,
      { spec: { replicas: -1 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(negative.status).toBe(422);
    const forged = await call('PUT', `${rcs}/web/scale`, {
      ...scale.json,
      metadata: { name: 'web', uid: 'forged' },
      spec: { replicas: 4 },
    });
    expect(forged.status).toBe(409);
    expect(forged.json.message).toBe(
      `Operation cannot be fulfilled on replicationcontrollers/scale "web": Precondition failed: UID in precondition: forged, UID in object meta: ${after.metadata.uid}`,
    );
  });

  it('binds pods once (201 Success), then 409', async () => {
    await call('POST', pods, pod('bind-me'));
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'bind-me' },
      target: { kind: 'Node', name: 'node-1' },
    };
    const first = await call('POST', `${pods}/bind-me/binding`, binding);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ kind: 'Status', status: 'Success', code: 201 });
    const bound = (await call('GET', `${pods}/bind-me`)).json;
    expect(bound.spec.nodeName).toBe('node-1');
    expect(bound.status.conditions).toEqual([
      expect.objectContaining({ type: 'PodScheduled', status: 'True' }),
    ]);
    const second = await call('POST', `${pods}/bind-me/binding`, {
      ...binding,
      target: { kind: 'Node', name: 'node-2' },
    });
    expect(second.status).toBe(409);
    expect(second.json.message).toContain('is already assigned to node "node-1"');
  });

  it('deletes: unbound pods at once, bound pods gracefully, finalizers hold objects', async () => {
    await call('POST', pods, pod('del-now'));
    const now = await call('DELETE', `${pods}/del-now`, { propagationPolicy: 'Background' });
    expect(now.status).toBe(200);
    expect(now.json.metadata.name).toBe('del-now');
    expect((await call('GET', `${pods}/del-now`)).status).toBe(404);
    // bind-me is on node-1: graceful
    const graceful = await call('DELETE', `${pods}/bind-me`);
    expect(graceful.json.metadata.deletionTimestamp).toBeDefined();
    expect(graceful.json.metadata.deletionGracePeriodSeconds).toBe(30);
    expect((await call('GET', `${pods}/bind-me`)).status).toBe(200);
    const forced = await call('DELETE', `${pods}/bind-me?gracePeriodSeconds=0`);
    expect(forced.status).toBe(200);
    expect((await call('GET', `${pods}/bind-me`)).status).toBe(404);
    // finalizers
    await call('POST', pods, { ...pod('fin'), metadata: { name: 'fin', finalizers: ['example.com/hold'] } });
    const held = await call('DELETE', `${pods}/fin`);
    expect(held.json.metadata.deletionTimestamp).toBeDefined();
    expect((await call('GET', `${pods}/fin`)).status).toBe(200);
    const released = await call(
      'PATCH',
      `${pods}/fin`,
      { metadata: { finalizers: null } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(released.status).toBe(200);
    expect((await call('GET', `${pods}/fin`)).status).toBe(404);
    // Orphan propagation leaves the orphan finalizer for the garbage collector
    await call('POST', pods, pod('orphan'));
    const orphaned = await call('DELETE', `${pods}/orphan`, { propagationPolicy: 'Orphan' });
    expect(orphaned.json.metadata.finalizers).toEqual(['orphan']);
    // uid precondition
    const wrongUid = await call('DELETE', `${pods}/crud-1`, { preconditions: { uid: 'nope' } });
    expect(wrongUid.status).toBe(409);
  });

  it('deletes collections by selector', async () => {
    for (const name of ['dc-1', 'dc-2']) {
      await call('POST', pods, { ...pod(name), metadata: { name, labels: { batch: 'x' } } });
    }
    const res = await call('DELETE', `${pods}?labelSelector=batch%3Dx`);
    expect(res.status).toBe(200);
    expect(res.json.items.map((p: any) => p.metadata.name).sort()).toEqual(['dc-1', 'dc-2']);
    expect((await call('GET', `${pods}?labelSelector=batch%3Dx`)).json.items).toEqual([]);
  });

  it('answers pod logs with clear errors until a kubelet is reachable', async () => {
    await call('POST', pods, pod('logs'));
    const unbound = await call('GET', `${pods}/logs/log`);
    expect(unbound.status).toBe(400);
    expect(unbound.json.message).toBe('pod logs does not have a host assigned');
    await call('POST', `${pods}/logs/binding`, {
      target: { kind: 'Node', name: 'ghost' },
      metadata: { name: 'logs' },
    });
    const noNode = await call('GET', `${pods}/logs/log`);
    expect(noNode.status).toBe(404);
    const badContainer = await call('GET', `${pods}/logs/log?container=zzz`);
    expect(badContainer.status).toBe(400);
  });
});
