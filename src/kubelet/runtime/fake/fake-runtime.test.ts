import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../util/clock.js';
import { EventRecorder, readAll, readUntil } from '../conformance-support.js';
import { isRuntimeError, RuntimeError } from '../errors.js';
import type { ContainerConfig, PodSandboxConfig } from '../types.js';
import { createFakeRuntime } from './fake-runtime.js';

const pod = (name: string): PodSandboxConfig => ({ uid: `uid-${name}`, namespace: 'default', name });
const container = (name: string, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
  name,
  image: 'img',
  attempt: 0,
  ...extra,
});

describe('fake runtime', () => {
  it('hands out deterministic ids and distinct IPs, and reuses released ones', async () => {
    const rt = createFakeRuntime({ nodeName: 'n1', podCidr: '10.1.0.0/29' });
    const a = await rt.runPodSandbox(pod('a'));
    const b = await rt.runPodSandbox(pod('b'));
    expect(a).toEqual({ sandboxId: 'n1-s1', ip: '10.1.0.2' });
    expect(b).toEqual({ sandboxId: 'n1-s2', ip: '10.1.0.3' });
    await rt.removePodSandbox(a.sandboxId);
    const ips = [];
    for (const name of ['c', 'd', 'e', 'f']) ips.push((await rt.runPodSandbox(pod(name))).ip);
    expect(ips.sort()).toEqual(['10.1.0.2', '10.1.0.4', '10.1.0.5', '10.1.0.6']);
    const full = await rt.runPodSandbox(pod('g')).catch((e) => e);
    expect(isRuntimeError(full, 'Unavailable')).toBe(true);
  });

  it('records calls and fails on demand, a given number of times or by predicate', async () => {
    const rt = createFakeRuntime({ nodeName: 'n1' });
    rt.fail('runPodSandbox', new RuntimeError('Unavailable', 'boom'), 1);
    await expect(rt.runPodSandbox(pod('a'))).rejects.toThrow('boom');
    const { sandboxId } = await rt.runPodSandbox(pod('a'));
    rt.fail('createContainer', (args) =>
      (args[1] as ContainerConfig).name === 'bad' ? new RuntimeError('InvalidConfig', 'no') : undefined,
    );
    await expect(rt.createContainer(sandboxId, container('bad'))).rejects.toThrow('no');
    await rt.createContainer(sandboxId, container('good'));
    rt.clearFailures();
    await rt.createContainer(sandboxId, container('bad'));
    expect(rt.calls.map((c) => c.op)).toEqual([
      'runPodSandbox',
      'runPodSandbox',
      'createContainer',
      'createContainer',
      'createContainer',
    ]);
    const quiet = createFakeRuntime({ nodeName: 'n2', recordCalls: false });
    await quiet.runPodSandbox(pod('a'));
    expect(quiet.calls).toEqual([]);
  });

  it('simulates exits, OOM kills and completing containers', async () => {
    const rt = createFakeRuntime({
      nodeName: 'n1',
      onStart: (c) => (c.name === 'job' ? { exitCode: 0 } : undefined),
    });
    const events = new EventRecorder(rt);
    const { sandboxId } = await rt.runPodSandbox(pod('a'));
    const job = await rt.createContainer(sandboxId, container('job'));
    await rt.startContainer(job);
    expect(await rt.containerStatus(job)).toMatchObject({
      state: 'exited',
      exitCode: 0,
      reason: 'Completed',
    });
    const hog = await rt.createContainer(sandboxId, container('hog'));
    await rt.startContainer(hog);
    expect((await rt.containerStatus(hog))?.state).toBe('running');
    rt.exit(hog, { exitCode: 137, reason: 'OOMKilled' });
    expect(await rt.containerStatus(hog)).toMatchObject({
      state: 'exited',
      exitCode: 137,
      reason: 'OOMKilled',
    });
    await events.next((e) => e.containerId === hog && e.type === 'died');
    expect(events.of(hog)).toEqual(['created', 'started', 'oom', 'died']);
    rt.exit(sandboxId, { exitCode: 137 });
    expect((await rt.podSandboxStatus(sandboxId))?.state).toBe('notready');
    await events.next((e) => e.containerId === sandboxId && e.type === 'died');
  });

  it('serves written logs with tail, since, timestamps, limit and follow', async () => {
    const clock = new FakeClock(Date.parse('2024-05-01T10:00:00.000Z'));
    const rt = createFakeRuntime({ nodeName: 'n1', clock });
    const { sandboxId } = await rt.runPodSandbox(pod('a'));
    const id = await rt.createContainer(sandboxId, container('c'));
    await rt.startContainer(id);
    rt.writeLog(id, 'one\ntwo\n');
    clock.advance(5000);
    rt.writeLog(id, 'three\n', 'stderr');
    rt.writeLog(id, 'par');
    const all = async (o = {}) => readAll(await rt.containerLogs(id, o));
    expect(await all()).toBe('one\ntwo\nthree\npar');
    expect(await all({ tailLines: 2 })).toBe('three\npar');
    expect(await all({ sinceSeconds: 2 })).toBe('three\npar');
    expect(await all({ limitBytes: 5 })).toBe('one\nt');
    expect(await all({ timestamps: true, tailLines: 1 })).toBe('2024-05-01T10:00:05.000000000Z par');
    const follow = await rt.containerLogs(id, { follow: true, tailLines: 0 });
    const seen = readUntil(follow, 'tial\nnext\n');
    rt.writeLog(id, 'tial\nnext\n');
    expect(await seen).toBe('tial\nnext\n');
    const ended = readAll(follow);
    await rt.stopContainer(id, 1000);
    expect(await ended).toBe('');
    expect(await rt.containerStatus(id)).toMatchObject({ exitCode: 143, reason: 'Error' });
  });

  it('answers exec from a handler and refuses exec on a stopped container', async () => {
    const rt = createFakeRuntime({
      nodeName: 'n1',
      exec: (_id, cmd) => ({ exitCode: cmd[0] === 'fail' ? 1 : 0, stdout: Buffer.from(cmd.join(' ')) }),
    });
    const { sandboxId } = await rt.runPodSandbox(pod('a'));
    const id = await rt.createContainer(sandboxId, container('c'));
    await rt.startContainer(id);
    expect(await rt.execSync(id, ['fail', 'now'], 1000)).toMatchObject({ exitCode: 1, timedOut: false });
    expect((await rt.execSync(id, ['ok'], 1000)).stdout.toString()).toBe('ok');
    await rt.stopContainer(id, 0);
    expect(isRuntimeError(await rt.execSync(id, ['ok'], 1000).catch((e) => e), 'NotRunning')).toBe(true);
  });

  it('delivers events after the call returns, to listeners and iterators', async () => {
    const rt = createFakeRuntime({ nodeName: 'n1' });
    const controller = new AbortController();
    const iterator = rt.events(controller.signal);
    const seen: string[] = [];
    rt.subscribe((e) => seen.push(`${e.type}:${e.containerName}`));
    const running = rt.runPodSandbox(pod('a'));
    expect(seen).toEqual([]);
    await running;
    expect(seen).toEqual(['created:POD', 'started:POD']);
    expect((await iterator.next()).value).toMatchObject({ type: 'created', isSandbox: true });
    controller.abort();
    expect((await iterator.next()).value).toMatchObject({ type: 'started' });
    expect((await iterator.next()).done).toBe(true);
  });

  it('keeps a container small: 30,000 pods with one container each stay within a modest heap', async () => {
    const rt = createFakeRuntime({ nodeName: 'big', podCidr: '10.0.0.0/8', recordCalls: false });
    const images = 'kubelite/busybox:latest';
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 30_000; i++) {
      const config = { uid: `u${i}`, namespace: 'default', name: `p${i}`, labels: { app: 'x' } };
      const { sandboxId } = await rt.runPodSandbox(config);
      const id = await rt.createContainer(sandboxId, { name: 'c', image: images, attempt: 0 });
      await rt.startContainer(id);
    }
    gc();
    const perPod = (process.memoryUsage().heapUsed - before) / 30_000;
    if (process.env.KUBELITE_PRINT_SIZES)
      process.stderr.write(`fake runtime: ${Math.round(perPod)} B per pod\n`);
    // Includes the test's own config objects; 5,000 nodes × 30 pods at this size is well under 1 GB.
    expect(perPod).toBeLessThan(2000);
    expect(rt.store.containers.size).toBe(30_000); // keeps the runtime alive until measured
  });
});
