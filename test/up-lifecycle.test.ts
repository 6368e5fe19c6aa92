// `kubelite up` lifecycle without nodes (a master only): start and readiness, kubectl through the
// written kubeconfig, one up per data dir, Ctrl-C stopping every component in order, a restart on the
// same data dir finding its objects, a killed supervisor taking its components with it, and a clear
// failure when the apiserver cannot start. `kubelite down` stops a running up.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createUpCluster, isRunning, type UpCluster } from './up-harness.js';

const clusters: UpCluster[] = [];
afterEach(async () => {
  await Promise.all(clusters.splice(0).map((c) => c.cleanup()));
});
function cluster(): UpCluster {
  const c = createUpCluster();
  clusters.push(c);
  return c;
}

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('kubelite up (master only)', () => {
  it('starts, serves kubectl, refuses a second up, stops in order on SIGINT, and restarts with its objects', async () => {
    const c = cluster();
    // Settings from KUBELITE_* variables as well as flags.
    const first = c.up([], { KUBELITE_NODES: '0', KUBELITE_RUNTIME: 'fake' });
    await first.waitFor(/Ctrl-C stops the cluster/);
    const out = first.output();
    expect(out).toMatch(/runtime fake: as asked/);
    expect(out).toMatch(/apiserver +up +pid \d+/);
    expect(out).toMatch(/scheduler +up +pid \d+/);
    expect(out).toContain(`kubeconfig  ${c.kubeconfig}`);
    expect(out).toContain(`kubectl --kubeconfig ${c.kubeconfig} get nodes`);
    expect(out).not.toContain('"level"'); // no component logs on the terminal

    expect(await c.kubectlOk(['get', 'namespaces', '-o', 'name'])).toContain('namespace/default');
    await c.kubectlOk(['create', 'namespace', 'kept-across-restarts']);

    const second = c.up(['--nodes', '0']);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(new RegExp(`another kubelite up \\(pid ${first.child.pid}\\) runs on`));

    // A component that dies is reported and restarted.
    const scheduler = c.componentPids().scheduler!;
    process.kill(scheduler, 'SIGKILL');
    await first.waitFor(/scheduler +down +pid \d+ exited \(signal SIGKILL\)/);
    await first.waitFor(/scheduler +restart 1 in/);
    await first.waitFor(/scheduler +up +pid \d+ +\(restart 1\)/);

    const pids = c.componentPids();
    expect(Object.keys(pids)).toEqual(expect.arrayContaining(['apiserver', 'scheduler']));
    expect(pids.scheduler).not.toBe(scheduler);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    for (const pid of Object.values(pids)) expect(isRunning(pid)).toBe(false);
    const stopOrder = [...first.output().matchAll(/■ (\S+) +stopped/g)].map((m) => m[1]);
    expect(stopOrder.at(-1)).toBe('apiserver');
    expect(stopOrder).toContain('scheduler');

    const again = c.up(['--nodes', '0']);
    await again.waitFor(/Ctrl-C stops the cluster/);
    expect(again.output()).toMatch(/runtime fake: as when this cluster last ran/);
    expect(await c.kubectlOk(['get', 'namespace', 'kept-across-restarts', '-o', 'name'])).toContain(
      'namespace/kept-across-restarts',
    );
    // kubelite down stops a running up (which stops its components in order).
    const down = await c.kubelite(['down', '--data-dir', c.dataDir]);
    expect(down.stdout).toContain(`stopping kubelite up (pid ${again.child.pid})`);
    expect(await again.exited).toBe(0);
    expect(again.output()).toMatch(/SIGTERM: stopping the cluster/);
    expect(again.output()).toMatch(/■ apiserver +stopped/);
  });

  it('takes its components down with it when the supervisor is killed', async () => {
    const c = cluster();
    const first = c.up(['--nodes', '0', '--runtime', 'fake']);
    await first.waitFor(/Ctrl-C stops the cluster/);
    const pids = Object.values(c.componentPids());
    expect(pids.length).toBeGreaterThanOrEqual(2);
    first.child.kill('SIGKILL');
    await first.exited;
    await until(() => pids.every((pid) => !isRunning(pid)));

    // The stale lock does not stop the next up.
    const again = c.up(['--nodes', '0']);
    await again.waitFor(/Ctrl-C stops the cluster/);
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  });

  it('fails with the reason when the apiserver cannot listen', async () => {
    const c = cluster();
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    try {
      const port = (taken.address() as { port: number }).port;
      const attempt = c.up(['--nodes', '0', '--runtime', 'fake', '--port', String(port)]);
      expect(await attempt.exited).toBe(1);
      expect(attempt.output()).toMatch(/apiserver +down .*EADDRINUSE/);
      expect(attempt.output()).toMatch(/the apiserver exited while starting/);
    } finally {
      taken.close();
    }
  });
});
