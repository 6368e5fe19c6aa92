// `kubelite scheduler` as its own process: flags and environment, /healthz, /readyz, /metrics,
// binding through the apiserver, clean exit on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/rest.js';
import { makeNode, makePod } from '../src/scheduler/testing/objects.js';
import { type StartedApiServer, startApiServer } from './harness/apiserver.js';
import { waitFor } from './scheduler-fixtures.js';

const root = resolve(import.meta.dirname, '..');
let api: StartedApiServer | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  child = undefined;
  await api?.stop();
  api = undefined;
});

async function spawnScheduler(args: string[], env: Record<string, string> = {}): Promise<string> {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/cmd/kubelite.ts', 'scheduler', ...args], {
    cwd: root,
    env: { ...process.env, KUBELITE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const proc = child;
  return new Promise((done, fail) => {
    lines.on('line', (line) => {
      const m = /serving metrics on (http:\/\/\S+)/.exec(line);
      if (m) done(m[1]!);
    });
    proc.once('exit', (code) => fail(new Error(`scheduler exited with ${code}: ${stderr}`)));
  });
}

describe('kubelite scheduler', () => {
  it('serves health and metrics, binds pods under the name from the environment, and exits on SIGTERM', async () => {
    api = await startApiServer();
    const client = createClient({ server: api.url });
    try {
      await client.nodes.create(makeNode('node-1'));
      const base = await spawnScheduler(['--server', api.url, '--metrics-port', '0'], {
        KUBELITE_SCHEDULER_NAME: 'cli-scheduler',
      });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, 'readyz');
      await client.pods.create('default', makePod('ignored'));
      await client.pods.create('default', makePod('mine', { schedulerName: 'cli-scheduler' }));
      await waitFor(async () => (await client.pods.get('default', 'mine')).spec.nodeName, 'mine bound');
      expect((await client.pods.get('default', 'ignored')).spec.nodeName ?? '').toBe('');
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(
        /scheduler_schedule_attempts_total\{result="scheduled",profile="cli-scheduler"[^}]*\} 1/,
      );
      expect(metrics).toMatch(/scheduler_pending_pods\{queue="active"[^}]*\} 0/);
      expect(metrics).toContain('process_cpu_seconds_total');
      const exited = once(child!, 'exit');
      child!.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('refuses to start without a server', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cmd/kubelite.ts', 'scheduler'], {
      cwd: root,
      env: { ...process.env, KUBELITE_SERVER: '', KUBELITE_KUBECONFIG: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toContain('--server or --kubeconfig is required');
  });
});
