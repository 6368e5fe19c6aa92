import { describe, expect, it } from 'vitest';
import type { Pod, PodStatus } from '../../api/types.js';
import { logContainerId, logOptions } from './container-logs.js';

const pod: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'web' }] } };
const status = (s: NonNullable<PodStatus['containerStatuses']>[number]): PodStatus => ({
  containerStatuses: [s],
});
const base = { name: 'web', ready: false, restartCount: 1, image: 'i', imageID: '' };

describe('container log selection', () => {
  it('picks the running instance, or the previous terminated one', () => {
    const s = status({
      ...base,
      containerID: 'docker://new',
      state: { running: {} },
      lastState: { terminated: { exitCode: 1, containerID: 'docker://old' } },
    });
    expect(logContainerId(pod, s, 'web', false)).toBe('new');
    expect(logContainerId(pod, s, 'web', true)).toBe('old');
  });

  it('while waiting to restart, shows the last terminated instance', () => {
    const s = status({
      ...base,
      containerID: 'docker://dead',
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 1, containerID: 'docker://dead' } },
    });
    expect(logContainerId(pod, s, 'web', false)).toBe('dead');
  });

  it('explains why there is no log yet, in the kubelet words', () => {
    const s = status({ ...base, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} });
    expect(logContainerId(pod, s, 'web', false)).toEqual({
      ok: false,
      code: 400,
      message: 'container "web" in pod "p" is waiting to start: ContainerCreating',
    });
    expect(logContainerId(pod, s, 'web', true)).toEqual({
      ok: false,
      code: 400,
      message: 'previous terminated container "web" in pod "p" not found',
    });
  });

  it('parses the query', () => {
    const now = Date.parse('2030-01-01T00:01:00Z');
    expect(
      logOptions(new URLSearchParams('follow=true&tailLines=5&timestamps=true&limitBytes=10'), now),
    ).toEqual({
      follow: true,
      timestamps: true,
      tailLines: 5,
      limitBytes: 10,
    });
    expect(logOptions(new URLSearchParams('sinceTime=2030-01-01T00:00:30Z'), now)).toMatchObject({
      sinceSeconds: 30,
    });
    expect(logOptions(new URLSearchParams('tailLines=-1'), now)).toBeInstanceOf(Error);
  });
});
