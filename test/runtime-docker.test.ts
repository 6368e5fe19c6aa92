// The runtime conformance suite against a real dockerd, plus what only Docker has: the internal
// kubelite0 network (pods reach the node on the gateway, nothing beyond the machine), host ports,
// resource limits and event-stream recovery. Fails (does not skip) when no Docker daemon answers.
// Everything is labelled kubelite.test=<run id> and removed by that label afterwards.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRuntimeConformance } from '../src/kubelet/runtime/conformance.js';
import { EventRecorder, readAll } from '../src/kubelet/runtime/conformance-support.js';
import { createDockerRuntime, type DockerRuntime } from '../src/kubelet/runtime/docker/index.js';
import { isRuntimeError } from '../src/kubelet/runtime/errors.js';
import type { ContainerConfig, PodSandboxConfig } from '../src/kubelet/runtime/types.js';

const runId = `docker-${randomUUID().slice(0, 8)}`;
const testLabel = { 'kubelite.test': runId };
const nodeName = `test-${runId}`;
const busybox = 'kubelite/busybox:latest';
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });

async function removeLeftovers(): Promise<void> {
  const left = await docker.listContainers({ all: true, filters: { label: [`kubelite.test=${runId}`] } });
  await Promise.all(
    left.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
}

runRuntimeConformance(
  'docker',
  async () => {
    const runtime = await createDockerRuntime({ nodeName });
    const reopened: DockerRuntime[] = [];
    return {
      runtime,
      reopen: async () => {
        await (reopened.at(-1) ?? runtime).close();
        const again = await createDockerRuntime({ nodeName });
        reopened.push(again);
        return again;
      },
      cleanup: async () => {
        for (const r of [runtime, ...reopened]) await r.close();
        await removeLeftovers();
      },
    };
  },
  { image: busybox, sharedLoopback: true, enforcesMemoryLimit: true, labels: testLabel },
);

describe('docker runtime specifics', () => {
  let rt: DockerRuntime;
  const hostServers: Server[] = [];

  beforeAll(async () => {
    rt = await createDockerRuntime({ nodeName, eventReconnectDelayMs: 1000 });
  });

  afterAll(async () => {
    for (const s of hostServers) s.close();
    await rt?.close();
    await removeLeftovers();
  });

  const pod = (name: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig => ({
    uid: randomUUID(),
    namespace: 'docker-specifics',
    name,
    labels: testLabel,
    ...extra,
  });
  const shell = (name: string, script: string, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
    name,
    image: busybox,
    command: ['sh', '-c', script],
    attempt: 0,
    ...extra,
  });

  async function runToExit(
    sandboxId: string,
    config: ContainerConfig,
  ): Promise<{ code: number; logs: string }> {
    const events = new EventRecorder(rt);
    try {
      const id = await rt.createContainer(sandboxId, config);
      const died = events.next((e) => e.containerId === id && e.type === 'died', 30_000);
      await rt.startContainer(id);
      const event = await died;
      return { code: event.exitCode ?? -1, logs: await readAll(await rt.containerLogs(id)) };
    } finally {
      events.close();
    }
  }

  function listen(host: string, reply: string): Promise<number> {
    const server = createServer((s) => s.end(reply));
    hostServers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port: 0 }, () => resolve((server.address() as { port: number }).port));
    });
  }

  it('refuses to start without a Docker daemon, with a typed error', async () => {
    const err = await createDockerRuntime({ nodeName, socketPath: '/tmp/no-such-docker.sock' }).catch(
      (e) => e,
    );
    expect(isRuntimeError(err, 'Unavailable')).toBe(true);
  });

  it('puts pods on the internal kubelite0 network: the gateway (node) is reachable, nothing else', async () => {
    const info = await docker.getNetwork('kubelite0').inspect();
    expect(info.Internal).toBe(true);
    const net = await rt.podNetwork();
    expect(net.gatewayIp).toBe(info.IPAM!.Config![0]!.Gateway);
    const port = await listen(net.gatewayIp, 'node-ok\n');
    const { sandboxId, ip } = await rt.runPodSandbox(pod('netcheck'));
    expect(info.IPAM!.Config![0]!.Subnet).toBe(net.cidr);
    const { code, logs } = await runToExit(
      sandboxId,
      shell(
        'probe',
        [
          `echo "$(nc ${net.gatewayIp} ${port} </dev/null)"`,
          'ip route | grep -c ^default || true',
          'nc 192.0.2.1 80 </dev/null 2>&1 | tail -1',
          'nc 1.1.1.1 53 </dev/null 2>&1 | tail -1',
          `nc 192.0.2.2 ${port} </dev/null 2>&1 | tail -1`,
        ].join('; '),
      ),
    );
    expect(code).toBe(0);
    const lines = logs.trim().split('\n');
    expect(lines[0]).toBe('node-ok');
    expect(lines[1]).toBe('0'); // no default route in the pod
    for (const line of lines.slice(2)) expect(line).toMatch(/Network is unreachable/);
    expect(lines).toHaveLength(5);
    expect(ip.startsWith(net.cidr.split('.').slice(0, 2).join('.'))).toBe(true);
    await rt.removePodSandbox(sandboxId);
  });

  it('forwards host ports from the host port address to the pod, and frees them on stop', async () => {
    const hostPort = await listen('127.0.0.1', '').then((p) => {
      hostServers.pop()!.close();
      return p;
    });
    const { sandboxId } = await rt.runPodSandbox(
      pod('hostport', { portMappings: [{ containerPort: 8080, hostPort, protocol: 'TCP' }] }),
    );
    expect((await rt.podSandboxStatus(sandboxId))?.portMappings).toEqual([
      { containerPort: 8080, hostPort, protocol: 'TCP' },
    ]);
    const id = await rt.createContainer(sandboxId, {
      name: 'web',
      image: 'kubelite/httpd:latest',
      env: [{ name: 'PORT', value: '8080' }],
      attempt: 0,
    });
    await rt.startContainer(id);
    let body = '';
    for (let i = 0; i < 100 && !body.includes('ok'); i++) {
      body = await fetch(`http://127.0.0.1:${hostPort}/healthz`)
        .then((r) => r.text())
        .catch(() => '');
      if (!body) await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toBe('ok\n');
    const clash = await rt
      .runPodSandbox(pod('clash', { portMappings: [{ containerPort: 80, hostPort }] }))
      .catch((e) => e);
    expect(isRuntimeError(clash, 'HostPortUnavailable')).toBe(true);
    expect(
      await docker.listContainers({ all: true, filters: { label: [`io.kubernetes.pod.name=clash`] } }),
    ).toEqual([]);
    const udp = await rt
      .runPodSandbox(pod('udp', { portMappings: [{ containerPort: 53, hostPort: 5353, protocol: 'UDP' }] }))
      .catch((e) => e);
    expect(isRuntimeError(udp, 'Unsupported')).toBe(true);
    await rt.stopPodSandbox(sandboxId);
    const again = await listen('127.0.0.1', 'free').catch((e) => e);
    hostServers.pop()?.close();
    expect(typeof again).toBe('number');
    await rt.removePodSandbox(sandboxId);
  });

  it('turns cpu and memory resources into cgroup settings', async () => {
    const { sandboxId } = await rt.runPodSandbox(pod('resources'));
    const id = await rt.createContainer(
      sandboxId,
      shell('limited', 'sleep 1000', {
        resources: { cpuLimitMilli: 250, cpuRequestMilli: 100, memoryLimitBytes: 64 * 1024 * 1024 },
      }),
    );
    const host = (await docker.getContainer(id).inspect()).HostConfig;
    expect(host).toMatchObject({
      CpuPeriod: 100_000,
      CpuQuota: 25_000,
      CpuShares: 102,
      Memory: 64 * 1024 * 1024,
      MemorySwap: 64 * 1024 * 1024,
      NetworkMode: `container:${sandboxId}`,
      IpcMode: `container:${sandboxId}`,
    });
    await rt.removePodSandbox(sandboxId);
  });

  it('re-syncs after losing the event stream and reports what it missed', async () => {
    const events = new EventRecorder(rt);
    try {
      const { sandboxId } = await rt.runPodSandbox(pod('resync'));
      const id = await rt.createContainer(sandboxId, shell('victim', 'sleep 1000'));
      await rt.startContainer(id);
      await events.next((e) => e.containerId === id && e.type === 'started');
      // Break the stream as a daemon restart would, then change things while disconnected.
      (rt as unknown as { events_: { stream: { destroy(): void } } }).events_.stream.destroy();
      await docker.getContainer(id).kill({ signal: 'SIGKILL' });
      const died = await events.next((e) => e.containerId === id && e.type === 'died', 30_000);
      expect(died.resynced).toBe(true);
      expect(events.of(id).filter((t) => t === 'died')).toHaveLength(1);
      // The new stream works: further events arrive live.
      await rt.removePodSandbox(sandboxId);
      const removed = await events.next((e) => e.containerId === id && e.type === 'removed');
      expect(removed.resynced).toBeUndefined();
    } finally {
      events.close();
    }
  });

  it('reports the image as asked and as resolved, and the pause image is present', async () => {
    const pause = await rt.imageStatus('kubelite/pause:latest');
    expect(pause.present).toBe(true);
    const bb = await rt.imageStatus(busybox);
    expect(bb.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(bb.repoTags).toContain(busybox);
  });
});
