// The node scenario of `kubelite up`, run once per runtime (test/up-process.test.ts,
// test/up-docker.test.ts): two nodes become Ready, kubectl lists them and runs a pod, Ctrl-C stops
// every component and leaves the pod's containers running, a second up on the same data dir adopts
// them (same container, no restart), and `kubelite down` removes them.
import { afterEach, expect, it } from 'vitest';
import { createUpCluster, isRunning, processesNaming, type UpCluster } from './up-harness.js';

export function podManifest(name: string, marker: string, image: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { 'kubelite.test': '1' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'main',
          image,
          imagePullPolicy: 'Never',
          // The marker is the shell's $0: it names this test's processes in /proc.
          command: ['sh', '-c', 'while true; do sleep 1; done', marker],
        },
      ],
    },
  });
}

/** Runtime objects of the cluster's nodes left after `kubelite down` (docker: containers by node label). */
export type LeftoverCheck = (nodeNames: string[]) => Promise<number>;

async function podState(c: UpCluster, name: string): Promise<{ id: string; restarts: number; node: string }> {
  const json = JSON.parse(await c.kubectlOk(['get', 'pod', name, '-o', 'json'])) as {
    spec: { nodeName: string };
    status: { containerStatuses?: Array<{ containerID?: string; restartCount: number }> };
  };
  const status = json.status.containerStatuses?.[0];
  return { id: status?.containerID ?? '', restarts: status?.restartCount ?? -1, node: json.spec.nodeName };
}

export function nodeScenario(runtime: 'process' | 'docker', image: string, leftovers: LeftoverCheck): void {
  const clusters: UpCluster[] = [];
  afterEach(async () => {
    await Promise.all(clusters.splice(0).map((c) => c.cleanup()));
  });

  it(`runs two ${runtime} nodes, a pod through kubectl, stops on SIGINT and adopts the pod on restart`, async () => {
    const c = createUpCluster();
    clusters.push(c);
    const marker = `kubelite-up-test-${c.nodePrefix}`;
    const [node1, node2] = [`${c.nodePrefix}-1`, `${c.nodePrefix}-2`];

    const first = c.up(['--nodes', '2', '--runtime', runtime]);
    await first.waitFor(/Ctrl-C stops the cluster/);
    const out = first.output();
    expect(out).toMatch(new RegExp(`runtime ${runtime}: as asked`));
    for (const name of [`kubelet-${node1}`, `proxy-${node1}`, `kubelet-${node2}`, `proxy-${node2}`]) {
      expect(out).toMatch(new RegExp(`${name} +up +pid \\d+`));
    }
    expect(out).toMatch(new RegExp(`node ${node1} +Ready`));
    expect(out).toMatch(new RegExp(`node ${node2} +Ready`));

    const nodes = await c.kubectlOk(['get', 'nodes', '--no-headers']);
    expect(nodes).toMatch(new RegExp(`^${node1} +Ready`, 'm'));
    expect(nodes).toMatch(new RegExp(`^${node2} +Ready`, 'm'));

    await c.kubectlOk(['apply', '-f', '-'], { stdin: podManifest('adopted', marker, image) });
    await c.kubectlOk(['wait', '--for=condition=Ready', 'pod/adopted', '--timeout=40s']);
    const before = await podState(c, 'adopted');
    expect(before.id).not.toBe('');
    expect([node1, node2]).toContain(before.node);

    const pids = c.componentPids();
    expect(Object.keys(pids)).toHaveLength(7);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    for (const [name, pid] of Object.entries(pids)) expect(isRunning(pid), name).toBe(false);
    const stopped = [...first.output().matchAll(/■ (\S+) +stopped/g)].map((m) => m[1]!);
    expect(stopped.indexOf('apiserver')).toBe(stopped.length - 1);
    expect(stopped.indexOf(`kubelet-${before.node}`)).toBeLessThan(stopped.indexOf('scheduler'));
    // The pod's processes keep running without their kubelet.
    const podProcesses = processesNaming(marker);
    expect(podProcesses.length).toBeGreaterThan(0);

    const second = c.up(['--nodes', '2']);
    await second.waitFor(/Ctrl-C stops the cluster/);
    expect(second.output()).toMatch(new RegExp(`runtime ${runtime}: as when this cluster last ran`));
    // Ready from the first run does not count until the new kubelets report.
    expect(second.output()).toMatch(new RegExp(`node ${node1} +waiting for its kubelet`));
    expect(second.output()).toMatch(new RegExp(`node ${node1} +Ready`));
    const after = await podState(c, 'adopted');
    expect(after).toEqual({ ...before, restarts: 0 });
    expect(processesNaming(marker)).toEqual(podProcesses); // adopted: the same processes, no duplicate
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);

    const down = await c.kubelite(['down', '--data-dir', c.dataDir]);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/removed 1 pod sandbox/);
    expect(processesNaming(marker)).toEqual([]);
    expect(await leftovers([node1, node2])).toBe(0);
  }, 120_000);
}
