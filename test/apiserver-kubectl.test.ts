// Black-box: the real /usr/bin/kubectl (1.32) against a live apiserver, on every storage backend.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, type StartedApiServer, startApiServer } from './harness/apiserver.js';
import { type Kubectl, kubectlBinary, kubectlFor } from './harness/kubectl.js';

const backends: Backend[] = ['memory', 'embedded', 'etcd'];

const podYaml = (name: string, image = 'busybox', labels = 'app: web') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    ${labels}
spec:
  containers:
  - name: main
    image: ${image}
    ports:
    - containerPort: 80
`;

const rcYaml = `apiVersion: v1
kind: ReplicationController
metadata:
  name: web-rc
spec:
  replicas: 2
  selector:
    app: rc
  template:
    metadata:
      labels:
        app: rc
    spec:
      containers:
      - name: main
        image: busybox
`;

describe.each(backends)('kubectl against kubelite (%s)', (backend) => {
  let api: StartedApiServer;
  let kubectl: Kubectl;

  beforeAll(async () => {
    api = await startApiServer({ storage: backend });
    kubectl = kubectlFor(api.url);
  });
  afterAll(async () => {
    kubectl?.cleanup();
    await api?.stop();
  });

  it('version and api-resources', async () => {
    const version = JSON.parse(await kubectl.ok(['version', '-o', 'json']));
    expect(version.serverVersion).toMatchObject({ major: '1', minor: '32' });
    const resources = await kubectl.ok(['api-resources']);
    expect(resources).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(resources).toMatch(/^services\s+svc\s+v1\s+true\s+Service$/m);
    expect(resources).toMatch(/^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
  });

  it('create -f, get as table, wide, yaml, with selectors, -A and --show-labels', async () => {
    const file = kubectl.file('web.yaml', podYaml('web'));
    expect(await kubectl.ok(['create', '-f', file])).toBe('pod/web created\n');
    await kubectl.ok(['create', '-f', kubectl.file('db.yaml', podYaml('db', 'busybox', 'app: db'))]);
    const table = await kubectl.ok(['get', 'pods']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(table).toMatch(/^web\s+0\/1\s+Pending\s+0\s+\S+$/m);
    const wide = await kubectl.ok(['get', 'pods', '-o', 'wide']);
    expect(wide.split('\n')[0]).toMatch(/IP\s+NODE/);
    const yaml = await kubectl.ok(['get', 'pod', 'web', '-o', 'yaml']);
    expect(yaml).toContain('kind: Pod');
    expect(yaml).toContain('uid: ');
    expect(await kubectl.ok(['get', 'pods', '-l', 'app=db', '-o', 'name'])).toBe('pod/db\n');
    expect(await kubectl.ok(['get', 'pods', '--field-selector', 'metadata.name=web', '-o', 'name'])).toBe(
      'pod/web\n',
    );
    const all = await kubectl.ok(['get', 'pods', '-A']);
    expect(all.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME/);
    expect(all).toMatch(/^default\s+web\s/m);
    const labels = await kubectl.ok(['get', 'pods', '--show-labels']);
    expect(labels).toMatch(/^web\s.*app=web$/m);
    const missing = await kubectl.run(['get', 'pod', 'nope']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('Error from server (NotFound): pods "nope" not found');
    const dup = await kubectl.run(['create', '-f', file]);
    expect(dup.stderr).toContain('Error from server (AlreadyExists)');
  });

  it('apply: create, unchanged, configured, server-side', async () => {
    const file = kubectl.file('applied.yaml', podYaml('applied'));
    expect(await kubectl.ok(['apply', '-f', file])).toBe('pod/applied created\n');
    expect(await kubectl.ok(['apply', '-f', file])).toBe('pod/applied unchanged\n');
    kubectl.file('applied.yaml', podYaml('applied', 'busybox', 'app: web2'));
    expect(await kubectl.ok(['apply', '-f', file])).toBe('pod/applied configured\n');
    expect(await kubectl.ok(['get', 'pod', 'applied', '-o', 'jsonpath={.metadata.labels.app}'])).toBe('web2');
    const ssa = kubectl.file('ssa.yaml', podYaml('ssa'));
    expect(await kubectl.ok(['apply', '--server-side', '-f', ssa])).toBe('pod/ssa serverside-applied\n');
    expect(await kubectl.ok(['apply', '--server-side', '-f', ssa])).toBe('pod/ssa serverside-applied\n');
  });

  it('patch (merge, json, strategic), label, annotate', async () => {
    const patches: Array<[string[], string]> = [
      [['--type', 'merge'], '{"metadata":{"labels":{"m":"1"}}}'],
      [['--type', 'json'], '[{"op":"add","path":"/metadata/labels/j","value":"2"}]'],
      [[], '{"spec":{"containers":[{"name":"main","image":"busybox:2"}]}}'],
    ];
    for (const [type, patch] of patches) {
      expect(await kubectl.ok(['patch', 'pod', 'web', ...type, '-p', patch])).toBe('pod/web patched\n');
    }
    expect(await kubectl.ok(['label', 'pod', 'web', 'tier=front'])).toBe('pod/web labeled\n');
    expect(await kubectl.ok(['annotate', 'pod', 'web', 'note=hi'])).toBe('pod/web annotated\n');
    const got = JSON.parse(await kubectl.ok(['get', 'pod', 'web', '-o', 'json']));
    expect(got.metadata.labels).toMatchObject({ app: 'web', m: '1', j: '2', tier: 'front' });
    expect(got.metadata.annotations.note).toBe('hi');
    expect(got.spec.containers[0].image).toBe('busybox:2');
  });

  it('scale a replication controller', async () => {
    await kubectl.ok(['create', '-f', kubectl.file('rc.yaml', rcYaml)]);
    expect(await kubectl.ok(['scale', 'rc', 'web-rc', '--replicas=5'])).toBe(
      'replicationcontroller/web-rc scaled\n',
    );
    expect(await kubectl.ok(['get', 'rc', 'web-rc', '-o', 'jsonpath={.spec.replicas}'])).toBe('5');
    const rcTable = await kubectl.ok(['get', 'rc']);
    expect(rcTable.split('\n')[0]).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/);
  });

  it('get -w prints changes as they happen', async () => {
    const child = spawn(kubectlBinary, ['get', 'pods', '-w', '--no-headers'], { env: kubectl.env });
    try {
      const lines = createInterface({ input: child.stdout });
      const seen: string[] = [];
      const watched = new Promise<void>((resolve) => {
        lines.on('line', (line) => {
          seen.push(line);
          if (line.startsWith('watched ')) resolve();
        });
      });
      // wait for the initial listing before creating
      await waitFor(() => seen.some((l) => l.startsWith('web ')));
      await kubectl.ok(['create', '-f', kubectl.file('watched.yaml', podYaml('watched'))]);
      await watched;
    } finally {
      child.kill();
    }
  });

  it('delete and wait --for=delete', async () => {
    await kubectl.ok(['create', '-f', kubectl.file('gone.yaml', podYaml('gone'))]);
    const waiting = kubectl.run(['wait', '--for=delete', 'pod/gone', '--timeout=20s']);
    await new Promise((r) => setTimeout(r, 300));
    expect(await kubectl.ok(['delete', 'pod', 'gone'])).toBe('pod "gone" deleted\n');
    const waited = await waiting;
    expect(waited.code).toBe(0);
    expect(waited.stdout).toBe('pod/gone condition met\n');
  });

  it('create namespace and service with protobuf bodies; delete namespace', async () => {
    expect(await kubectl.ok(['create', 'namespace', 'team-a'])).toBe('namespace/team-a created\n');
    expect(
      await kubectl.ok(['create', 'service', 'clusterip', 'my-svc', '--tcp=80:8080', '-n', 'team-a']),
    ).toBe('service/my-svc created\n');
    const svc = await kubectl.ok(['get', 'svc', '-n', 'team-a']);
    expect(svc.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    expect(svc).toMatch(/^my-svc\s+ClusterIP\s+127\.10\.\d+\.\d+\s+<none>\s+80\/TCP\s/m);
    await kubectl.ok(['create', '-f', kubectl.file('in-ns.yaml', podYaml('in-ns')), '-n', 'team-a']);
    expect(await kubectl.ok(['delete', 'namespace', 'team-a'], { timeoutMs: 60_000 })).toBe(
      'namespace "team-a" deleted\n',
    );
    const gone = await kubectl.run(['get', 'namespace', 'team-a']);
    expect(gone.stderr).toContain('namespaces "team-a" not found');
    const refused = await kubectl.run([
      'create',
      '-f',
      kubectl.file('x.yaml', podYaml('x')),
      '-n',
      'nowhere',
    ]);
    expect(refused.stderr).toContain('namespaces "nowhere" not found');
  });

  it('reports validation errors like Kubernetes', async () => {
    const bad = kubectl.file('bad.yaml', podYaml('bad').replace('  containers:', '  foo: 1\n  containers:'));
    const res = await kubectl.run(['create', '-f', bad]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('unknown field "spec.foo"');
  });
});

async function waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
