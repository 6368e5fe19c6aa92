// `kubelite controller-manager` as a process against a live apiserver: flags and environment select the
// controllers, /metrics carries the controllers' and work queues' metrics, /healthz and /readyz
// answer, SIGTERM stops it cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeClient } from '../src/client/rest.js';
import { createClient } from '../src/client/rest.js';
import { enabledControllers } from '../src/cmd/controller-manager.js';
import { makeRc, makeService } from '../src/controller/testing/objects.js';
import { eventually } from './controller-fixtures.js';
import { type StartedApiServer, startApiServer } from './harness/apiserver.js';

const repoRoot = resolve(import.meta.dirname, '..');

interface Spawned {
  child: ChildProcess;
  metricsUrl: string;
  exited: Promise<number | null>;
}

async function spawnControllerManager(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Spawned> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cmd/kubelite.ts',
      'controller-manager',
      '--metrics-port',
      '0',
      '--log-level',
      'warn',
      ...args,
    ],
    { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const metricsUrl = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`controller-manager did not start; stderr:\n${stderr}`));
    }, 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /metrics on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        done(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`controller-manager exited with ${code}; stderr:\n${stderr}`));
    });
  });
  return { child, metricsUrl, exited };
}

let api: StartedApiServer;
let client: KubeClient;
const children: Spawned[] = [];
beforeEach(async () => {
  api = await startApiServer();
  client = createClient({ server: api.url });
});
afterEach(async () => {
  for (const s of children.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await s.exited;
  }
  await client.close();
  await api.stop();
});

async function start(args: string[], env?: NodeJS.ProcessEnv): Promise<Spawned> {
  const s = await spawnControllerManager(args, env);
  children.push(s);
  return s;
}

const pods = async () => (await client.pods.list({ namespace: 'default' })).items;
const endpointsOf = (name: string) =>
  client.endpoints.get('default', name).then(
    (e) => e.metadata.name,
    () => undefined,
  );

describe('kubelite controller-manager', () => {
  it('runs every controller by default, serves /metrics, /healthz, /readyz, and stops on SIGTERM', async () => {
    const cm = await start([
      '--server',
      api.url,
      '--node-monitor-grace-period',
      '2s',
      '--pod-eviction-timeout',
      '1s',
    ]);
    await eventually(async () => (await fetch(`${cm.metricsUrl}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${cm.metricsUrl}/healthz`)).text()).toBe('ok');

    await client.replicationControllers.create('default', makeRc('web', { replicas: 2 }));
    await client.services.create('default', makeService('web'));
    await eventually(async () => (await pods()).length).toBe(2);
    await eventually(() => endpointsOf('web')).toBe('web');
    await client.replicationControllers.delete('default', 'web');
    await eventually(async () => (await pods()).length).toBe(0);

    const metrics = await (await fetch(`${cm.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/workqueue_adds_total\{[^}]*name="replicationmanager"[^}]*\} [1-9]/);
    for (const name of [
      'workqueue_depth',
      'replication_controller_sync_duration_seconds_bucket',
      'endpoint_controller_sync_duration_seconds_bucket',
      'garbagecollector_attempt_to_delete_total',
      'node_lifecycle_controller_sync_duration_seconds',
      'process_cpu_seconds_total',
    ]) {
      expect(metrics).toContain(name);
    }

    cm.child.kill('SIGTERM');
    expect(await cm.exited).toBe(0);
  });

  it('leaves disabled controllers off (flag and KUBELITE_ environment variable)', async () => {
    const first = await start(['--server', api.url, '--disable-controller', 'replication'], {
      KUBELITE_CONTROLLERS: '',
    });
    await eventually(async () => (await fetch(`${first.metricsUrl}/readyz`)).status).toBe(200);
    await client.replicationControllers.create('default', makeRc('web', { replicas: 1 }));
    await client.services.create('default', makeService('web'));
    // The endpoints controller has acted on the service; the replication controller never runs here.
    await eventually(() => endpointsOf('web')).toBe('web');
    await new Promise((r) => setTimeout(r, 300));
    expect(await pods()).toEqual([]);

    await start([], { KUBELITE_SERVER: api.url, KUBELITE_CONTROLLERS: 'replication' });
    await eventually(async () => (await pods()).length).toBe(1);
  });

  it('refuses unknown controllers and bad durations', async () => {
    const bad = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cmd/kubelite.ts',
        'controller-manager',
        '--server',
        api.url,
        '--controllers',
        'nope',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    bad.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((done) => bad.once('exit', done));
    expect(code).toBe(1);
    expect(stderr).toContain('unknown controller "nope"');
  });
});

describe('enabledControllers', () => {
  it('reads --controllers (with * and -name) and --disable-controller', () => {
    const all = { replication: true, endpoints: true, nodeLifecycle: true, garbageCollector: true };
    expect(enabledControllers(undefined, undefined)).toEqual(all);
    expect(enabledControllers('*,-gc', undefined)).toEqual({ ...all, garbageCollector: false });
    expect(enabledControllers('replicationcontroller,endpoint', undefined)).toEqual({
      replication: true,
      endpoints: true,
      nodeLifecycle: false,
      garbageCollector: false,
    });
    expect(enabledControllers(undefined, 'nodelifecycle,endpoints')).toEqual({
      ...all,
      nodeLifecycle: false,
      endpoints: false,
    });
    expect(() => enabledControllers('bogus', undefined)).toThrow(/unknown controller/);
  });
});
