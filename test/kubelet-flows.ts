// The kubelet's key flows against a live apiserver and a real runtime, shared by the docker and
// process suites: run and report, restart with back-off, liveness and readiness probes, logs through
// the API and the real kubectl (follow, previous), graceful deletion, node registration and
// heartbeats, and a kubelet restart that adopts running containers.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease, Pod } from '../src/api/types.js';
import type { RuntimeKind } from '../src/kubelet/runtime/types.js';
import { kubectlBinary, kubectlFor } from './harness/kubectl.js';
import {
  containerStatus,
  eventsOf,
  isReady,
  pollUntil,
  readLog,
  shell,
  startTestNode,
  type TestNode,
  waitForPod,
  waitGone,
} from './kubelet-fixtures.js';

const podIpEnv = [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }];

/** A host directory containers of both runtimes see at the same path (hostPath). */
function sharedDir(): {
  path: string;
  volume: { name: string; hostPath: { path: string } };
  mount: { name: string; mountPath: string };
} {
  const path = mkdtempSync(join(tmpdir(), 'kubelite-kubelet-share-'));
  chmodSync(path, 0o777);
  return { path, volume: { name: 'share', hostPath: { path } }, mount: { name: 'share', mountPath: path } };
}

export function describeKubeletFlows(kind: RuntimeKind): void {
  describe(`kubelet flows (${kind} runtime)`, () => {
    let node: TestNode;
    const dirs: string[] = [];
    const dir = () => {
      const d = sharedDir();
      dirs.push(d.path);
      return d;
    };

    beforeAll(async () => {
      node = await startTestNode(kind);
    });
    afterAll(async () => {
      // stop() removes whatever a failed test left behind, by the run's label.
      await node?.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    it('registers the node, heartbeats by renewing its Lease, and registers again after the Node is deleted', async () => {
      const { client, nodeName } = node;
      const first = await client.nodes.get(nodeName);
      expect(first.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
        status: 'True',
        reason: 'KubeletReady',
      });
      expect(first.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBe(node.kubelet.port);
      expect(first.status?.nodeInfo?.containerRuntimeVersion).toMatch(new RegExp(`^${kind}://`));
      expect(Number(first.status?.capacity?.cpu)).toBeGreaterThan(0);
      const leases = client.resource<Lease>('leases');
      const lease = () => leases.get('kube-node-lease', nodeName).catch(() => undefined);
      const renewed = await pollUntil(
        async () => {
          const l = await lease();
          return l?.spec?.renewTime ? l : undefined;
        },
        5000,
        'the node lease',
      );
      expect(renewed.spec).toMatchObject({ holderIdentity: nodeName, leaseDurationSeconds: 40 });
      expect(renewed.spec?.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(renewed.metadata.ownerReferences).toEqual([
        { apiVersion: 'v1', kind: 'Node', name: nodeName, uid: first.metadata.uid },
      ]);
      // Heartbeats renew the Lease (every 500 ms here); the unchanged Node status is not rewritten.
      await pollUntil(
        async () => ((await lease())?.spec?.renewTime ?? '') > renewed.spec!.renewTime! || undefined,
        5000,
        'a lease renewal',
      );
      const still = await client.nodes.get(nodeName);
      expect(still.metadata.resourceVersion).toBe(first.metadata.resourceVersion);

      const kubectl = kubectlFor(node.api.url);
      try {
        const table = await kubectl.ok(['get', 'leases', '-n', 'kube-node-lease']);
        expect(table.split('\n')[0]).toMatch(/^NAME\s+HOLDER\s+AGE$/);
        expect(table).toMatch(new RegExp(`^${nodeName}\\s+${nodeName}\\s+`, 'm'));
        const yaml = await kubectl.ok(['get', 'lease', nodeName, '-n', 'kube-node-lease', '-o', 'yaml']);
        expect(yaml).toContain('kind: Lease');
        expect(yaml).toContain(`holderIdentity: ${nodeName}`);
      } finally {
        kubectl.cleanup();
      }

      await client.nodes.delete(nodeName);
      const again = await pollUntil(
        async () => {
          const found = await client.nodes.get(nodeName).catch(() => undefined);
          return found !== undefined && found.metadata.uid !== first.metadata.uid ? found : undefined;
        },
        10_000,
        'registration of the node again',
      );
      // The Lease follows the new Node (no garbage collector runs here to remove the old one).
      await pollUntil(
        async () => (await lease())?.metadata.ownerReferences?.[0]?.uid === again.metadata.uid || undefined,
        5000,
        'the lease owned by the new node',
      );
    });

    it('runs a pod and reports its status, downward values and logs', async () => {
      const { client } = node;
      await client.pods.create(
        'default',
        node.pod('hello', {
          containers: [
            shell(
              'main',
              'echo "name=$POD_NAME ns=$POD_NAMESPACE ip=$POD_IP node=$NODE_NAME x=$X"; sleep 3600',
              {
                env: [
                  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                  ...podIpEnv,
                  { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                  { name: 'X', value: 'from-$(POD_NAME)' },
                ],
              },
            ),
          ],
        }),
      );
      const pod = await waitForPod(client, 'hello', (p) => isReady(p) && p, 30_000, 'Ready');
      expect(pod.status?.phase).toBe('Running');
      expect(pod.status?.hostIP).toBe('127.0.0.1');
      expect(pod.status?.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const main = containerStatus(pod, 'main')!;
      expect(main).toMatchObject({
        ready: true,
        started: true,
        restartCount: 0,
        image: 'kubelite/busybox:latest',
      });
      expect(main.containerID).toMatch(new RegExp(`^${kind}://`));
      const log = await readLog(client, 'hello');
      expect(log).toBe(`name=hello ns=default ip=${pod.status?.podIP} node=${node.nodeName} x=from-hello\n`);
      const reasons = (await eventsOf(client, 'hello')).map((e) => e.reason);
      expect(reasons).toEqual(expect.arrayContaining(['Pulled', 'Created', 'Started']));
      // Nothing changes, so nothing is written: the resourceVersion stays.
      await node.kubelet.idle();
      const rv = (await client.pods.get('default', 'hello')).metadata.resourceVersion;
      await new Promise((r) => setTimeout(r, 1500));
      expect((await client.pods.get('default', 'hello')).metadata.resourceVersion).toBe(rv);
    });

    it('restarts a crashing container with back-off and shows CrashLoopBackOff', async () => {
      const { client } = node;
      await client.pods.create(
        'default',
        node.pod('crashy', { containers: [shell('main', 'echo boom; exit 3')] }),
      );
      const waiting = await waitForPod(
        client,
        'crashy',
        (p) => {
          const s = containerStatus(p, 'main');
          return s?.state?.waiting?.reason === 'CrashLoopBackOff' && (s.restartCount ?? 0) >= 1 && s;
        },
        30_000,
        'CrashLoopBackOff',
      );
      expect(waiting.state?.waiting?.message).toMatch(
        /^back-off \d+s restarting failed container=main pod=crashy_default\(/,
      );
      expect(waiting.lastState?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
      await waitForPod(
        client,
        'crashy',
        (p) => (containerStatus(p, 'main')?.restartCount ?? 0) >= 3,
        30_000,
        '3 restarts',
      );
      const events = await eventsOf(client, 'crashy');
      expect(
        events.some(
          (e) => e.reason === 'BackOff' && e.message.startsWith('Back-off restarting failed container main'),
        ),
      ).toBe(true);
      expect(await readLog(client, 'crashy')).toBe('boom\n');
    });

    it('serves previous logs after a restart, through the API and kubectl', async () => {
      const { client } = node;
      const share = dir();
      const marker = join(share.path, 'ran-once');
      await client.pods.create(
        'default',
        node.pod('twice', {
          volumes: [share.volume],
          containers: [
            shell(
              'main',
              `if [ -e ${marker} ]; then echo second run; sleep 3600; else touch ${marker}; echo first run; exit 1; fi`,
              {
                volumeMounts: [share.mount],
              },
            ),
          ],
        }),
      );
      await waitForPod(
        client,
        'twice',
        (p) => containerStatus(p, 'main')?.restartCount === 1 && isReady(p),
        30_000,
        'second run',
      );
      expect(await readLog(client, 'twice')).toBe('second run\n');
      expect(await readLog(client, 'twice', { previous: true })).toBe('first run\n');
      const kubectl = kubectlFor(node.api.url);
      try {
        expect(await kubectl.ok(['logs', 'twice'])).toBe('second run\n');
        expect(await kubectl.ok(['logs', '--previous', 'twice'])).toBe('first run\n');
        const ts = await kubectl.ok(['logs', '--timestamps', 'twice']);
        expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z second run\n$/);
        const noPrevious = await kubectl.run(['logs', '--previous', 'hello']);
        expect(noPrevious.code).not.toBe(0);
        expect(noPrevious.stderr).toContain('previous terminated container "main" in pod "hello" not found');
      } finally {
        kubectl.cleanup();
      }
    });

    it('follows logs with kubectl logs -f and honours --tail', async () => {
      const { client } = node;
      await client.pods.create(
        'default',
        node.pod('ticker', {
          containers: [shell('main', 'i=0; while true; do echo line-$i; i=$((i+1)); sleep 0.2; done')],
        }),
      );
      await waitForPod(client, 'ticker', isReady, 30_000, 'Ready');
      const kubectl = kubectlFor(node.api.url);
      try {
        const config = kubectl.file(
          'follow-config',
          `apiVersion: v1\nkind: Config\nclusters: [{name: t, cluster: {server: "${node.api.url}"}}]\nusers: [{name: t, user: {}}]\ncontexts: [{name: t, context: {cluster: t, user: t, namespace: default}}]\ncurrent-context: t\n`,
        );
        const text = await new Promise<string>((resolve, reject) => {
          const follow = spawn(kubectlBinary, ['logs', '-f', 'ticker'], {
            env: {
              ...process.env,
              KUBECONFIG: config,
              KUBECACHEDIR: join(tmpdir(), `kubelite-kc-${node.runId}`),
            },
          });
          let out = '';
          let firstBatch = 0;
          const timer = setTimeout(() => {
            follow.kill('SIGKILL');
            reject(new Error(`kubectl logs -f: no new lines: ${JSON.stringify(out)}`));
          }, 20_000);
          follow.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const lines = out.split('\n').filter(Boolean).length;
            firstBatch ||= lines;
            // Lines written after the stream opened keep arriving.
            if (lines >= firstBatch + 3) {
              clearTimeout(timer);
              follow.kill('SIGTERM');
              resolve(out);
            }
          });
        });
        const lines = text.split('\n').filter(Boolean);
        expect(lines[0]).toBe('line-0');
        for (let i = 1; i < lines.length; i++) expect(lines[i]).toBe(`line-${i}`);
        const tail = await kubectl.ok(['logs', '--tail=2', 'ticker']);
        expect(tail.split('\n').filter(Boolean)).toHaveLength(2);
      } finally {
        kubectl.cleanup();
      }
    });

    it('restarts a container whose liveness probe fails, with Unhealthy and Killing events', async () => {
      const { client } = node;
      const share = dir();
      writeFileSync(join(share.path, 'healthz'), 'ok\n');
      await client.pods.create(
        'default',
        node.pod('liveness', {
          volumes: [share.volume],
          containers: [
            shell('web', `exec httpd -f -p $POD_IP:8080 -h ${share.path}`, {
              env: podIpEnv,
              volumeMounts: [share.mount],
              livenessProbe: {
                httpGet: { path: '/healthz', port: 8080 },
                periodSeconds: 1,
                failureThreshold: 2,
              },
            }),
          ],
        }),
      );
      await waitForPod(client, 'liveness', isReady, 30_000, 'Ready');
      await new Promise((r) => setTimeout(r, 1500));
      expect(containerStatus(await client.pods.get('default', 'liveness'), 'web')?.restartCount).toBe(0);
      rmSync(join(share.path, 'healthz'));
      const restarted = await waitForPod(
        client,
        'liveness',
        (p) => (containerStatus(p, 'web')?.restartCount ?? 0) >= 1 && containerStatus(p, 'web'),
        30_000,
        'liveness restart',
      );
      writeFileSync(join(share.path, 'healthz'), 'ok\n');
      expect(restarted.lastState?.terminated).toBeDefined();
      const events = await eventsOf(client, 'liveness');
      expect(events).toContainEqual({
        reason: 'Unhealthy',
        message: 'Liveness probe failed: HTTP probe failed with statuscode: 404',
      });
      expect(events).toContainEqual({
        reason: 'Killing',
        message: 'Container web failed liveness probe, will be restarted',
      });
    });

    it('keeps the pod not Ready until its readiness probe succeeds', async () => {
      const { client } = node;
      const share = dir();
      const readyFile = join(share.path, 'ready');
      const seen: string[] = [];
      await client.pods.create(
        'default',
        node.pod('gated', {
          volumes: [share.volume],
          containers: [
            shell('main', 'sleep 3600', {
              volumeMounts: [share.mount],
              readinessProbe: { exec: { command: ['cat', readyFile] }, periodSeconds: 1 },
            }),
          ],
        }),
      );
      const notReady = await waitForPod(
        client,
        'gated',
        (p) => p.status?.phase === 'Running' && p.status.conditions?.find((c) => c.type === 'Ready'),
        30_000,
        'Running',
      );
      expect(notReady).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
      await new Promise((r) => setTimeout(r, 1500));
      let pod: Pod = await client.pods.get('default', 'gated');
      seen.push(String(isReady(pod)));
      expect(containerStatus(pod, 'main')).toMatchObject({ ready: false, started: true });
      writeFileSync(readyFile, 'yes\n');
      pod = await waitForPod(client, 'gated', (p) => isReady(p) && p, 15_000, 'Ready');
      expect(containerStatus(pod, 'main')?.ready).toBe(true);
      expect(seen).toEqual(['false']);
      expect(existsSync(readyFile)).toBe(true);
    });

    it('deletes gracefully: SIGTERM first, then every container and the pod object go', async () => {
      const { client } = node;
      const share = dir();
      const termFile = join(share.path, 'term');
      await client.pods.create(
        'default',
        node.pod('graceful', {
          volumes: [share.volume],
          terminationGracePeriodSeconds: 10,
          containers: [
            shell('main', `trap 'echo got-term > ${termFile}; exit 0' TERM; while true; do sleep 0.1; done`, {
              volumeMounts: [share.mount],
            }),
            shell('side', "trap 'exit 0' TERM; while true; do sleep 0.1; done"),
          ],
        }),
      );
      const pod = await waitForPod(client, 'graceful', (p) => isReady(p) && p, 30_000, 'Ready');
      const uid = pod.metadata.uid!;
      await client.pods.delete('default', 'graceful');
      await waitGone(client, 'graceful', 30_000);
      expect(readFileSync(termFile, 'utf8')).toBe('got-term\n');
      expect(await node.runtime.listContainers({ podUid: uid })).toHaveLength(0);
      expect(await node.runtime.listPodSandboxes({ podUid: uid })).toHaveLength(0);
      const reasons = (await eventsOf(client, 'graceful')).filter((e) => e.reason === 'Killing');
      expect(reasons.map((e) => e.message).sort()).toEqual([
        'Stopping container main',
        'Stopping container side',
      ]);
    });

    it('adopts running containers after a kubelet restart and removes those of pods deleted meanwhile', async () => {
      const { client } = node;
      await client.pods.create(
        'default',
        node.pod('survivor', { containers: [shell('main', 'sleep 3600')] }),
      );
      await client.pods.create('default', node.pod('doomed', { containers: [shell('main', 'sleep 3600')] }));
      const before = await waitForPod(client, 'survivor', (p) => isReady(p) && p, 30_000, 'Ready');
      const doomed = await waitForPod(client, 'doomed', (p) => isReady(p) && p, 30_000, 'Ready');
      const containersBefore = await node.runtime.listContainers({ podUid: before.metadata.uid });
      await node.stopKubelet();
      await client.pods.delete('default', 'doomed', { gracePeriodSeconds: 0 });
      await node.startKubelet();
      await node.kubelet.idle();
      const after = await client.pods.get('default', 'survivor');
      const a = containerStatus(after, 'main')!;
      const b = containerStatus(before, 'main')!;
      expect(a.containerID).toBe(b.containerID);
      expect(a.state?.running?.startedAt).toBe(b.state?.running?.startedAt);
      expect(a.restartCount).toBe(0);
      const containersAfter = await node.runtime.listContainers({ podUid: before.metadata.uid });
      expect(containersAfter.map((c) => [c.id, c.startedAt])).toEqual(
        containersBefore.map((c) => [c.id, c.startedAt]),
      );
      const deadline = Date.now() + 15_000;
      while ((await node.runtime.listContainers({ podUid: doomed.metadata.uid })).length > 0) {
        if (Date.now() > deadline)
          throw new Error('containers of the pod deleted while the kubelet was down remain');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await node.runtime.listPodSandboxes({ podUid: doomed.metadata.uid })).toHaveLength(0);
    });

    it('leaves no container behind once every pod is deleted', async () => {
      const { client } = node;
      const pods = await client.pods.list({ namespace: 'default' });
      await Promise.all(
        pods.items.map((p) => client.pods.delete('default', p.metadata.name!, { gracePeriodSeconds: 1 })),
      );
      for (const p of pods.items) await waitGone(client, p.metadata.name!, 30_000);
      await node.kubelet.idle();
      expect(await node.leftovers()).toBe(0);
    });
  });
}
