// Black-box: the apiserver over TLS with authentication and Node+RBAC authorization, driven by raw
// HTTPS requests, our client (kubeconfig with certificates) and the real kubectl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTokenFile } from '../src/apiserver/auth/token-file.js';
import { clientOptionsFromKubeconfig, loadKubeconfig } from '../src/client/kubeconfig.js';
import { createClient } from '../src/client/rest.js';
import { createCertificateAuthority, issueCertificate } from '../src/pki/certificate.js';
import { type ClusterPki, ensureClusterPki, issueClientCertificate } from '../src/pki/cluster.js';
import { type StartedApiServer, startApiServer } from './harness/apiserver.js';
import { type Kubectl, kubectlFor } from './harness/kubectl.js';

let dir: string;
let pki: ClusterPki;
let api: StartedApiServer;
let kubectl: Kubectl;
let ca: string;

const tokens = ['alice-token,alice,1001', 'bob-token,bob,1002,"devs,qa"'].join('\n');

function pkiFor(server: string): ClusterPki {
  return ensureClusterPki({
    dir: join(dir, 'pki'),
    server,
    nodes: [
      { name: 'node-1', address: '127.0.1.1' },
      { name: 'node-2', address: '127.0.1.2' },
    ],
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelite-security-'));
  pki = pkiFor('https://127.0.0.1:1');
  api = await startApiServer({
    tls: {
      cert: readFileSync(pki.apiserver.cert),
      key: readFileSync(pki.apiserver.key),
      clientCA: readFileSync(pki.caFile),
    },
    authentication: { tokens: parseTokenFile(tokens) },
  });
  pki = pkiFor(api.url); // same certificates, kubeconfigs for the real port
  ca = readFileSync(pki.caFile, 'utf8');
  kubectl = kubectlFor(api.url);
});

afterAll(async () => {
  kubectl?.cleanup();
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Creds {
  token?: string;
  cert?: { cert: string; key: string };
  ca?: string;
}

async function call(method: string, path: string, creds: Creds = {}, body?: unknown) {
  const dispatcher = new Agent({
    connect: { ca: creds.ca ?? ca, ...(creds.cert ? { cert: creds.cert.cert, key: creds.cert.key } : {}) },
  });
  try {
    const res = await request(api.url + path, {
      method: method as 'GET',
      dispatcher,
      headers: {
        ...(creds.token ? { authorization: `Bearer ${creds.token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : undefined, text };
  } finally {
    await dispatcher.close();
  }
}

const asKubeconfig = (path: string) => ({ env: { KUBECONFIG: path } });
const pem = (files: { cert: string; key: string }) => ({
  cert: readFileSync(files.cert, 'utf8'),
  key: readFileSync(files.key, 'utf8'),
});

function userKubeconfig(name: string, creds: { token?: string; cert?: string; key?: string }): string {
  const path = join(dir, `${name}.kubeconfig`);
  const user = creds.token
    ? `{token: ${creds.token}}`
    : `{client-certificate-data: ${Buffer.from(creds.cert!).toString('base64')}, client-key-data: ${Buffer.from(creds.key!).toString('base64')}}`;
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: c, cluster: {server: "${api.url}", certificate-authority-data: ${Buffer.from(ca).toString('base64')}}}]`,
      `users: [{name: ${name}, user: ${user}}]`,
      `contexts: [{name: c, context: {cluster: c, user: ${name}, namespace: default}}]`,
      'current-context: c',
      '',
    ].join('\n'),
  );
  return path;
}

describe('authentication', () => {
  it('serves HTTPS only, with the cluster CA', async () => {
    expect(api.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    await expect(request(api.url.replace('https:', 'http:') + '/healthz')).rejects.toThrow();
    const other = createCertificateAuthority('not-the-cluster-ca');
    await expect(call('GET', '/healthz', { ca: other.cert })).rejects.toThrow();
  });

  it('answers requests without credentials with a 401 Status', async () => {
    const res = await call('GET', '/api/v1/namespaces/default/pods');
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    expect((await call('GET', '/healthz')).status).toBe(401);
  });

  it('accepts bearer tokens from the token file and refuses unknown ones', async () => {
    expect((await call('GET', '/version', { token: 'alice-token' })).status).toBe(200);
    expect((await call('GET', '/version', { token: 'forged' })).status).toBe(401);
  });

  it('accepts client certificates of the cluster CA (CN = user, O = groups) and no others', async () => {
    const carol = issueClientCertificate(join(dir, 'pki'), {
      commonName: 'carol',
      organizations: ['system:masters'],
    });
    expect((await call('GET', '/api/v1/nodes', { cert: carol })).status).toBe(200);
    const stranger = createCertificateAuthority('evil');
    const forged = issueCertificate(stranger, {
      subject: { commonName: 'carol', organizations: ['system:masters'] },
      usages: ['clientAuth'],
    });
    expect((await call('GET', '/api/v1/nodes', { cert: forged })).status).toBe(401);
  });

  it('works through our client with a kubeconfig holding the admin certificate', async () => {
    const client = createClient(clientOptionsFromKubeconfig(loadKubeconfig(pki.kubeconfigs.admin)));
    try {
      const ns = await client.namespaces.get('default');
      expect(ns.metadata.name).toBe('default');
      const roles = await client.resource('clusterroles').list();
      expect(roles.items.map((r) => r.metadata.name)).toContain('cluster-admin');
    } finally {
      await client.close();
    }
  });

  it('gives anonymous requests system:anonymous only when enabled', async () => {
    const open = await startApiServer({
      tls: { cert: readFileSync(pki.apiserver.cert), key: readFileSync(pki.apiserver.key) },
      authentication: { anonymous: true },
    });
    try {
      const dispatcher = new Agent({ connect: { ca } });
      const health = await request(`${open.url}/healthz`, { dispatcher });
      expect(health.statusCode).toBe(200);
      await health.body.text();
      const pods = await request(`${open.url}/api/v1/pods`, { dispatcher });
      expect(pods.statusCode).toBe(403);
      expect(((await pods.body.json()) as { message: string }).message).toBe(
        'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" at the cluster scope',
      );
      await dispatcher.close();
    } finally {
      await open.stop();
    }
  });
});

describe('RBAC with kubectl', () => {
  it('refuses with Kubernetes wording, then allows what a RoleBinding grants', async () => {
    const alice = userKubeconfig('alice', { token: 'alice-token' });
    const denied = await kubectl.run(['get', 'pods'], asKubeconfig(alice));
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(
      'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    const admin = asKubeconfig(pki.kubeconfigs.admin);
    await kubectl.ok(
      ['create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods,pods/log'],
      admin,
    );
    await kubectl.ok(['create', 'rolebinding', 'alice-reads', '--role=pod-reader', '--user=alice'], admin);
    expect(await kubectl.ok(['get', 'roles'], admin)).toMatch(/pod-reader/);
    expect(
      await kubectl.ok(['get', 'rolebinding', 'alice-reads', '-o', 'jsonpath={.roleRef.name}'], admin),
    ).toBe('pod-reader');
    expect((await kubectl.ok(['get', 'pods'], asKubeconfig(alice))).trim()).toBe('');
    expect((await kubectl.ok(['auth', 'can-i', 'list', 'pods'], asKubeconfig(alice))).trim()).toBe('yes');
    const no = await kubectl.run(['auth', 'can-i', 'delete', 'pods'], asKubeconfig(alice));
    expect(no.stdout.trim()).toBe('no');
    expect(
      (
        await kubectl.run(['auth', 'can-i', 'list', 'pods', '-n', 'kube-system'], asKubeconfig(alice))
      ).stdout.trim(),
    ).toBe('no');
    // Group membership from the token file: bob is in "devs".
    await kubectl.ok(['create', 'clusterrole', 'node-viewer', '--verb=get,list', '--resource=nodes'], admin);
    await kubectl.ok(
      ['create', 'clusterrolebinding', 'devs-view-nodes', '--clusterrole=node-viewer', '--group=devs'],
      admin,
    );
    const bob = userKubeconfig('bob', { token: 'bob-token' });
    expect((await kubectl.ok(['auth', 'can-i', 'list', 'nodes'], asKubeconfig(bob))).trim()).toBe('yes');
    expect((await kubectl.run(['auth', 'can-i', 'list', 'nodes'], asKubeconfig(alice))).stdout.trim()).toBe(
      'no',
    );
    const list = await kubectl.ok(['auth', 'can-i', '--list'], asKubeconfig(alice));
    expect(list).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    expect(list).toMatch(/selfsubjectaccessreviews\.authorization\.k8s\.io/);
  });

  it('lets a user hand out only the permissions they hold (escalation prevention)', async () => {
    const admin = asKubeconfig(pki.kubeconfigs.admin);
    await kubectl.ok(['create', 'namespace', 'team'], admin);
    await kubectl.ok(
      ['create', 'rolebinding', 'bob-admin', '--clusterrole=admin', '--user=bob', '-n', 'team'],
      admin,
    );
    const bob = asKubeconfig(userKubeconfig('bob', { token: 'bob-token' }));
    await kubectl.ok(['create', 'role', 'pods-only', '--verb=get', '--resource=pods', '-n', 'team'], bob);
    const escalate = await kubectl.run(
      ['create', 'role', 'nodes', '--verb=delete', '--resource=nodes', '-n', 'team'],
      bob,
    );
    expect(escalate.code).not.toBe(0);
    expect(escalate.stderr).toContain('is attempting to grant RBAC permissions not currently held');
    const bindAdmin = await kubectl.run(
      [
        'create',
        'rolebinding',
        'me-cluster-admin',
        '--clusterrole=cluster-admin',
        '--user=bob',
        '-n',
        'team',
      ],
      bob,
    );
    expect(bindAdmin.code).not.toBe(0);
    expect(bindAdmin.stderr).toContain('is attempting to grant RBAC permissions not currently held');
    await kubectl.ok(
      ['create', 'rolebinding', 'alice-view', '--clusterrole=view', '--user=alice', '-n', 'team'],
      bob,
    );
  });
});

describe('users as docs/security.md creates them', () => {
  it('accepts a client certificate made with openssl from the cluster CA, and impersonation by admins', async () => {
    const pkiDir = join(dir, 'pki');
    const sh = (cmd: string) => execFileSync('bash', ['-c', cmd], { cwd: pkiDir, stdio: 'pipe' });
    sh(
      'openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout dora.key -out dora.csr -subj "/O=developers/CN=dora"',
    );
    sh(
      'openssl x509 -req -in dora.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -extfile <(printf "extendedKeyUsage=clientAuth") -out dora.crt',
    );
    const dora = userKubeconfig('dora', {
      cert: readFileSync(join(pkiDir, 'dora.crt'), 'utf8'),
      key: readFileSync(join(pkiDir, 'dora.key'), 'utf8'),
    });
    const admin = asKubeconfig(pki.kubeconfigs.admin);
    await kubectl.ok(['create', 'namespace', 'docs'], admin);
    await kubectl.ok(
      ['create', 'rolebinding', 'dora-edit', '--clusterrole=edit', '--user=dora', '-n', 'docs'],
      admin,
    );
    expect(
      (await kubectl.ok(['auth', 'can-i', 'create', 'pods', '-n', 'docs'], asKubeconfig(dora))).trim(),
    ).toBe('yes');
    expect(
      (await kubectl.ok(['auth', 'can-i', 'create', 'pods', '-n', 'docs', '--as', 'dora'], admin)).trim(),
    ).toBe('yes');
    const asOther = await kubectl.run(
      ['auth', 'can-i', 'create', 'pods', '-n', 'docs', '--as', 'nobody'],
      admin,
    );
    expect(asOther.stdout.trim()).toBe('no');
    const impersonating = await kubectl.run(
      ['get', 'pods', '-n', 'docs', '--as', 'system:admin'],
      asKubeconfig(dora),
    );
    expect(impersonating.stderr).toContain('User "dora" cannot impersonate resource "users" in API group ""');
  });
});

describe('Node authorizer', () => {
  it('lets a kubelet identity change only its own Node and the pods bound to it', async () => {
    const node1 = loadKubeconfig(pki.kubeconfigs.nodes['node-1']!);
    const creds: Creds = { cert: { cert: node1.cert!.toString(), key: node1.key!.toString() } };
    const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
    expect((await call('POST', '/api/v1/nodes', creds, node('node-1'))).status).toBe(201);
    const other = await call('POST', '/api/v1/nodes', creds, node('node-2'));
    expect(other.status).toBe(403);
    expect(other.json.message).toBe('node "node-1" is not allowed to modify node "node-2"');
    const admin: Creds = { cert: pem({ cert: join(dir, 'pki/admin.crt'), key: join(dir, 'pki/admin.key') }) };
    expect((await call('POST', '/api/v1/nodes', admin, node('node-2'))).status).toBe(201);
    const patchOther = await call('PATCH', '/api/v1/nodes/node-2', creds);
    expect(patchOther.status).toBe(403);
    expect(patchOther.json.message).toBe(
      `nodes "node-2" is forbidden: User "system:node:node-1" cannot patch resource "nodes" in API group "" at the cluster scope: node 'node-1' cannot modify node 'node-2'`,
    );
    const pod = (name: string, nodeName: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] },
    });
    for (const [name, nodeName] of [
      ['mine', 'node-1'],
      ['theirs', 'node-2'],
    ] as const) {
      expect((await call('POST', '/api/v1/namespaces/default/pods', admin, pod(name, nodeName))).status).toBe(
        201,
      );
    }
    const status = { status: { phase: 'Running' } };
    const merge = async (path: string, body: unknown) => {
      const dispatcher = new Agent({ connect: { ca, cert: creds.cert!.cert, key: creds.cert!.key } });
      const res = await request(api.url + path, {
        method: 'PATCH',
        dispatcher,
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify(body),
      });
      await res.body.text();
      await dispatcher.close();
      return res.statusCode;
    };
    expect(await merge('/api/v1/namespaces/default/pods/mine/status', status)).toBe(200);
    expect(await merge('/api/v1/namespaces/default/pods/theirs/status', status)).toBe(403);
    expect(await merge('/api/v1/namespaces/default/pods/mine', { metadata: { labels: { a: 'b' } } })).toBe(
      403,
    );
    expect((await call('DELETE', '/api/v1/namespaces/default/pods/theirs', creds)).status).toBe(403);
    expect((await call('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1', creds)).status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/default/replicationcontrollers', creds)).status).toBe(403);
    expect((await call('DELETE', '/api/v1/namespaces/default/pods/mine', creds)).status).toBe(200);
  });

  it('lets a kubelet identity get, create and renew only its own Lease in kube-node-lease', async () => {
    const node1 = loadKubeconfig(pki.kubeconfigs.nodes['node-1']!);
    const creds: Creds = { cert: { cert: node1.cert!.toString(), key: node1.key!.toString() } };
    const base = '/apis/coordination.k8s.io/v1/namespaces';
    const lease = (name: string, namespace = 'kube-node-lease') => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: '2030-01-01T00:00:00.000000Z' },
    });
    expect((await call('GET', `${base}/kube-node-lease/leases/node-1`, creds)).status).toBe(404);
    const created = await call('POST', `${base}/kube-node-lease/leases`, creds, lease('node-1'));
    expect(created.status).toBe(201);
    const renewed = {
      ...created.json,
      spec: { ...created.json.spec, renewTime: '2030-01-01T00:00:10.000000Z' },
    };
    expect((await call('PUT', `${base}/kube-node-lease/leases/node-1`, creds, renewed)).status).toBe(200);
    const other = await call('POST', `${base}/kube-node-lease/leases`, creds, lease('node-2'));
    expect(other.status).toBe(403);
    expect(other.json.message).toContain(
      'can only access node lease with the same name as the requesting node',
    );
    expect((await call('GET', `${base}/kube-node-lease/leases/node-2`, creds)).status).toBe(403);
    expect((await call('POST', `${base}/default/leases`, creds, lease('node-1', 'default'))).status).toBe(
      403,
    );
    expect((await call('GET', `${base}/kube-node-lease/leases`, creds)).status).toBe(403);
  });
});
