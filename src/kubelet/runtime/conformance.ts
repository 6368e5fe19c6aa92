// The Runtime conformance suite: one vitest suite every implementation runs, one test per promise of
// the contract in types.ts. Commands are busybox-compatible shell so the same cases run in Docker
// (kubelite/busybox) and as host processes. Every sandbox carries `caps.labels` (the test files put
// `kubelite.test=<run id>` there) and the suite removes what it made after each test, also on failure.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventRecorder, readAll, readUntil } from './conformance-support.js';
import { isRuntimeError } from './errors.js';
import { parseCidr, parseIpv4 } from './ip-pool.js';
import {
  type ContainerConfig,
  type ContainerStatus,
  labelAttempt,
  labelContainerName,
  labelNode,
  labelPodName,
  labelPodNamespace,
  labelPodUid,
  type PodSandboxConfig,
  type Runtime,
  type RuntimeEvent,
} from './types.js';

export interface RuntimeUnderTest {
  runtime: Runtime;
  /**
   * Closes the current instance, as a dying kubelet would, and returns a new one over the same state
   * (the suite goes on with the new one; cleanup closes it).
   */
  reopen?: () => Promise<Runtime>;
  cleanup(): Promise<void>;
}

export interface RuntimeConformanceCaps {
  /** An image the runtime has, with busybox applets (sh, nc, httpd, sleep…) on PATH. */
  image: string;
  /** Containers run their commands (docker, process); the fake does not. Default true. */
  runsCommands?: boolean;
  /** Containers of a pod share 127.0.0.1 (docker); otherwise they meet on $POD_IP (process). */
  sharedLoopback?: boolean;
  /** Memory limits are enforced and end in OOMKilled (docker). */
  enforcesMemoryLimit?: boolean;
  /** Labels put on every sandbox and container (e.g. `kubelite.test=<run id>`). */
  labels?: Record<string, string>;
}

const missingImage = 'kubelite/does-not-exist:never';

export function runRuntimeConformance(
  name: string,
  newRuntime: () => Promise<RuntimeUnderTest>,
  caps: RuntimeConformanceCaps,
): void {
  const runs = caps.runsCommands ?? true;

  describe(`Runtime conformance: ${name}`, () => {
    let made: RuntimeUnderTest;
    let rt: Runtime;
    let recorder: EventRecorder;
    const sandboxes: string[] = [];

    beforeAll(async () => {
      made = await newRuntime();
      rt = made.runtime;
    });

    afterAll(async () => {
      await made?.cleanup();
    });

    afterEach(async () => {
      recorder?.close();
      for (const id of sandboxes.splice(0)) await rt.removePodSandbox(id);
    });

    function podConfig(podName: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
      return {
        uid: randomUUID(),
        namespace: 'conformance',
        name: podName,
        hostname: podName,
        labels: { ...caps.labels, app: podName },
        annotations: { 'kubelite.io/purpose': 'conformance' },
        ...extra,
      };
    }

    async function sandbox(podName: string, extra?: Partial<PodSandboxConfig>) {
      const config = podConfig(podName, extra);
      const { sandboxId, ip } = await rt.runPodSandbox(config);
      sandboxes.push(sandboxId);
      return { sandboxId, ip, config };
    }

    function shell(name: string, script: string, extra: Partial<ContainerConfig> = {}): ContainerConfig {
      return { name, image: caps.image, command: ['sh', '-c', script], attempt: 0, ...extra };
    }

    /** Creates and starts a container, returning its id and a promise of its `died` event. */
    async function started(sandboxId: string, config: ContainerConfig) {
      const id = await rt.createContainer(sandboxId, config);
      const died = recorder.next(
        (e) => e.containerId === id && e.type === 'died',
        60_000,
        `died of ${config.name}`,
      );
      died.catch(() => {});
      await rt.startContainer(id);
      return { id, died };
    }

    async function exited(id: string, died: Promise<RuntimeEvent>): Promise<ContainerStatus> {
      await died;
      const status = await rt.containerStatus(id);
      expect(status?.state).toBe('exited');
      return status!;
    }

    async function logsOf(id: string): Promise<string> {
      return readAll(await rt.containerLogs(id));
    }

    function record(): EventRecorder {
      recorder = new EventRecorder(rt);
      return recorder;
    }

    it('reports its version and pod network', async () => {
      const v = await rt.version();
      expect(v.runtimeName).toBe(rt.kind);
      expect(v.runtimeVersion).not.toBe('');
      const net = await rt.podNetwork();
      expect(parseCidr(net.cidr).size).toBeGreaterThan(2);
      expect(parseIpv4(net.gatewayIp)).toBeGreaterThan(0);
    });

    it('tells image presence without pulling, and refuses a missing image with ImageNotPresent', async () => {
      record();
      const present = await rt.imageStatus(caps.image);
      expect(present.present).toBe(true);
      expect(present.id).toBeTruthy();
      expect(await rt.imageStatus(missingImage)).toMatchObject({ present: false });
      const { sandboxId } = await sandbox('images');
      const err = await rt
        .createContainer(sandboxId, shell('c', 'true', { image: missingImage }))
        .catch((e) => e);
      expect(isRuntimeError(err, 'ImageNotPresent')).toBe(true);
      expect(await rt.listContainers({ sandboxId })).toEqual([]);
    });

    it('runs a pod sandbox with an IP from the pod network, labels and annotations', async () => {
      record();
      const { sandboxId, ip, config } = await sandbox('sandbox');
      const net = await rt.podNetwork();
      const { base, size } = parseCidr(net.cidr);
      expect(parseIpv4(ip) - base).toBeGreaterThan(0);
      expect(parseIpv4(ip) - base).toBeLessThan(size);
      const status = await rt.podSandboxStatus(sandboxId);
      expect(status).toMatchObject({
        id: sandboxId,
        podUid: config.uid,
        namespace: 'conformance',
        name: 'sandbox',
        attempt: 0,
        state: 'ready',
        ip,
      });
      expect(status!.labels).toMatchObject({
        ...caps.labels,
        app: 'sandbox',
        [labelPodUid]: config.uid,
        [labelPodNamespace]: 'conformance',
        [labelPodName]: 'sandbox',
        [labelNode]: rt.nodeName,
      });
      expect(status!.annotations).toEqual({ 'kubelite.io/purpose': 'conformance' });
      expect(status!.createdAt).toBeGreaterThan(0);
      await recorder.next((e) => e.containerId === sandboxId && e.isSandbox && e.type === 'started');

      const listed = await rt.listPodSandboxes({ podUid: config.uid });
      expect(listed.map((s) => s.id)).toEqual([sandboxId]);
      expect(
        (await rt.listPodSandboxes({ labels: { app: 'sandbox', ...caps.labels } })).map((s) => s.id),
      ).toContain(sandboxId);

      await rt.stopPodSandbox(sandboxId);
      expect((await rt.podSandboxStatus(sandboxId))?.state).toBe('notready');
      expect((await rt.listPodSandboxes({ podUid: config.uid, state: 'ready' })).length).toBe(0);
      await rt.removePodSandbox(sandboxId);
      expect(await rt.podSandboxStatus(sandboxId)).toBeUndefined();
      expect(await rt.listPodSandboxes({ podUid: config.uid })).toEqual([]);
      await recorder.next((e) => e.containerId === sandboxId && e.type === 'removed');
    });

    it('labels containers with pod identity, container name, attempt and node; lists by filter', async () => {
      record();
      const { sandboxId, config } = await sandbox('labels');
      const id = await rt.createContainer(
        sandboxId,
        shell('worker', 'sleep 1000', { attempt: 2, labels: { tier: 'back' }, annotations: { note: 'x' } }),
      );
      const status = await rt.containerStatus(id);
      expect(status).toMatchObject({
        id,
        sandboxId,
        podUid: config.uid,
        name: 'worker',
        attempt: 2,
        state: 'created',
        image: caps.image,
      });
      expect(status!.imageRef).toBeTruthy();
      expect(status!.labels).toMatchObject({
        ...caps.labels,
        tier: 'back',
        [labelPodUid]: config.uid,
        [labelPodNamespace]: 'conformance',
        [labelPodName]: 'labels',
        [labelContainerName]: 'worker',
        [labelAttempt]: '2',
        [labelNode]: rt.nodeName,
      });
      expect(status!.annotations).toEqual({ note: 'x' });
      expect((await rt.listContainers({ podUid: config.uid })).map((c) => c.id)).toEqual([id]);
      expect((await rt.listContainers({ sandboxId })).map((c) => c.id)).toEqual([id]);
      expect((await rt.listContainers({ sandboxId, state: 'running' })).length).toBe(0);
      expect(
        (await rt.listContainers({ labels: { tier: 'back', ...caps.labels } })).map((c) => c.id),
      ).toContain(id);
      await recorder.next((e) => e.containerId === id && e.type === 'created');
    });

    it('sends created, started, died and removed events with pod identity', async () => {
      const events = record();
      const { sandboxId, config } = await sandbox('events');
      const { id, died } = await started(sandboxId, shell('short', runs ? 'exit 0' : 'true'));
      if (!runs) await rt.stopContainer(id, 0);
      const event = await died;
      expect(event).toMatchObject({
        podUid: config.uid,
        sandboxId,
        containerName: 'short',
        isSandbox: false,
      });
      await rt.removeContainer(id);
      await events.next((e) => e.containerId === id && e.type === 'removed');
      expect(events.of(id)).toEqual(['created', 'started', 'died', 'removed']);
      expect(events.events.find((e) => e.type === 'started' && e.containerId === id)?.at).toBeGreaterThan(0);
    });

    it('stop and remove of unknown ids succeed; start, logs and exec of them fail with NotFound', async () => {
      await rt.stopContainer('no-such-container', 0);
      await rt.removeContainer('no-such-container');
      await rt.stopPodSandbox('no-such-sandbox');
      await rt.removePodSandbox('no-such-sandbox');
      expect(await rt.containerStatus('no-such-container')).toBeUndefined();
      expect(await rt.podSandboxStatus('no-such-sandbox')).toBeUndefined();
      for (const call of [
        () => rt.startContainer('no-such-container'),
        () => rt.containerLogs('no-such-container'),
        () => rt.execSync('no-such-container', ['true'], 1000),
        () => rt.createContainer('no-such-sandbox', shell('c', 'true')),
      ]) {
        expect(isRuntimeError(await call().catch((e) => e), 'NotFound')).toBe(true);
      }
    });

    it('removing a sandbox removes its containers and leaves nothing behind', async () => {
      const events = record();
      const { sandboxId, config } = await sandbox('removal');
      const a = await started(sandboxId, shell('a', 'sleep 1000'));
      const b = await rt.createContainer(sandboxId, shell('b', 'sleep 1000'));
      await rt.stopContainer(a.id, 0);
      await rt.stopPodSandbox(sandboxId);
      await rt.removePodSandbox(sandboxId);
      expect(await rt.listContainers({ podUid: config.uid })).toEqual([]);
      expect(await rt.containerStatus(a.id)).toBeUndefined();
      expect(await rt.containerStatus(b)).toBeUndefined();
      expect(await rt.listPodSandboxes({ podUid: config.uid })).toEqual([]);
      await events.next((e) => e.containerId === b && e.type === 'removed');
    });

    it('a restarted runtime finds sandboxes and running containers by listing, without restarting them', async () => {
      record();
      const { sandboxId, ip, config } = await sandbox('rebuild');
      const { id } = await started(sandboxId, shell('keep', 'sleep 1000', { attempt: 3 }));
      const before = await rt.containerStatus(id);
      expect(before?.state).toBe('running');
      const again = made.reopen ? await made.reopen() : rt;
      const boxes = await again.listPodSandboxes({ podUid: config.uid });
      expect(boxes).toMatchObject([{ id: sandboxId, ip, state: 'ready', podUid: config.uid }]);
      const containers = await again.listContainers({ podUid: config.uid });
      expect(containers).toMatchObject([
        { id, state: 'running', attempt: 3, name: 'keep', sandboxId, startedAt: before!.startedAt },
      ]);
      if (runs) expect(containers[0]!.pid).toBe(before!.pid);
      rt = again;
      record();
      const died = recorder.next((e) => e.containerId === id && e.type === 'died');
      await rt.stopContainer(id, 0);
      expect((await died).podUid).toBe(config.uid);
      expect(await rt.containerStatus(id)).toMatchObject({ state: 'exited', exitCode: 137 });
    });

    describe.skipIf(!runs)('running commands', () => {
      it('applies command, args, env and workingDir', async () => {
        record();
        const { sandboxId } = await sandbox('config');
        const { id, died } = await started(sandboxId, {
          name: 'show',
          image: caps.image,
          command: ['sh', '-c'],
          args: ['echo "$0|$1|$GREETING|$EMPTY|$(pwd)"', 'first', 'second'],
          env: [
            { name: 'GREETING', value: 'hello world' },
            { name: 'EMPTY', value: '' },
          ],
          workingDir: '/tmp',
          attempt: 0,
        });
        const status = await exited(id, died);
        expect(status).toMatchObject({ exitCode: 0, reason: 'Completed' });
        expect(status.finishedAt).toBeGreaterThanOrEqual(status.startedAt);
        expect(status.startedAt).toBeGreaterThanOrEqual(status.createdAt - 1000);
        expect(await logsOf(id)).toBe('first|second|hello world||/tmp\n');
      });

      it('reports exit codes and reasons', async () => {
        record();
        const { sandboxId } = await sandbox('exits');
        const fail = await started(sandboxId, shell('fail', 'echo failing >&2; exit 3'));
        const event = await fail.died;
        expect(event.exitCode).toBe(3);
        const status = await exited(fail.id, fail.died);
        expect(status).toMatchObject({ exitCode: 3, reason: 'Error', pid: 0 });
        expect(await logsOf(fail.id)).toBe('failing\n');
      });

      it('a command that cannot start fails StartFailed and reports StartError', async () => {
        record();
        const { sandboxId } = await sandbox('cannot-start');
        const id = await rt.createContainer(sandboxId, {
          name: 'bad',
          image: caps.image,
          command: ['/no/such/binary'],
          attempt: 0,
        });
        const err = await rt.startContainer(id).catch((e) => e);
        expect(isRuntimeError(err, 'StartFailed')).toBe(true);
        const status = await rt.containerStatus(id);
        expect(status).toMatchObject({ state: 'exited', reason: 'StartError' });
        expect(status!.message).toContain('/no/such/binary');
        expect(status!.exitCode).not.toBe(0);
      });

      it('containers of a pod reach each other on their shared address (localhost, or POD_IP without a shared loopback)', async () => {
        record();
        const { sandboxId, ip } = await sandbox('shared-net');
        const bind = caps.sharedLoopback ? '' : '$POD_IP:';
        const target = caps.sharedLoopback ? '127.0.0.1' : ip;
        const server = await started(
          sandboxId,
          shell(
            'server',
            `d=$(mktemp -d) && echo pong > $d/index.html && exec httpd -f -p ${bind}7777 -h $d`,
            {
              env: [{ name: 'POD_IP', value: ip }],
            },
          ),
        );
        const client = await started(
          sandboxId,
          shell(
            'client',
            `i=0; until wget -q -O - http://${target}:7777/; do i=$((i+1)); [ $i -gt 100 ] && exit 9; sleep 0.1; done`,
            { env: [{ name: 'POD_IP', value: ip }] },
          ),
        );
        const status = await exited(client.id, client.died);
        expect(await logsOf(client.id)).toContain('pong');
        expect(status.exitCode).toBe(0);
        await rt.stopContainer(server.id, 0);
        expect((await rt.containerStatus(server.id))?.state).toBe('exited');
      });

      it('stops with a grace period: a trapped SIGTERM exits cleanly, an ignored one is SIGKILLed', async () => {
        record();
        const { sandboxId } = await sandbox('grace');
        const loop = 'echo ready; while true; do sleep 0.1; done';
        const polite = await started(sandboxId, shell('polite', `trap 'echo bye; exit 0' TERM; ${loop}`));
        const stubborn = await started(sandboxId, shell('stubborn', `trap '' TERM; ${loop}`));
        for (const c of [polite, stubborn]) {
          const follow = await rt.containerLogs(c.id, { follow: true });
          await readUntil(follow, 'ready');
          follow.destroy();
        }
        await Promise.all([rt.stopContainer(polite.id, 20_000), rt.stopContainer(stubborn.id, 500)]);
        const politeStatus = await exited(polite.id, polite.died);
        expect(politeStatus).toMatchObject({ exitCode: 0, reason: 'Completed' });
        expect(await logsOf(polite.id)).toBe('ready\nbye\n');
        const stubbornStatus = await exited(stubborn.id, stubborn.died);
        expect(stubbornStatus).toMatchObject({ exitCode: 137, reason: 'Error' });
        await rt.stopContainer(polite.id, 1000); // already exited: a no-op
      });

      it('serves logs: interleaved streams, tail, timestamps, since, limitBytes and follow', async () => {
        record();
        const { sandboxId } = await sandbox('logs');
        const { id, died } = await started(
          sandboxId,
          shell(
            'talker',
            'echo err >&2; sleep 0.2; echo one; echo two; echo three; sleep 3; echo late; sleep 1000',
          ),
        );
        const follow = await rt.containerLogs(id, { follow: true });
        const followed = await readUntil(follow, 'late\n');
        expect(followed).toBe('err\none\ntwo\nthree\nlate\n');
        const ended = readAll(follow);

        expect(await logsOf(id)).toBe('err\none\ntwo\nthree\nlate\n');
        expect(await readAll(await rt.containerLogs(id, { tailLines: 2 }))).toBe('three\nlate\n');
        expect(await readAll(await rt.containerLogs(id, { tailLines: 0 }))).toBe('');
        expect(await readAll(await rt.containerLogs(id, { limitBytes: 6 }))).toBe('err\non');
        expect(await readAll(await rt.containerLogs(id, { sinceSeconds: 2 }))).toBe('late\n');
        const stamped = (await readAll(await rt.containerLogs(id, { timestamps: true }))).split('\n');
        expect(stamped.pop()).toBe('');
        expect(stamped.length).toBe(5);
        for (const line of stamped)
          expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (err|one|two|three|late)$/);
        const times = stamped.map((l) => Date.parse(l.split(' ')[0]!));
        expect(times[4]! - times[3]!).toBeGreaterThanOrEqual(2500);

        await rt.stopContainer(id, 0);
        await died;
        expect(await ended).toBe(''); // the follow stream ends once the container has exited
      });

      it('execSync runs in the container with its env, returns output and exit code, and times out', async () => {
        record();
        const { sandboxId } = await sandbox('exec');
        const { id } = await started(
          sandboxId,
          shell('target', 'sleep 1000', { env: [{ name: 'GREETING', value: 'hi' }], workingDir: '/tmp' }),
        );
        const r = await rt.execSync(
          id,
          ['sh', '-c', 'echo "$GREETING $(pwd)"; echo oops >&2; exit 4'],
          10_000,
        );
        expect(r).toMatchObject({ exitCode: 4, timedOut: false });
        expect(r.stdout.toString()).toBe('hi /tmp\n');
        expect(r.stderr.toString()).toBe('oops\n');
        const ok = await rt.execSync(id, ['true'], 10_000);
        expect(ok.exitCode).toBe(0);
        const slow = await rt.execSync(id, ['sleep', '30'], 300);
        expect(slow).toMatchObject({ timedOut: true, exitCode: -1 });
        await rt.stopContainer(id, 0);
        const err = await rt.execSync(id, ['true'], 1000).catch((e) => e);
        expect(isRuntimeError(err)).toBe(true);
      });

      it.runIf(caps.enforcesMemoryLimit)('a container over its memory limit is OOMKilled', async () => {
        const events = record();
        const { sandboxId } = await sandbox('oom');
        const { id, died } = await started(
          sandboxId,
          shell('hog', 'x=$(head -c 268435456 /dev/zero | tr "\\0" a); echo survived', {
            resources: { memoryLimitBytes: 16 * 1024 * 1024 },
          }),
        );
        const status = await exited(id, died);
        expect(status.reason).toBe('OOMKilled');
        expect(status.exitCode).not.toBe(0);
        await events.next((e) => e.containerId === id && e.type === 'oom');
      });
    });
  });
}
