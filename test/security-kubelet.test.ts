// Black-box: a kubelet serving its API over HTTPS to authenticated callers only, registered through
// the Node authorizer with its own identity; `kubectl logs` works because the apiserver presents its
// kubelet client certificate, while other users are refused by the kubelet itself.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { clientOptionsFromKubeconfig, loadKubeconfig } from '../src/client/kubeconfig.js';
import { createClient, type KubeClient } from '../src/client/rest.js';
import { createKubelet } from '../src/kubelet/index.js';
import { createRuntime } from '../src/kubelet/runtime/index.js';
import type { Runtime } from '../src/kubelet/runtime/types.js';
import { type ClusterPki, ensureClusterPki, issueClientCertificate } from '../src/pki/cluster.js';
import { kubeletApiAccess } from '../src/pki/kubelet-access.js';
import { type StartedApiServer, startApiServer } from './harness/apiserver.js';
import { type Kubectl, kubectlFor } from './harness/kubectl.js';
import { pollUntil } from './kubelet-fixtures.js';

const nodeName = 'secure-node';
let dir: string;
let pki: ClusterPki;
let api: StartedApiServer;
let kubeletClient: KubeClient;
let runtime: Runtime;
let kubectl: Kubectl;
const stop = new AbortController();
let running: Promise<void> | undefined;
let kubeletPort = 0;
const label = { 'kubelite.test': `security-kubelet-${process.pid}` };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelite-security-kubelet-'));
  const make = (server: string) =>
    ensureClusterPki({ dir: join(dir, 'pki'), server, nodes: [{ name: nodeName, address: '127.0.0.1' }] });
  pki = make('https://127.0.0.1:1');
  const ca = readFileSync(pki.caFile);
  api = await startApiServer({
    tls: { cert: readFileSync(pki.apiserver.cert), key: readFileSync(pki.apiserver.key), clientCA: ca },
    authentication: {},
    kubeletClientTls: {
      cert: readFileSync(pki.apiserverKubeletClient.cert),
      key: readFileSync(pki.apiserverKubeletClient.key),
      ca,
    },
  });
  pki = make(api.url);
  kubectl = kubectlFor(api.url);
  kubeletClient = createClient(clientOptionsFromKubeconfig(loadKubeconfig(pki.kubeconfigs.nodes[nodeName]!)));
  runtime = await createRuntime({
    kind: 'process',
    nodeName,
    stateDir: join(dir, 'runtime'),
    podCidr: '127.177.3.0/24',
  });
  const serving = pki.kubeletServing[nodeName]!;
  const kubelet = createKubelet({
    client: kubeletClient,
    nodeName,
    runtime,
    port: 0,
    heartbeatPeriodMs: 500,
    rootDir: join(dir, 'kubelet'),
    tls: { cert: readFileSync(serving.cert), key: readFileSync(serving.key), clientCA: ca },
    authorizeApi: kubeletApiAccess(),
  });
  running = kubelet.run(stop.signal);
  await kubelet.started();
  kubeletPort = kubelet.port;
});

afterAll(async () => {
  stop.abort();
  await running?.catch(() => {});
  if (runtime) {
    for (const c of await runtime.listContainers({ labels: label })) await runtime.removeContainer(c.id);
    for (const s of await runtime.listPodSandboxes({ labels: label })) await runtime.removePodSandbox(s.id);
    await runtime.close();
  }
  await kubeletClient?.close();
  kubectl?.cleanup();
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function kubeletGet(path: string, cert?: { cert: string; key: string }) {
  const dispatcher = new Agent({ connect: { ca: readFileSync(pki.caFile), ...(cert ?? {}) } });
  try {
    const res = await request(`https://127.0.0.1:${kubeletPort}${path}`, { dispatcher });
    return { status: res.statusCode, text: await res.body.text() };
  } finally {
    await dispatcher.close();
  }
}

describe('kubelet API security', () => {
  it('registers with its node identity and serves logs to the apiserver and admins only', async () => {
    const admin = { env: { KUBECONFIG: pki.kubeconfigs.admin } };
    const node = JSON.parse(await kubectl.ok(['get', 'node', nodeName, '-o', 'json'], admin));
    expect(node.status.daemonEndpoints.kubeletEndpoint.Port).toBe(kubeletPort);
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'talker', namespace: 'default', labels: label },
      spec: {
        nodeName,
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'c',
            image: 'kubelite/busybox:latest',
            command: ['sh', '-c', 'echo secret-line; sleep 600'],
          },
        ],
      },
    };
    await kubectl.ok(['create', '-f', '-'], { ...admin, stdin: JSON.stringify(pod) });
    // The kubelet reports Running through the Node authorizer (pods/status of a pod bound to it).
    await pollUntil(
      async () => {
        const phase = (await kubectl.run(['get', 'pod', 'talker', '-o', 'jsonpath={.status.phase}'], admin))
          .stdout;
        return phase === 'Running';
      },
      30_000,
      'pod Running',
    );
    const logs = await pollUntil(
      async () => {
        const out = await kubectl.run(['logs', 'talker'], admin);
        return out.stdout.includes('secret-line') ? out.stdout : undefined;
      },
      15_000,
      'the log line through kubectl logs',
    );
    expect(logs).toContain('secret-line');

    const path = '/containerLogs/default/talker/c';
    expect((await kubeletGet('/healthz')).status).toBe(200);
    expect((await kubeletGet(path)).status).toBe(401);
    expect((await kubeletGet('/pods')).status).toBe(401);
    const mallory = issueClientCertificate(join(dir, 'pki'), {
      commonName: 'mallory',
      organizations: ['devs'],
    });
    expect((await kubeletGet(path, mallory)).status).toBe(403);
    const root = issueClientCertificate(join(dir, 'pki'), {
      commonName: 'root',
      organizations: ['system:masters'],
    });
    const direct = await kubeletGet(path, root);
    expect(direct.status).toBe(200);
    expect(direct.text).toContain('secret-line');
    const monitor = issueClientCertificate(join(dir, 'pki'), {
      commonName: 'prom',
      organizations: ['system:monitoring'],
    });
    expect((await kubeletGet('/metrics', monitor)).status).toBe(200);
    expect((await kubeletGet(path, monitor)).status).toBe(403);
    // A kubelet identity may not read pod logs through the apiserver (the Node authorizer grants no pods/log).
    const asNode = await kubectl.run(['logs', 'talker'], {
      env: { KUBECONFIG: pki.kubeconfigs.nodes[nodeName]! },
    });
    expect(asNode.code).not.toBe(0);
    expect(asNode.stderr).toContain('cannot get resource "pods/log"');
    await kubectl.ok(['delete', 'pod', 'talker', '--wait=false'], admin);
  });
});
