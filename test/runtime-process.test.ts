// The runtime conformance suite against the process runtime (host processes on loopback pod IPs),
// plus what only it has: adoption of running processes by a restarted runtime (logs written while
// no runtime read them, exit codes of processes it did not start), process-group stops, the state
// directory. Each suite uses its own temp state dir and loopback range and removes both afterwards.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRuntimeConformance } from '../src/kubelet/runtime/conformance.js';
import { EventRecorder, readAll, readUntil } from '../src/kubelet/runtime/conformance-support.js';
import { isRuntimeError } from '../src/kubelet/runtime/errors.js';
import { createProcessRuntime, type ProcessRuntime } from '../src/kubelet/runtime/process/index.js';
import type { ContainerConfig, PodSandboxConfig } from '../src/kubelet/runtime/types.js';

const runId = `process-${randomUUID().slice(0, 8)}`;
const testLabel = { 'kubelite.test': runId };
const image = 'kubelite/busybox:latest';
// A loopback range per run so parallel runs and other suites do not collide.
const rangeBase = `127.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 250)}`;

runRuntimeConformance(
  'process',
  async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'kubelite-process-conf-'));
    const options = { nodeName: 'process-node', stateDir, podCidr: `${rangeBase}.0/26`, images: [image] };
    const runtime = await createProcessRuntime(options);
    const reopened: ProcessRuntime[] = [];
    return {
      runtime,
      reopen: async () => {
        await (reopened.at(-1) ?? runtime).close();
        const again = await createProcessRuntime(options);
        reopened.push(again);
        return again;
      },
      cleanup: async () => {
        const last = reopened.at(-1) ?? runtime;
        for (const s of await last.listPodSandboxes()) await last.removePodSandbox(s.id);
        for (const r of [runtime, ...reopened]) await r.close();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  },
  { image, sharedLoopback: false, labels: testLabel },
);

describe('process runtime specifics', () => {
  let stateDir: string;
  const options = () => ({ nodeName: 'process-specifics', stateDir, podCidr: `${rangeBase}.64/26` });
  const runtimes: ProcessRuntime[] = [];

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'kubelite-process-spec-'));
  });

  afterAll(async () => {
    const last = runtimes.at(-1);
    if (last) for (const s of await last.listPodSandboxes()) await last.removePodSandbox(s.id);
    for (const r of runtimes) await r.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function open(): Promise<ProcessRuntime> {
    await runtimes.at(-1)?.close();
    const rt = await createProcessRuntime(options());
    runtimes.push(rt);
    return rt;
  }

  const pod = (name: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig => ({
    uid: randomUUID(),
    namespace: 'process-specifics',
    name,
    labels: testLabel,
    ...extra,
  });
  const shell = (name: string, script: string): ContainerConfig => ({
    name,
    image,
    command: ['sh', '-c', script],
    attempt: 0,
  });

  it('a restarted runtime adopts a running process: keeps its output and learns its exit code', async () => {
    const first = await open();
    const { sandboxId } = await first.runPodSandbox(pod('adopt'));
    const id = await first.createContainer(
      sandboxId,
      shell('long', 'echo before; while [ ! -e "$TMPDIR/go" ]; do sleep 0.05; done; echo after; exit 7'),
    );
    await first.startContainer(id);
    await readUntil(await first.containerLogs(id, { follow: true }), 'before\n');
    const pid = (await first.containerStatus(id))!.pid;
    await first.close(); // the kubelet dies; the process goes on

    const second = await open();
    const events = new EventRecorder(second);
    expect(await second.containerStatus(id)).toMatchObject({ state: 'running', pid });
    const follow = await second.containerLogs(id, { follow: true });
    writeFileSync(join(stateDir, 'containers', id, 'tmp', 'go'), '');
    const died = await events.next((e) => e.containerId === id && e.type === 'died');
    expect(died.exitCode).toBe(7);
    expect(await readAll(follow)).toBe('before\nafter\n');
    expect(await second.containerStatus(id)).toMatchObject({ state: 'exited', exitCode: 7, reason: 'Error' });
    events.close();
    await second.removePodSandbox(sandboxId);
  });

  it('a process that died while no runtime ran is reported exited with an unknown status', async () => {
    const first = await open();
    const { sandboxId } = await first.runPodSandbox(pod('lost'));
    const id = await first.createContainer(sandboxId, shell('victim', 'sleep 1000'));
    await first.startContainer(id);
    const pid = (await first.containerStatus(id))!.pid;
    await first.close();
    process.kill(-pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const second = await open();
    expect(await second.containerStatus(id)).toMatchObject({
      state: 'exited',
      exitCode: 255,
      reason: 'Unknown',
    });
    await second.removePodSandbox(sandboxId);
  });

  it('stopping kills the whole process group, and removal leaves no state behind', async () => {
    const rt = await open();
    const { sandboxId } = await rt.runPodSandbox(pod('group'));
    const id = await rt.createContainer(
      sandboxId,
      shell('parent', 'sleep 1000 & sleep 1000 & echo up; wait'),
    );
    await rt.startContainer(id);
    await readUntil(await rt.containerLogs(id, { follow: true }), 'up\n');
    const pid = (await rt.containerStatus(id))!.pid;
    const members = () =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
            const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
            return fields[2] === String(pid) && fields[0] !== 'Z'; // zombies wait for init to reap them
          } catch {
            return false;
          }
        });
    expect(members().length).toBeGreaterThanOrEqual(3);
    await rt.stopContainer(id, 1000);
    expect(members()).toEqual([]);
    expect(existsSync(join(stateDir, 'containers', id))).toBe(true);
    await rt.removePodSandbox(sandboxId);
    expect(existsSync(join(stateDir, 'containers', id))).toBe(false);
    expect(readdirSync(join(stateDir, 'sandboxes'))).toEqual([]);
  });

  it('gives pods loopback IPs from the node range, serves host ports there and rejects moved mounts', async () => {
    const rt = await open();
    const net = await rt.podNetwork();
    expect(net).toEqual({ cidr: `${rangeBase}.64/26`, gatewayIp: '127.0.0.1' });
    const probe = await import('node:net');
    const hostPort = await new Promise<number>((resolve) => {
      const s = probe.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const { sandboxId, ip } = await rt.runPodSandbox(
      pod('ports', { portMappings: [{ containerPort: 8080, hostPort }] }),
    );
    expect(ip.startsWith(`${rangeBase}.`)).toBe(true);
    const id = await rt.createContainer(
      sandboxId,
      shell('web', 'echo hi > $TMPDIR/index.html; exec httpd -f -p $POD_IP:8080 -h $TMPDIR'),
    );
    await rt.startContainer(id);
    let body = '';
    for (let i = 0; i < 100 && body !== 'hi\n'; i++) {
      body = await fetch(`http://127.0.0.1:${hostPort}/index.html`)
        .then((r) => r.text())
        .catch(() => '');
      if (body !== 'hi\n') await new Promise((r) => setTimeout(r, 50));
    }
    expect(body).toBe('hi\n');
    expect(await fetch(`http://${ip}:8080/index.html`).then((r) => r.text())).toBe('hi\n');
    const moved = await rt
      .createContainer(sandboxId, {
        ...shell('m', 'true'),
        mounts: [{ hostPath: '/tmp', containerPath: '/data' }],
      })
      .catch((e) => e);
    expect(isRuntimeError(moved, 'Unsupported')).toBe(true);
    await rt.removePodSandbox(sandboxId);
    expect(await fetch(`http://127.0.0.1:${hostPort}/`).catch((e) => e)).toBeInstanceOf(Error);
  });

  it('refuses a pod range outside loopback', async () => {
    const err = await createProcessRuntime({ ...options(), podCidr: '10.0.0.0/24' }).catch((e) => e);
    expect(isRuntimeError(err, 'InvalidConfig')).toBe(true);
  });
});
