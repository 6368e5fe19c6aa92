// Black-box: the real /usr/bin/kubectl (1.32) against a live apiserver, on every storage backend.
import { spawn } from 'node:child_process';
import { chmodSync } from 'node:fs';
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

  it('leases (coordination.k8s.io/v1): apply with validation, get as table and yaml, explain, refuse bad values', async () => {
    const lease = (extra = '') => `apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: node-a
  namespace: kube-node-lease
spec:
  holderIdentity: node-a
  leaseDurationSeconds: 40
  renewTime: "2024-01-02T03:04:05.678000Z"
${extra}`;
    expect(await kubectl.ok(['apply', '-f', kubectl.file('lease.yaml', lease())])).toContain(
      'lease.coordination.k8s.io/node-a created',
    );
    const table = await kubectl.ok(['get', 'leases', '-n', 'kube-node-lease']);
    expect(table).toMatch(/^NAME\s+HOLDER\s+AGE\nnode-a\s+node-a\s+\d+s\n$/);
    const yaml = await kubectl.ok(['get', 'lease', 'node-a', '-n', 'kube-node-lease', '-o', 'yaml']);
    expect(yaml).toContain('renewTime: "2024-01-02T03:04:05.678000Z"');
    expect(await kubectl.ok(['explain', 'lease.spec.holderIdentity'])).toContain('holderIdentity');
    const unknown = await kubectl.run(['apply', '-f', kubectl.file('bad-lease.yaml', lease('  bogus: 1'))]);
    expect(unknown.stderr).toContain('unknown field "spec.bogus"');
    const zero = await kubectl.run([
      'patch',
      'lease',
      'node-a',
      '-n',
      'kube-node-lease',
      '--type',
      'merge',
      '-p',
      '{"spec":{"leaseDurationSeconds":0}}',
    ]);
    expect(zero.stderr).toContain('spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0');
    await kubectl.ok(['delete', 'lease', 'node-a', '-n', 'kube-node-lease']);
  });

  it('rbac.authorization.k8s.io/v1: apply with validation, unchanged on reapply, unknown fields refused, explain', async () => {
    const manifest = (roleExtra = '', bindingExtra = '') => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: pod-reader
  namespace: default
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
${roleExtra}---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: read-pods
  namespace: default
subjects:
- kind: User
  name: jane
  apiGroup: rbac.authorization.k8s.io
${bindingExtra}roleRef:
  kind: Role
  name: pod-reader
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring
aggregationRule:
  clusterRoleSelectors:
  - matchLabels:
      rbac.example.com/aggregate-to-monitoring: "true"
`;
    const file = kubectl.file('rbac.yaml', manifest());
    expect(await kubectl.ok(['apply', '-f', file])).toBe(
      'role.rbac.authorization.k8s.io/pod-reader created\n' +
        'rolebinding.rbac.authorization.k8s.io/read-pods created\n' +
        'clusterrole.rbac.authorization.k8s.io/monitoring created\n',
    );
    expect(await kubectl.ok(['apply', '-f', file])).toBe(
      'role.rbac.authorization.k8s.io/pod-reader unchanged\n' +
        'rolebinding.rbac.authorization.k8s.io/read-pods unchanged\n' +
        'clusterrole.rbac.authorization.k8s.io/monitoring unchanged\n',
    );
    // An existing Role (a strategic merge patch) and a new RoleBinding (a create), both Strict.
    const bad = manifest('  bogus: 1\n', '  color: red\n').replace(/read-pods/g, 'read-pods-2');
    const refused = await kubectl.run(['apply', '-f', kubectl.file('bad-rbac.yaml', bad)]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('strict decoding error: unknown field "rules[0].bogus"');
    expect(refused.stderr).toContain('strict decoding error: unknown field "subjects[0].color"');
    expect((await kubectl.run(['get', 'rolebinding', 'read-pods-2'])).stderr).toContain('not found');
    const explained = await kubectl.ok(['explain', 'clusterrole.rules']);
    expect(explained).toContain('GROUP:      rbac.authorization.k8s.io');
    expect(explained).toMatch(/FIELD: +rules <\[\]PolicyRule>/);
    expect(explained).toMatch(/verbs\s+<\[\]string> -required-/);
    await kubectl.ok(['delete', '-f', file]);
  });

  it('reports validation errors like Kubernetes', async () => {
    const bad = kubectl.file('bad.yaml', podYaml('bad').replace('  containers:', '  foo: 1\n  containers:'));
    const res = await kubectl.run(['create', '-f', bad]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('unknown field "spec.foo"');
  });

  it('describe shows pods, services, RCs and nodes with their events; get events by involvedObject', async () => {
    await kubectl.ok(['create', '-f', kubectl.file('desc-pod.yaml', podYaml('desc-pod'))]);
    await kubectl.ok(['create', 'service', 'clusterip', 'desc-svc', '--tcp=80:8080']);
    await kubectl.ok(['create', '-f', kubectl.file('desc-rc.yaml', rcYaml.replace('web-rc', 'desc-rc'))]);
    await kubectl.ok(['create', '-f', kubectl.file('desc-node.json', nodeJson('desc-node'))]);
    const targets: Array<[string, string, string]> = [
      ['pod', 'desc-pod', 'Pod'],
      ['service', 'desc-svc', 'Service'],
      ['rc', 'desc-rc', 'ReplicationController'],
      ['node', 'desc-node', 'Node'],
    ];
    for (const [type, name, kind] of targets) {
      const uid = await kubectl.ok(['get', type, name, '-o', 'jsonpath={.metadata.uid}']);
      await kubectl.ok(['create', '-f', kubectl.file(`ev-${name}.json`, eventJson(kind, name, uid))]);
    }
    const described: Record<string, string> = {};
    for (const [type, name, kind] of targets) {
      const out = await kubectl.ok(['describe', type, name]);
      described[type] = out;
      expect(out).toMatch(new RegExp(`^Name:\\s+${name}$`, 'm'));
      expect(out).toMatch(/^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n/m);
      expect(out).toMatch(
        new RegExp(`Normal\\s+Testing\\s+\\S+ \\(x3 over \\S+\\)\\s+tester\\s+hello ${kind} ${name}`),
      );
    }
    expect(described.pod).toMatch(/^Status:\s+Pending$/m);
    expect(described.pod).toMatch(/^QoS Class:\s+BestEffort$/m);
    expect(described.pod).toMatch(/^\s+Port:\s+80\/TCP$/m);
    expect(described.service).toMatch(/^IP:\s+127\.10\.\d+\.\d+$/m);
    expect(described.service).toMatch(/^TargetPort:\s+8080\/TCP$/m);
    expect(described.rc).toMatch(/^Replicas:\s+0 current \/ 2 desired$/m);
    expect(described.node).toMatch(/^\s+Ready\s+True\s/m);
    expect(described.node).toMatch(/^\s+InternalIP:\s+127\.0\.1\.9$/m);
    expect(described.node).toMatch(/^\s+Kubelet Version:\s+v1\.32\.0-kubelite$/m);

    const events = await kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=desc-pod']);
    const rows = events.trim().split('\n');
    expect(rows[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    expect(rows.slice(1)).toEqual([
      expect.stringMatching(/^\S+\s+Normal\s+Testing\s+pod\/desc-pod\s+hello Pod desc-pod$/),
    ]);
    const nodeEvents = await kubectl.ok([
      'get',
      'events',
      '-A',
      '--field-selector',
      'involvedObject.kind=Node,reason=Testing',
      '-o',
      'name',
    ]);
    expect(nodeEvents.trim().split('\n')).toHaveLength(1);
  });

  it('get all shows pods, services and replication controllers', async () => {
    const all = await kubectl.ok(['get', 'all']);
    expect(all).toMatch(/^pod\/desc-pod\s+0\/1\s+Pending\s/m);
    expect(all).toMatch(/^service\/desc-svc\s+ClusterIP\s+127\.10\.\d+\.\d+\s+<none>\s+80\/TCP\s/m);
    expect(all).toMatch(/^replicationcontroller\/desc-rc\s+2\s+0\s+0\s/m);
  });

  it('explain reads the served OpenAPI schema', async () => {
    const ports = await kubectl.ok(['explain', 'pod.spec.containers.ports']);
    expect(ports).toMatch(/^KIND:\s+Pod$/m);
    expect(ports).toMatch(/^FIELD: ports <\[\]ContainerPort>$/m);
    expect(ports).toMatch(/^\s+containerPort\t<integer> -required-$/m);
    expect(await kubectl.ok(['explain', 'rc.spec.replicas'])).toMatch(/^FIELD: replicas <integer>$/m);
    expect(await kubectl.ok(['explain', 'nodes.spec.unschedulable'])).toMatch(
      /^FIELD: unschedulable <boolean>$/m,
    );
    const svc = await kubectl.ok(['explain', 'svc']);
    expect(svc).toMatch(/^KIND:\s+Service$/m);
    expect(svc).toMatch(/^\s+spec\t<ServiceSpec>$/m);
  });

  it('edit applies what $EDITOR changed, and cancels an unchanged edit', async () => {
    const editor = kubectl.file(
      'editor.sh',
      '#!/bin/sh\nsed -i \'s/^    app: web$/    app: edited/\' "$1"\n',
    );
    chmodSync(editor, 0o755);
    expect(await kubectl.ok(['edit', 'pod', 'desc-pod'], { env: { EDITOR: editor } })).toBe(
      'pod/desc-pod edited\n',
    );
    expect(await kubectl.ok(['get', 'pod', 'desc-pod', '-o', 'jsonpath={.metadata.labels.app}'])).toBe(
      'edited',
    );
    const unchanged = await kubectl.run(['edit', 'pod', 'desc-pod'], { env: { EDITOR: 'true' } });
    expect(unchanged.code).toBe(0);
    expect(unchanged.stdout + unchanged.stderr).toContain('Edit cancelled, no changes made.');
  });

  it('diff shows nothing after apply and the change otherwise (server-side dry run)', async () => {
    const file = kubectl.file('diffed.yaml', podYaml('diffed'));
    await kubectl.ok(['apply', '-f', file]);
    const same = await kubectl.run(['diff', '-f', file]);
    expect([same.code, same.stdout]).toEqual([0, '']);
    kubectl.file('diffed.yaml', podYaml('diffed', 'busybox', 'app: changed'));
    const changed = await kubectl.run(['diff', '-f', file]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('-    app: web\n+    app: changed\n');
    expect(changed.stdout).not.toContain('annotations: {}');
    expect(await kubectl.ok(['get', 'pod', 'diffed', '-o', 'jsonpath={.metadata.labels.app}'])).toBe('web');
  });

  it('cordon, uncordon and drain a node (drain deletes with protobuf DeleteOptions: no eviction API)', async () => {
    expect(await kubectl.ok(['cordon', 'desc-node'])).toBe('node/desc-node cordoned\n');
    expect(await kubectl.ok(['get', 'node', 'desc-node', '--no-headers'])).toMatch(
      /^desc-node\s+Ready,SchedulingDisabled\s/,
    );
    expect(await kubectl.ok(['uncordon', 'desc-node'])).toBe('node/desc-node uncordoned\n');
    expect(await kubectl.ok(['get', 'node', 'desc-node', '-o', 'jsonpath={.spec.unschedulable}'])).toBe('');

    const rcUid = await kubectl.ok(['get', 'rc', 'desc-rc', '-o', 'jsonpath={.metadata.uid}']);
    const owner = {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      name: 'desc-rc',
      uid: rcUid,
      controller: true,
    };
    for (const [name, owners] of [
      ['drain-owned', [owner]],
      ['drain-solo', []],
    ] as const) {
      const body = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, ownerReferences: owners },
        spec: { nodeName: 'desc-node', containers: [{ name: 'c', image: 'busybox' }] },
      };
      await kubectl.ok(['create', '-f', kubectl.file(`${name}.json`, JSON.stringify(body))]);
    }
    const refused = await kubectl.run(['drain', 'desc-node', '--timeout=20s']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'cannot delete Pods that declare no controller (use --force to override): default/drain-solo',
    );
    // Without a kubelet nothing finishes a graceful deletion: a zero grace period deletes at once.
    const drained = await kubectl.run(['drain', 'desc-node', '--force', '--grace-period=0', '--timeout=30s']);
    expect(drained.code).toBe(0);
    expect(drained.stdout).toContain('pod/drain-owned deleted');
    expect(drained.stdout).toContain('pod/drain-solo deleted');
    expect(drained.stdout).toContain('node/desc-node drained');
    expect(
      await kubectl.ok(['get', 'pods', '--field-selector', 'spec.nodeName=desc-node', '-o', 'name']),
    ).toBe('');
    expect(await kubectl.ok(['get', 'node', 'desc-node', '-o', 'jsonpath={.spec.unschedulable}'])).toBe(
      'true',
    );
  });

  it('wait --for=condition=Ready returns once the status subresource reports Ready', async () => {
    await kubectl.ok(['create', '-f', kubectl.file('ready.yaml', podYaml('ready'))]);
    const waiting = kubectl.run(['wait', '--for=condition=Ready', 'pod/ready', '--timeout=30s']);
    await new Promise((r) => setTimeout(r, 300));
    const status = {
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }],
      },
    };
    expect(
      await kubectl.ok([
        'patch',
        'pod',
        'ready',
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify(status),
      ]),
    ).toBe('pod/ready patched\n');
    const waited = await waiting;
    expect([waited.code, waited.stdout]).toEqual([0, 'pod/ready condition met\n']);
    const notReady = await kubectl.run(['wait', '--for=condition=Ready=false', 'pod/ready', '--timeout=1s']);
    expect(notReady.code).not.toBe(0);
    expect(notReady.stderr).toContain('timed out waiting for the condition on pods/ready');
  });
});

function nodeJson(name: string): string {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    status: {
      capacity: { cpu: '2', memory: '4Gi', pods: '110' },
      allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
      addresses: [
        { type: 'InternalIP', address: '127.0.1.9' },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.32.0-kubelite',
        containerRuntimeVersion: 'docker://27.5.1',
        osImage: 'Debian GNU/Linux 13',
        kernelVersion: '6.12.0',
        operatingSystem: 'linux',
        architecture: 'amd64',
        machineID: '',
        systemUUID: '',
        bootID: '',
        kubeProxyVersion: '',
      },
    },
  });
}

/** An event about an object, as a component records it (nodes' events live in `default`). */
function eventJson(kind: string, name: string, uid: string): string {
  const ago = (minutes: number) =>
    new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { generateName: `${name}.`, namespace: 'default' },
    involvedObject: {
      apiVersion: 'v1',
      kind,
      name,
      uid,
      ...(kind === 'Node' ? {} : { namespace: 'default' }),
    },
    reason: 'Testing',
    message: `hello ${kind} ${name}`,
    type: 'Normal',
    source: { component: 'tester' },
    firstTimestamp: ago(5),
    lastTimestamp: ago(1),
    count: 3,
  });
}

async function waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
