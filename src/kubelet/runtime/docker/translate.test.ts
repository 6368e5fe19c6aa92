import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { containerStatusFrom, dockerTime, ordered } from './translate.js';

function inspected(state: Partial<Dockerode.ContainerInspectInfo['State']>, created: string) {
  return {
    Id: 'c1',
    Created: created,
    Image: 'sha256:x',
    Config: { Image: 'kubelite/busybox', Labels: {} },
    State: { Status: 'exited', ExitCode: 0, OOMKilled: false, Error: '', Pid: 0, ...state },
  } as unknown as Dockerode.ContainerInspectInfo;
}

describe('docker container status', () => {
  it('keeps created ≤ started ≤ finished when Docker stamps an instant exit out of order', () => {
    const status = containerStatusFrom(
      inspected(
        { StartedAt: '2026-11-25T07:00:00.003Z', FinishedAt: '2026-11-25T07:00:00.001Z' },
        '2026-11-25T07:00:00.000Z',
      ),
    );
    expect(status.startedAt).toBe(Date.parse('2026-11-25T07:00:00.003Z'));
    expect(status.finishedAt).toBe(status.startedAt);
    expect(status.createdAt).toBeLessThanOrEqual(status.startedAt);
  });

  it('leaves unset times unset (Docker zero time)', () => {
    const status = containerStatusFrom(
      inspected(
        { Status: 'created', StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z' },
        '2026-11-25T07:00:00.000Z',
      ),
    );
    expect(status.startedAt).toBe(0);
    expect(status.finishedAt).toBe(0);
    expect(dockerTime('0001-01-01T00:00:00Z')).toBe(0);
    expect(ordered(5, 0)).toBe(0);
    expect(ordered(0, 3)).toBe(3);
    expect(ordered(5, 7)).toBe(7);
  });
});
