import { describe, expect, it } from 'vitest';
import type { Pod, PodStatus } from '../../api/types.js';
import { podStateOf } from '../pod/pod-state.js';
import type { ContainerStatus, PodSandboxStatus } from '../runtime/types.js';
import { computePodStatus, podPhase, type StatusInputs } from './pod-status.js';

const t0 = Date.parse('2030-01-01T00:00:00Z');

function pod(restartPolicy: 'Always' | 'OnFailure' | 'Never' = 'Always', names = ['b', 'a']): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'u' },
    spec: { restartPolicy, containers: names.map((name) => ({ name, image: `img-${name}` })) },
  };
}

const sandbox: PodSandboxStatus = {
  id: 's1',
  podUid: 'u',
  namespace: 'default',
  name: 'p',
  attempt: 0,
  state: 'ready',
  ip: '10.0.0.5',
  createdAt: t0,
  labels: {},
  annotations: {},
  portMappings: [],
};

function container(name: string, extra: Partial<ContainerStatus>): ContainerStatus {
  return {
    id: `${name}-${extra.attempt ?? 0}`,
    sandboxId: 's1',
    podUid: 'u',
    name,
    attempt: 0,
    state: 'running',
    createdAt: t0,
    startedAt: t0 + 1000,
    finishedAt: 0,
    image: `img-${name}`,
    imageRef: 'sha256:abc',
    pid: 1,
    labels: {},
    annotations: {},
    ...extra,
  };
}

function inputs(p: Pod, containers: ContainerStatus[], extra: Partial<StatusInputs> = {}): StatusInputs {
  return {
    pod: p,
    state: podStateOf('u', [sandbox], containers),
    waiting: new Map(),
    ready: () => true,
    started: () => true,
    hostIP: '127.0.0.1',
    runtimeKind: 'docker',
    now: t0 + 5000,
    ...extra,
  };
}

describe('pod status', () => {
  it('reports running containers sorted by name with docker:// ids and Ready conditions', () => {
    const s = computePodStatus(inputs(pod(), [container('a', {}), container('b', {})]));
    expect(s.phase).toBe('Running');
    expect(s.containerStatuses!.map((c) => c.name)).toEqual(['a', 'b']);
    expect(s.containerStatuses![0]).toEqual({
      name: 'a',
      state: { running: { startedAt: '2030-01-01T00:00:01Z' } },
      lastState: {},
      ready: true,
      restartCount: 0,
      image: 'img-a',
      imageID: 'docker://sha256:abc',
      containerID: 'docker://a-0',
      started: true,
    });
    expect(s.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual([
      'Initialized=True',
      'Ready=True',
      'ContainersReady=True',
      'PodScheduled=True',
    ]);
    expect(s.podIP).toBe('10.0.0.5');
    expect(s.podIPs).toEqual([{ ip: '10.0.0.5' }]);
    expect(s.hostIPs).toEqual([{ ip: '127.0.0.1' }]);
  });

  it('keeps transition times and startTime when nothing changed, moves them when a condition flips', () => {
    const first = computePodStatus(
      inputs(pod(), [container('a', {}), container('b', {})], { ready: () => false }),
    );
    const again = computePodStatus(
      inputs(pod(), [container('a', {}), container('b', {})], {
        ready: () => false,
        previous: first,
        now: t0 + 60_000,
      }),
    );
    expect(again).toEqual(first);
    const flipped = computePodStatus(
      inputs(pod(), [container('a', {}), container('b', {})], { previous: first, now: t0 + 60_000 }),
    );
    const ready = flipped.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready.lastTransitionTime).toBe('2030-01-01T00:01:00Z');
    expect(flipped.startTime).toBe(first.startTime);
    expect(flipped.conditions!.find((c) => c.type === 'Initialized')!.lastTransitionTime).toBe(
      first.conditions!.find((c) => c.type === 'Initialized')!.lastTransitionTime,
    );
  });

  it('shows a crash-looping container as waiting with its last termination', () => {
    const dead = container('a', {
      attempt: 2,
      state: 'exited',
      exitCode: 1,
      reason: 'Error',
      finishedAt: t0 + 2000,
    });
    const older = container('a', {
      attempt: 1,
      state: 'exited',
      exitCode: 1,
      reason: 'Error',
      finishedAt: t0 + 500,
    });
    const s = computePodStatus(
      inputs(pod('Always', ['a']), [dead, older], {
        waiting: new Map([['a', { reason: 'CrashLoopBackOff', message: 'back-off 20s …' }]]),
      }),
    );
    const a = s.containerStatuses![0]!;
    expect(a.state).toEqual({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s …' } });
    expect(a.lastState?.terminated).toMatchObject({ exitCode: 1, containerID: 'docker://a-2' });
    expect(a.restartCount).toBe(2);
    expect(a.ready).toBe(false);
    expect(s.phase).toBe('Running');
    expect(s.conditions!.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [a]',
    });
  });

  it('keeps conditions other components own and the pod IP of a stopped sandbox', () => {
    const previous: PodStatus = {
      podIP: '10.0.0.5',
      conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'x' }],
    };
    const stopped = { ...sandbox, state: 'notready' as const, ip: '' };
    const s = computePodStatus({
      ...inputs(pod('Never', ['a']), [container('a', { state: 'exited', exitCode: 0, reason: 'Completed' })]),
      state: podStateOf(
        'u',
        [stopped],
        [container('a', { state: 'exited', exitCode: 0, reason: 'Completed' })],
      ),
      previous,
    });
    expect(s.phase).toBe('Succeeded');
    expect(s.podIP).toBe('10.0.0.5');
    expect(s.conditions!.some((c) => c.type === 'DisruptionTarget')).toBe(true);
  });

  it('follows Kubernetes phase rules', () => {
    const running = {
      name: 'x',
      ready: true,
      restartCount: 0,
      image: '',
      imageID: '',
      state: { running: {} },
    };
    const ok = { ...running, state: { terminated: { exitCode: 0 } } };
    const bad = { ...running, state: { terminated: { exitCode: 1 } } };
    const waitingFresh = { ...running, state: { waiting: { reason: 'ContainerCreating' } } };
    const waitingRestart = {
      ...running,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: bad.state,
    };
    expect(podPhase(pod('Always'), [], [running, waitingFresh])).toBe('Pending');
    expect(podPhase(pod('Always'), [], [running, ok])).toBe('Running');
    expect(podPhase(pod('Always'), [], [ok, bad])).toBe('Running');
    expect(podPhase(pod('OnFailure'), [], [ok, ok])).toBe('Succeeded');
    expect(podPhase(pod('OnFailure'), [], [ok, waitingRestart])).toBe('Running');
    expect(podPhase(pod('Never'), [], [ok, bad])).toBe('Failed');
    expect(podPhase(pod('Never'), [bad], [waitingFresh])).toBe('Failed');
    expect(podPhase(pod('Always'), [waitingRestart], [waitingFresh])).toBe('Pending');
  });
});
