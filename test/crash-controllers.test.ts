// Crash safety of the control loops: the scheduler and the controller-manager, as child processes
// of the CLI, are SIGKILLed in the middle of a scale-up to 100 replicas and started again. The RC
// ends with exactly 100 pods, all bound and running on two fake-runtime kubelets, and no pod was
// ever created beyond the 100 (a watch from before the RC sees every pod the cluster ever made).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../src/api/types.js';
import { createClient, type KubeClient } from '../src/client/index.js';
import { makeRc } from '../src/controller/testing/objects.js';
import { createKubelet, type Kubelet } from '../src/kubelet/index.js';
import { createRuntime } from '../src/kubelet/runtime/index.js';
import { type StartedApiServer, startApiServer } from './harness/apiserver.js';
import { type StartedComponent, startComponent } from './harness/component.js';
import { type WatchStream, watch } from './harness/http.js';
import { pollUntil } from './kubelet-fixtures.js';

let api: StartedApiServer;
let client: KubeClient;
const kubelets: Kubelet[] = [];
const stopKubelets = new AbortController();
let scheduler: StartedComponent | undefined;
let manager: StartedComponent | undefined;
let podWatch: WatchStream | undefined;

const startScheduler = () =>
  startComponent(['scheduler', '--server', api.url, '--metrics-port', '0', '--log-level', 'warn']);
const startManager = () =>
  startComponent(['controller-manager', '--server', api.url, '--metrics-port', '0', '--log-level', 'warn']);

beforeAll(async () => {
  api = await startApiServer({ storage: 'memory' });
  client = createClient({ server: api.url });
  for (const [name, podCidr] of [
    ['crash-node-a', '10.88.1.0/24'],
    ['crash-node-b', '10.88.2.0/24'],
  ] as const) {
    const runtime = await createRuntime({ kind: 'fake', nodeName: name, podCidr });
    const kubelet = createKubelet({ client, nodeName: name, runtime, port: 0, heartbeatPeriodMs: 500 });
    void kubelet.run(stopKubelets.signal);
    await kubelet.started();
    kubelets.push(kubelet);
  }
  [scheduler, manager] = await Promise.all([startScheduler(), startManager()]);
}, 90_000);

afterAll(async () => {
  podWatch?.close();
  await Promise.all([scheduler?.stop(), manager?.stop()]);
  stopKubelets.abort();
  await Promise.all(kubelets.map((k) => k.close()));
  await client?.close();
  await api?.stop();
}, 60_000);

async function kill(component: StartedComponent): Promise<void> {
  if (component.child.exitCode !== null || component.child.signalCode !== null) return;
  const exited = new Promise<void>((done) => component.child.once('exit', () => done()));
  component.child.kill('SIGKILL');
  await exited;
}

describe('scheduler and controller-manager killed during a scale-up', () => {
  it('end with exactly 100 pods, none doubled', async () => {
    podWatch = await watch(api.url, '/api/v1/namespaces/default/pods?watch=true');
    const added = new Set<string>();
    const deleted = new Set<string>();
    let bindings = 0;
    const consume = (async () => {
      for (;;) {
        const event = await podWatch!.next(600_000).catch(() => undefined);
        if (!event) return;
        const name = (event.object as Pod).metadata.name!;
        if (event.type === 'ADDED') added.add(name);
        if (event.type === 'DELETED') deleted.add(name);
        if (event.type === 'MODIFIED' && (event.object as Pod).spec.nodeName) bindings++;
      }
    })();

    const rc = makeRc('crash-web', { replicas: 100 });
    rc.spec.template!.spec!.terminationGracePeriodSeconds = 0;
    await client.replicationControllers.create('default', rc);
    await pollUntil(() => added.size >= 20, 60_000, '20 pods created');
    await Promise.all([kill(scheduler!), kill(manager!)]);
    const atKill = added.size;
    await new Promise((r) => setTimeout(r, 1000));
    [scheduler, manager] = await Promise.all([startScheduler(), startManager()]);

    const owned = async () =>
      (await client.pods.list({ namespace: 'default', labelSelector: 'app=crash-web' })).items.filter((p) =>
        (p.metadata.ownerReferences ?? []).some(
          (o) => o.kind === 'ReplicationController' && o.name === 'crash-web',
        ),
      );
    await pollUntil(
      async () => {
        const pods = await owned();
        return pods.length === 100 && pods.every((p) => p.spec.nodeName && p.status?.phase === 'Running');
      },
      90_000,
      '100 running pods',
    );
    // Give a doubled controller time to show itself, then count again.
    await new Promise((r) => setTimeout(r, 3000));
    const pods = await owned();
    expect(pods).toHaveLength(100);
    expect(new Set(pods.map((p) => p.metadata.name)).size).toBe(100);
    expect(pods.every((p) => p.spec.nodeName === 'crash-node-a' || p.spec.nodeName === 'crash-node-b')).toBe(
      true,
    );
    expect(added.size).toBe(100); // never created more than asked for
    expect(deleted.size).toBe(0);
    const status = await client.replicationControllers.get('default', 'crash-web');
    expect(status.status?.replicas).toBe(100);
    process.stdout.write(
      `controllers killed at ${atKill}/100 pods created: ${added.size} pods ever created, ${deleted.size} deleted, ` +
        `${pods.length} running (${pods.filter((p) => p.spec.nodeName === 'crash-node-a').length} on node a)\n`,
    );
    podWatch.close();
    await consume;
    expect(bindings).toBeGreaterThan(0);
  }, 180_000);
});
