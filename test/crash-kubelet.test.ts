// Crash safety of the kubelet on Docker: `kill -9` of a kubelet child process with running pods,
// then a new kubelet on the same node adopts the containers — the same container ids, started once,
// no restarts, no duplicates — and reports the pods Running and Ready again. Needs a Docker daemon
// with kubelite/pause and kubelite/busybox (scripts/build-images.sh).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { createClient, type KubeClient } from '../src/client/index.js';
import { createRuntime } from '../src/kubelet/runtime/index.js';
import type { ContainerStatus, Runtime } from '../src/kubelet/runtime/types.js';
import { type StartedApiServer, startApiServer } from './harness/apiserver.js';
import { type StartedComponent, startComponent } from './harness/component.js';
import { pollUntil } from './kubelet-fixtures.js';

const runId = `crash-${randomUUID().slice(0, 8)}`;
const nodeName = `kubelet-${runId}`;
const label = { 'kubelite.test': runId };
let dir: string;
let api: StartedApiServer;
let client: KubeClient;
let runtime: Runtime;
let kubelet: StartedComponent | undefined;

async function startKubelet(): Promise<StartedComponent> {
  return startComponent(
    [
      'kubelet',
      '--server',
      api.url,
      '--runtime',
      'docker',
      '--node-name',
      nodeName,
      '--address',
      '127.0.0.1',
      '--port',
      '0',
      '--heartbeat-period',
      '1s',
      '--root-dir',
      join(dir, 'kubelet'),
      '--log-level',
      'warn',
    ],
    { timeoutMs: 60_000 },
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelite-crash-kubelet-'));
  api = await startApiServer({ storage: 'memory' });
  client = createClient({ server: api.url });
  runtime = await createRuntime({ kind: 'docker', nodeName });
  kubelet = await startKubelet();
}, 90_000);

afterAll(async () => {
  kubelet?.child.kill('SIGKILL');
  if (runtime) {
    for (const c of await runtime.listContainers({ labels: label }))
      await runtime.removeContainer(c.id).catch(() => {});
    for (const s of await runtime.listPodSandboxes({ labels: label }))
      await runtime.removePodSandbox(s.id).catch(() => {});
    await runtime.close();
  }
  await client?.close();
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

function pod(name: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { ...label, app: name } },
    spec: {
      nodeName,
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'main',
          image: 'kubelite/busybox:latest',
          imagePullPolicy: 'Never',
          command: ['sh', '-c', 'sleep 3600'],
          readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
        },
        {
          name: 'side',
          image: 'kubelite/busybox:latest',
          imagePullPolicy: 'Never',
          command: ['sleep', '3600'],
        },
      ],
    },
  };
}

const ready = (p: Pod) =>
  p.status?.phase === 'Running' &&
  (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

function snapshot(containers: ContainerStatus[]) {
  return containers
    .map((c) => ({
      id: c.id,
      name: c.name,
      podUid: c.podUid,
      attempt: c.attempt,
      startedAt: c.startedAt,
      state: c.state,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

describe('kill -9 of a kubelet (docker)', () => {
  it('adopts the running containers: none duplicated or restarted, status correct', async () => {
    const names = ['adopt-a', 'adopt-b', 'adopt-c'];
    for (const name of names) await client.pods.create('default', pod(name));
    await pollUntil(
      async () => (await Promise.all(names.map((n) => client.pods.get('default', n)))).every(ready),
      60_000,
      'three Ready pods',
    );
    const before = snapshot(await runtime.listContainers({ labels: label }));
    const sandboxesBefore = (await runtime.listPodSandboxes({ labels: label })).map((s) => s.id).sort();
    expect(before).toHaveLength(6);
    expect(sandboxesBefore).toHaveLength(3);
    const statusBefore = new Map(
      (await Promise.all(names.map((n) => client.pods.get('default', n)))).map((p) => [
        p.metadata.name,
        (p.status?.containerStatuses ?? []).map((c) => [c.name, c.containerID, c.restartCount]),
      ]),
    );

    kubelet!.child.kill('SIGKILL');
    await new Promise<void>((done) => kubelet!.child.once('exit', () => done()));
    kubelet = await startKubelet();

    // The new kubelet has listed the runtime and synced: a fresh heartbeat, pods still Ready.
    const restartedAt = Date.now();
    await pollUntil(
      async () => {
        const node = await client.nodes.get(nodeName);
        const heartbeat = (node.status?.conditions ?? []).find((c) => c.type === 'Ready')?.lastHeartbeatTime;
        return heartbeat !== undefined && Date.parse(heartbeat) >= restartedAt - 1000;
      },
      30_000,
      'a heartbeat from the new kubelet',
    );
    await new Promise((r) => setTimeout(r, 3000)); // a few sync and probe periods
    const pods = await Promise.all(names.map((n) => client.pods.get('default', n)));
    for (const p of pods) {
      expect(ready(p), `${p.metadata.name} Ready`).toBe(true);
      const statuses = (p.status?.containerStatuses ?? []).map((c) => [
        c.name,
        c.containerID,
        c.restartCount,
      ]);
      expect(statuses).toEqual(statusBefore.get(p.metadata.name!));
      for (const c of p.status?.containerStatuses ?? []) expect(c.restartCount).toBe(0);
    }
    const after = snapshot(await runtime.listContainers({ labels: label }));
    expect(after).toEqual(before); // same ids, same start times, still running, nothing new
    expect((await runtime.listPodSandboxes({ labels: label })).map((s) => s.id).sort()).toEqual(
      sandboxesBefore,
    );
    process.stdout.write(
      `kubelet kill -9: ${before.length} containers in 3 pods adopted, 0 restarted, 0 duplicated\n`,
    );
  }, 150_000);
});
