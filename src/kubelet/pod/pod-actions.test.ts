import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types.js';
import type { ContainerStatus, PodSandboxStatus } from '../runtime/types.js';
import { containerHash, labelContainerHash } from './container-config.js';
import { BackoffTracker } from './crash-backoff.js';
import { backoffKey, computePodActions } from './pod-actions.js';
import { podStateOf } from './pod-state.js';

const now = 1_000_000;
const web = { name: 'web', image: 'img:1' };
const pod = (extra: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'd', uid: 'u' },
  spec: { containers: [web], ...extra },
});
const sandbox = (state: 'ready' | 'notready', attempt = 0): PodSandboxStatus => ({
  id: `s${attempt}`,
  podUid: 'u',
  namespace: 'd',
  name: 'p',
  attempt,
  state,
  ip: state === 'ready' ? '10.0.0.1' : '',
  createdAt: attempt,
  labels: {},
  annotations: {},
  portMappings: [],
});
const container = (extra: Partial<ContainerStatus>): ContainerStatus => ({
  id: 'c0',
  sandboxId: 's0',
  podUid: 'u',
  name: 'web',
  attempt: 0,
  state: 'running',
  createdAt: 1,
  startedAt: 1,
  finishedAt: 0,
  image: 'img:1',
  imageRef: '',
  pid: 1,
  labels: { [labelContainerHash]: containerHash(web) },
  annotations: {},
  ...extra,
});
const newBackoff = () => new BackoffTracker({ initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 });
const decide = (
  p: Pod,
  sandboxes: PodSandboxStatus[],
  containers: ContainerStatus[],
  failed = false,
  backoff = newBackoff(),
) =>
  computePodActions({
    pod: p,
    state: podStateOf('u', sandboxes, containers),
    now,
    backoff,
    probeFailed: () => failed,
  });

describe('pod actions', () => {
  it('does nothing for a running, healthy pod', () => {
    const a = decide(pod(), [sandbox('ready')], [container({})]);
    expect(a).toMatchObject({ killPod: false, createSandbox: false, kill: [], start: [], backedOff: [] });
  });

  it('restarts a container whose spec changed (a new image)', () => {
    const a = decide(pod({ containers: [{ ...web, image: 'img:2' }] }), [sandbox('ready')], [container({})]);
    expect(a.kill.map((k) => [k.reason, k.message])).toEqual([
      ['changed', 'Container web definition changed, will be restarted'],
    ]);
    expect(a.start.map((s) => [s.container.image, s.attempt, s.restart])).toEqual([['img:2', 1, true]]);
  });

  it('kills without restarting on a liveness failure when restartPolicy is Never', () => {
    const a = decide(pod({ restartPolicy: 'Never' }), [sandbox('ready')], [container({})], true);
    expect(a.kill.map((k) => k.message)).toEqual(['Container web failed liveness probe']);
    expect(a.start).toEqual([]);
    expect(a.killPod).toBe(true);
  });

  it('replaces a dead sandbox, skipping OnFailure containers that succeeded', () => {
    const done = container({ state: 'exited', exitCode: 0, finishedAt: 5 });
    const a = decide(
      pod({ restartPolicy: 'OnFailure', containers: [web, { name: 'other', image: 'x' }] }),
      [sandbox('notready')],
      [done],
    );
    expect(a).toMatchObject({ createSandbox: true, sandboxAttempt: 1, sandboxChanged: true, killPod: true });
    expect(a.start.map((s) => s.container.name)).toEqual(['other']);
  });

  it('does not bring back a Never pod that already ran', () => {
    const a = decide(
      pod({ restartPolicy: 'Never' }),
      [sandbox('notready')],
      [container({ state: 'exited', exitCode: 1 })],
    );
    expect(a.createSandbox).toBe(false);
    expect(a.start).toEqual([]);
  });

  it('fails the pod when an init container fails under restartPolicy Never', () => {
    const a = decide(
      pod({ restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'x' }] }),
      [sandbox('ready')],
      [container({ name: 'init', state: 'exited', exitCode: 2 })],
    );
    expect(a).toMatchObject({ initFailed: true, killPod: true, start: [] });
  });

  it('holds a container that failed to start (no finish time) in back-off from its creation', () => {
    // Docker reports a start error (e.g. the command does not exist) as exited without a finish time.
    const backoff = newBackoff();
    backoff.next(backoffKey('u', 'web'), now - 3_000); // the restart before this one
    const startError = container({
      state: 'exited',
      reason: 'StartError',
      exitCode: 127,
      attempt: 1,
      createdAt: now - 2_000,
      startedAt: 0,
      finishedAt: 0,
    });
    const a = decide(pod(), [sandbox('ready')], [startError], false, backoff);
    expect(a.start).toEqual([]);
    expect(a.backedOff.map((b) => [b.container.name, b.remainingMs, b.backoffMs])).toEqual([
      ['web', 8_000, 10_000],
    ]);
  });
});
