import { describe, expect, it } from 'vitest';
import { decideRuntime, pauseImage } from './runtime-choice.js';

const sock = '/var/run/docker.sock';
const dockerOk = { answers: true, hasPauseImage: true };
const noImage = { answers: true, hasPauseImage: false };
const noDocker = { answers: false, hasPauseImage: false, error: 'ENOENT' };

describe('decideRuntime', () => {
  it('auto: docker when the daemon answers and has the pause image, and says why', () => {
    expect(decideRuntime('auto', dockerOk, sock)).toEqual({
      ok: true,
      kind: 'docker',
      reason: `a Docker daemon answers at ${sock}`,
    });
  });

  it('auto: process without a daemon or without the pause image, saying which', () => {
    const without = decideRuntime('auto', noDocker, sock);
    expect(without).toMatchObject({ ok: true, kind: 'process' });
    expect(without.ok && without.reason).toContain('no Docker daemon answers');
    const missing = decideRuntime('auto', noImage, sock);
    expect(missing).toMatchObject({ ok: true, kind: 'process' });
    expect(missing.ok && missing.reason).toContain(pauseImage);
  });

  it('auto keeps the runtime the cluster last ran with', () => {
    expect(decideRuntime('auto', dockerOk, sock, 'process')).toMatchObject({ kind: 'process' });
    expect(decideRuntime('auto', dockerOk, sock, 'docker')).toMatchObject({ kind: 'docker' });
  });

  it('explicit docker fails with the reason when it cannot run pods', () => {
    expect(decideRuntime('docker', noDocker, sock)).toMatchObject({
      ok: false,
      error: expect.stringContaining('ENOENT'),
    });
    expect(decideRuntime('docker', noImage, sock)).toMatchObject({
      ok: false,
      error: expect.stringContaining('scripts/build-images.sh'),
    });
    expect(decideRuntime('fake', noDocker, sock)).toMatchObject({ ok: true, kind: 'fake' });
  });
});
