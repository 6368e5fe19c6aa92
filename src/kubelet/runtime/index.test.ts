import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime, defaultRuntimeKind, isRuntimeError, type RuntimeKind } from './index.js';

describe('createRuntime', () => {
  it('builds the fake and process runtimes from common options', async () => {
    const fake = await createRuntime({ kind: 'fake', nodeName: 'n1', podCidr: '10.9.0.0/24', images: ['a'] });
    expect(fake.kind).toBe('fake');
    expect(await fake.podNetwork()).toEqual({ cidr: '10.9.0.0/24', gatewayIp: '10.9.0.1' });
    expect((await fake.imageStatus('b')).present).toBe(false);
    await fake.close();

    const stateDir = mkdtempSync(join(tmpdir(), 'kubelite-runtime-index-'));
    try {
      const proc = await createRuntime({
        kind: 'process',
        nodeName: 'n1',
        stateDir,
        podCidr: '127.77.0.0/24',
      });
      expect(proc.kind).toBe('process');
      expect(proc.nodeName).toBe('n1');
      expect((await proc.podNetwork()).cidr).toBe('127.77.0.0/24');
      await proc.close();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('picks docker only where a socket exists, and refuses unknown kinds', async () => {
    expect(defaultRuntimeKind('/no/such/docker.sock')).toBe('process');
    const err = await createRuntime({ kind: 'rkt' as RuntimeKind, nodeName: 'n1' }).catch((e) => e);
    expect(isRuntimeError(err, 'InvalidConfig')).toBe(true);
  });
});
