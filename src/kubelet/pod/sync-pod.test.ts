// The pod machinery over the fake runtime with a FakeClock: starting, restarting under back-off,
// CrashLoopBackOff, liveness kills, image checks, finished pods and termination ordering.
import { describe, expect, it } from 'vitest';
import { fakeNode, testContainer, testPod } from '../testing.js';

describe('pod sync', () => {
  it('creates the sandbox, starts every container and reports Running and Ready', async () => {
    const node = fakeNode();
    const pod = testPod('web', { containers: [testContainer('a'), testContainer('b')] }, node.clock);
    node.workers.update(pod);
    await node.settle();
    const ops = node.runtime.calls.map((c) => c.op);
    // A new pod: nothing to list first; afterwards only the containers made are inspected.
    expect(ops).toEqual([
      'runPodSandbox',
      'createContainer',
      'startContainer',
      'createContainer',
      'startContainer',
      'containerStatus',
      'containerStatus',
    ]);
    const status = node.status(pod)!;
    expect(status.phase).toBe('Running');
    expect(status.podIP).toMatch(/^10\.88\./);
    expect(status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(status.containerStatuses?.map((c) => [c.name, c.restartCount, !!c.state?.running])).toEqual([
      ['a', 0, true],
      ['b', 0, true],
    ]);
    expect(status.containerStatuses?.[0]?.containerID).toMatch(/^fake:\/\//);
    expect(node.reasons('spec.containers{a}')).toEqual(['Pulled', 'Created', 'Started']);
  });

  it('syncs a pod once per burst of triggers and not at all when nothing happens', async () => {
    const node = fakeNode();
    const pod = testPod('web', {}, node.clock);
    node.workers.update(pod);
    await node.settle();
    const calls = node.runtime.calls.length;
    const writes = node.statusWrites.length;
    for (let i = 0; i < 5; i++) node.workers.trigger(pod.metadata.uid!);
    await node.settle();
    // At most two syncs (the one running plus one folded re-run), each two list calls, no actions.
    expect(node.runtime.calls.length - calls).toBeLessThanOrEqual(4);
    expect(node.runtime.calls.slice(calls).every((c) => c.op.startsWith('list'))).toBe(true);
    expect(node.statusWrites.length).toBe(writes);
  });

  it('restarts a dead container at once, then backs off 10 s, 20 s with CrashLoopBackOff', async () => {
    const node = fakeNode({ runtime: { onStart: () => ({ exitCode: 1 }) } });
    const pod = testPod('crash', {}, node.clock);
    node.workers.update(pod);
    await node.settle();
    // First run died at once; the restart is immediate; that one died too: now in back-off.
    const status = node.status(pod)!;
    const main = status.containerStatuses![0]!;
    expect(main.restartCount).toBe(1);
    expect(main.state?.waiting).toEqual({
      reason: 'CrashLoopBackOff',
      message: `back-off 10s restarting failed container=main pod=crash_default(${pod.metadata.uid})`,
    });
    expect(main.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(status.phase).toBe('Running');
    expect(node.reasons()).toContain('BackOff');
    const starts = () => node.runtime.calls.filter((c) => c.op === 'startContainer').map((c) => c.at);
    expect(starts()).toHaveLength(2);
    await node.advance(9_500);
    expect(starts()).toHaveLength(2);
    await node.advance(1_000);
    expect(starts()).toHaveLength(3);
    expect(node.status(pod)!.containerStatuses![0]!.state?.waiting?.message).toContain('back-off 20s');
    await node.advance(19_000);
    expect(starts()).toHaveLength(3);
    await node.advance(1_500);
    expect(starts()).toHaveLength(4);
    expect(node.status(pod)!.containerStatuses![0]!.restartCount).toBe(3);
  });

  it('resets the back-off after a long stable run', async () => {
    let fail = true;
    const node = fakeNode({
      restartBackoff: { initialMs: 1000, maxMs: 8000, resetAfterMs: 20_000 },
      runtime: { onStart: () => (fail ? { exitCode: 2 } : undefined) },
    });
    const pod = testPod('flappy', {}, node.clock);
    node.workers.update(pod);
    await node.settle();
    await node.advance(1000 + 2000 + 4000 + 8000 + 500, 250);
    expect(node.status(pod)!.containerStatuses![0]!.state?.waiting?.message).toContain('back-off 8s');
    fail = false;
    await node.advance(8000, 250);
    const running = node.status(pod)!.containerStatuses![0]!;
    expect(running.state?.running).toBeDefined();
    await node.advance(30_000, 1000); // a long, stable run
    fail = true;
    const id = running.containerID!.replace('fake://', '');
    node.runtime.exit(id, { exitCode: 3 });
    await node.settle();
    // Died after a long run: restarted at once (fresh back-off), the next death waits 1 s again.
    expect(node.status(pod)!.containerStatuses![0]!.state?.waiting?.message).toContain('back-off 1s');
  });

  it('never restarts with restartPolicy Never and reports Failed / Succeeded', async () => {
    const node = fakeNode({ runtime: { onStart: (c) => ({ exitCode: c.name === 'bad' ? 3 : 0 }) } });
    const failed = testPod('f', { restartPolicy: 'Never', containers: [testContainer('bad')] }, node.clock);
    const ok = testPod('s', { restartPolicy: 'OnFailure', containers: [testContainer('good')] }, node.clock);
    node.workers.update(failed);
    node.workers.update(ok);
    await node.settle();
    await node.advance(60_000, 5000);
    expect(node.status(failed)!.phase).toBe('Failed');
    expect(node.status(failed)!.containerStatuses![0]!.state?.terminated).toMatchObject({
      exitCode: 3,
      reason: 'Error',
    });
    expect(node.status(ok)!.phase).toBe('Succeeded');
    expect(node.status(ok)!.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCompleted',
    });
    expect(node.runtime.calls.filter((c) => c.op === 'startContainer')).toHaveLength(2);
    // Finished pods give up their sandbox but keep their containers (logs).
    const sandboxes = await node.runtime.listPodSandboxes();
    expect(sandboxes.every((s) => s.state === 'notready')).toBe(true);
    expect(await node.runtime.listContainers()).toHaveLength(2);
  });

  it('reports a missing image as ErrImageNeverPull or ErrImagePull, then ImagePullBackOff', async () => {
    const node = fakeNode({ runtime: { images: ['kubelite/busybox:latest'] } });
    const never = testPod('n', {
      containers: [testContainer('x', { image: 'nope:1', imagePullPolicy: 'Never' })],
    });
    const ifNot = testPod('i', { containers: [testContainer('y', { image: 'nope:2' })] });
    node.workers.update(never);
    node.workers.update(ifNot);
    await node.settle();
    expect(node.status(never)!.containerStatuses![0]!.state?.waiting).toEqual({
      reason: 'ErrImageNeverPull',
      message: 'Container image "nope:1" is not present with pull policy of Never',
    });
    expect(node.status(ifNot)!.containerStatuses![0]!.state?.waiting?.reason).toBe('ErrImagePull');
    expect(node.status(ifNot)!.phase).toBe('Pending');
    expect(node.reasons('spec.containers{x}')).toEqual(['ErrImageNeverPull']);
    node.workers.trigger(ifNot.metadata.uid!);
    await node.settle();
    expect(node.status(ifNot)!.containerStatuses![0]!.state?.waiting).toEqual({
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image "nope:2"',
    });
    // The image check is retried when the back-off ends.
    const checks = () => node.runtime.calls.filter((c) => c.op === 'createContainer').length;
    const before = checks();
    await node.advance(10_500);
    expect(checks()).toBe(before + 2);
  });

  it('kills a container whose liveness probe fails and starts a new one', async () => {
    let failures = 0;
    const node = fakeNode({
      probe: () =>
        failures-- > 0
          ? { ok: false, output: 'HTTP probe failed with statuscode: 500' }
          : { ok: true, output: '' },
    });
    const live = { httpGet: { port: 80, path: '/healthz' }, periodSeconds: 1, failureThreshold: 2 };
    const pod = testPod('live', { containers: [testContainer('web', { livenessProbe: live })] }, node.clock);
    node.workers.update(pod);
    await node.settle();
    await node.advance(3000);
    expect(node.status(pod)!.containerStatuses![0]!.restartCount).toBe(0);
    failures = 2;
    await node.advance(1000);
    expect(node.status(pod)!.containerStatuses![0]!.restartCount).toBe(0);
    await node.advance(1000);
    const web = node.status(pod)!.containerStatuses![0]!;
    expect(web.restartCount).toBe(1);
    expect(web.state?.running).toBeDefined();
    const killing = node.events.find((e) => e.reason === 'Killing');
    expect(killing?.message).toBe('Container web failed liveness probe, will be restarted');
    expect(node.events.filter((e) => e.reason === 'Unhealthy')).toHaveLength(2);
  });

  it('keeps a container not Ready until its readiness probe succeeds', async () => {
    let ready = false;
    const node = fakeNode({ probe: () => ({ ok: ready, output: ready ? '' : 'not yet' }) });
    const probe = { tcpSocket: { port: 80 }, periodSeconds: 2, initialDelaySeconds: 1 };
    const pod = testPod('r', { containers: [testContainer('web', { readinessProbe: probe })] }, node.clock);
    node.workers.update(pod);
    await node.settle();
    expect(node.status(pod)!.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [web]',
    });
    expect(node.probes).toHaveLength(0); // initialDelaySeconds
    await node.advance(1000);
    expect(node.probes).toHaveLength(1);
    ready = true;
    await node.advance(2000);
    expect(node.status(pod)!.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status(pod)!.containerStatuses![0]!.ready).toBe(true);
  });

  it('terminates gracefully: preStop, stop with the grace period, remove, then the final delete', async () => {
    const node = fakeNode();
    const pod = testPod(
      'bye',
      {
        terminationGracePeriodSeconds: 7,
        containers: [
          testContainer('a', { lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 1'] } } } }),
        ],
      },
      node.clock,
    );
    node.workers.update(pod);
    await node.settle();
    node.runtime.calls.length = 0;
    node.workers.update({
      ...pod,
      metadata: { ...pod.metadata, deletionTimestamp: '2030-01-01T00:00:00Z', deletionGracePeriodSeconds: 5 },
    });
    await node.settle();
    const ops = node.runtime.calls.map((c) => c.op).filter((op) => !op.startsWith('list'));
    expect(ops).toEqual(['execSync', 'stopContainer', 'removePodSandbox']);
    const stop = node.runtime.calls.find((c) => c.op === 'stopContainer')!;
    expect(stop.args[1]).toBe(5000);
    expect(node.deleted.map((p) => p.metadata.uid)).toEqual([pod.metadata.uid]);
    expect(await node.runtime.listContainers()).toHaveLength(0);
    expect(node.workers.has(pod.metadata.uid!)).toBe(false);
    // A late watch event for the terminated uid does not bring it back.
    node.workers.update(pod);
    await node.settle();
    expect(await node.runtime.listPodSandboxes()).toHaveLength(0);
  });

  it('removes a pod deleted from the API without deleting it again', async () => {
    const node = fakeNode();
    const pod = testPod('gone', {}, node.clock);
    node.workers.update(pod);
    await node.settle();
    node.workers.delete(pod);
    await node.settle();
    expect(await node.runtime.listContainers()).toHaveLength(0);
    expect(node.deleted).toHaveLength(0);
  });

  it('recreates a dead sandbox and restarts its containers (SandboxChanged)', async () => {
    const node = fakeNode();
    const pod = testPod('sb', {}, node.clock);
    node.workers.update(pod);
    await node.settle();
    const [sandbox] = await node.runtime.listPodSandboxes();
    node.runtime.exit(sandbox!.id, { exitCode: 137 });
    node.workers.trigger(pod.metadata.uid!);
    await node.settle();
    expect(node.reasons()).toContain('SandboxChanged');
    const sandboxes = await node.runtime.listPodSandboxes({ state: 'ready' });
    expect(sandboxes).toHaveLength(1);
    expect(sandboxes[0]!.attempt).toBe(1);
    const main = node.status(pod)!.containerStatuses![0]!;
    expect(main.restartCount).toBe(1);
    expect(main.state?.running).toBeDefined();
  });

  it('runs init containers one by one before the regular ones', async () => {
    const node = fakeNode({
      runtime: { onStart: (c) => (c.name.startsWith('init') ? { exitCode: 0 } : undefined) },
    });
    const pod = testPod(
      'init',
      {
        initContainers: [testContainer('init-1'), testContainer('init-2')],
        containers: [testContainer('app')],
      },
      node.clock,
    );
    node.workers.update(pod);
    await node.settle();
    const started = node.runtime.calls
      .filter((c) => c.op === 'createContainer')
      .map((c) => (c.args[1] as { name: string }).name);
    expect(started).toEqual(['init-1', 'init-2', 'app']);
    const status = node.status(pod)!;
    expect(status.phase).toBe('Running');
    expect(status.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
    expect(status.initContainerStatuses?.map((s) => s.state?.terminated?.reason)).toEqual([
      'Completed',
      'Completed',
    ]);
  });
});
