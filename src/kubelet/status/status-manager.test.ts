import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.js';
import type { Pod, PodStatus } from '../../api/types.js';
import { FakeClock } from '../../util/clock.js';
import { silentLogger } from '../../util/log.js';
import { type StatusApi, StatusManager, sameStatus, statusPatch } from './status-manager.js';

function pod(rv: number, status: PodStatus = { phase: 'Pending' }, uid = 'u1'): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', uid, resourceVersion: String(rv) },
    spec: { containers: [] },
    status,
  };
}

/** A server holding one pod: merge-patches status with a resourceVersion precondition. */
function fakeServer() {
  let stored = pod(1);
  const patches: Array<{ rv: string; status: Record<string, unknown> }> = [];
  let failNext: Error | undefined;
  let gate: Promise<void> | undefined;
  const api: StatusApi = {
    async patchStatus(_p, patch, rv) {
      patches.push({ rv, status: patch });
      if (gate) await gate;
      if (failNext) {
        const e = failNext;
        failNext = undefined;
        throw e;
      }
      if (rv !== stored.metadata.resourceVersion)
        throw new ApiError('Conflict', 'the object has been modified');
      const status = { ...stored.status } as Record<string, unknown>;
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete status[k];
        else status[k] = v;
      }
      stored = pod(Number(rv) + 1, status as PodStatus, stored.metadata.uid);
      return stored;
    },
    async getPod() {
      return stored;
    },
  };
  return {
    api,
    patches,
    get stored() {
      return stored;
    },
    set stored(p: Pod) {
      stored = p;
    },
    failNext: (e: Error) => {
      failNext = e;
    },
    hold() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

describe('status manager', () => {
  it('writes only what changed, and nothing when the server already has it', async () => {
    const server = fakeServer();
    const m = new StatusManager({ api: server.api, clock: new FakeClock(), logger: silentLogger });
    m.set(server.stored, { phase: 'Pending' });
    await m.flush();
    expect(server.patches).toHaveLength(0);
    m.set(server.stored, { phase: 'Running', podIP: '10.0.0.1' });
    await m.flush();
    expect(server.patches).toEqual([{ rv: '1', status: { phase: 'Running', podIP: '10.0.0.1' } }]);
    m.set(server.stored, { phase: 'Running', podIP: '10.0.0.1' });
    await m.flush();
    expect(server.patches).toHaveLength(1);
    expect(m.status('u1')).toEqual({ phase: 'Running', podIP: '10.0.0.1' });
  });

  it('folds a burst of statuses into one follow-up write of the newest', async () => {
    const server = fakeServer();
    const m = new StatusManager({ api: server.api, clock: new FakeClock(), logger: silentLogger });
    const release = server.hold();
    m.set(server.stored, { phase: 'Running', message: '1' });
    for (let i = 2; i <= 10; i++) m.set(server.stored, { phase: 'Running', message: String(i) });
    release();
    await m.flush();
    expect(server.patches.map((p) => p.status.message)).toEqual(['1', '10']);
    expect(server.stored.status?.message).toBe('10');
  });

  it('re-reads and retries on a conflict; drops a pod whose uid changed', async () => {
    const server = fakeServer();
    const m = new StatusManager({ api: server.api, clock: new FakeClock(), logger: silentLogger });
    const seen = server.stored;
    server.stored = pod(5, { phase: 'Pending' }); // someone else changed the pod
    m.set(seen, { phase: 'Running' });
    await m.flush();
    expect(server.patches.map((p) => p.rv)).toEqual(['1', '5']);
    expect(server.stored.status?.phase).toBe('Running');

    server.stored = pod(9, { phase: 'Pending' }, 'u2'); // same name, another pod
    m.set(pod(6, { phase: 'Running' }), { phase: 'Failed' });
    await m.flush();
    expect(server.stored.status?.phase).toBe('Pending');
    expect(m.status('u1')).toBeUndefined();
  });

  it('retries a failed write with back-off on the clock', async () => {
    const server = fakeServer();
    const clock = new FakeClock();
    const m = new StatusManager({ api: server.api, clock, logger: silentLogger, retryDelayMs: 500 });
    server.failNext(new Error('connection reset'));
    m.set(server.stored, { phase: 'Running' });
    await m.flush();
    expect(server.stored.status?.phase).toBe('Pending');
    clock.advance(500);
    await m.flush();
    expect(server.stored.status?.phase).toBe('Running');
  });

  it('rewrites a status someone else changed on the server', async () => {
    const server = fakeServer();
    const m = new StatusManager({ api: server.api, clock: new FakeClock(), logger: silentLogger });
    m.set(server.stored, { phase: 'Running' });
    await m.flush();
    server.stored = pod(10, { phase: 'Unknown' });
    m.observe(server.stored);
    await m.flush();
    expect(server.stored.status?.phase).toBe('Running');
  });

  it('compares ignoring nulls and patches removed fields with null', () => {
    expect(sameStatus({ phase: 'Running', reason: undefined }, { phase: 'Running' })).toBe(true);
    expect(sameStatus({ phase: 'Running' }, { phase: 'Running', qosClass: 'BestEffort' })).toBe(true);
    expect(sameStatus({ phase: 'Running' }, { phase: 'Pending' })).toBe(false);
    expect(
      statusPatch({ phase: 'Running' }, { phase: 'Pending', message: 'x', qosClass: 'BestEffort' }),
    ).toEqual({
      phase: 'Running',
      message: null,
    });
  });
});
