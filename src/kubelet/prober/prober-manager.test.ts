import { describe, expect, it } from 'vitest';
import type { Pod, Probe } from '../../api/types.js';
import { FakeClock } from '../../util/clock.js';
import { silentLogger } from '../../util/log.js';
import type { ContainerStatus } from '../runtime/types.js';
import { ProberManager } from './prober-manager.js';

function running(id: string, startedAt: number): ContainerStatus {
  return {
    id,
    sandboxId: 's',
    podUid: 'u',
    name: 'web',
    attempt: 0,
    state: 'running',
    createdAt: startedAt,
    startedAt,
    finishedAt: 0,
    image: 'i',
    imageRef: 'i',
    pid: 1,
    labels: {},
    annotations: {},
  };
}

function setup(probes: { liveness?: Probe; readiness?: Probe; startup?: Probe }, answer: () => boolean) {
  const clock = new FakeClock();
  const changes: string[] = [];
  const failures: string[] = [];
  const runs: Array<{ at: number; port: unknown }> = [];
  const m = new ProberManager({
    clock,
    logger: silentLogger,
    run: async (probe) => {
      runs.push({ at: clock.now(), port: probe.tcpSocket?.port });
      return { ok: answer(), output: 'nope' };
    },
    onChange: (uid) => changes.push(uid),
    onFailure: (_p, _c, type, output) => failures.push(`${type}: ${output}`),
  });
  const pod: Pod = {
    metadata: { uid: 'u', name: 'p', namespace: 'd' },
    spec: {
      containers: [
        {
          name: 'web',
          livenessProbe: probes.liveness,
          readinessProbe: probes.readiness,
          startupProbe: probes.startup,
        },
      ],
    },
  };
  const tick = async (ms: number) => {
    for (let i = 0; i < ms; i += 100) {
      clock.advance(100);
      await new Promise((r) => setImmediate(r));
    }
  };
  return { clock, m, pod, changes, failures, runs, tick };
}

describe('prober manager', () => {
  it('waits initialDelaySeconds, then needs successThreshold successes for readiness', async () => {
    const t = setup(
      {
        readiness: { tcpSocket: { port: 80 }, initialDelaySeconds: 2, periodSeconds: 1, successThreshold: 2 },
      },
      () => true,
    );
    const c = running('c1', t.clock.now());
    t.m.update(t.pod, '10.0.0.1', new Map([['web', c]]));
    expect(t.m.ready(c)).toBe(false);
    await t.tick(1900);
    expect(t.runs).toHaveLength(0);
    await t.tick(200);
    expect(t.runs).toHaveLength(1);
    expect(t.m.ready(c)).toBe(false);
    await t.tick(1000);
    expect(t.m.ready(c)).toBe(true);
    expect(t.changes).toEqual(['u']);
  });

  it('reports liveness failure after failureThreshold and stops probing that instance', async () => {
    let ok = true;
    const t = setup(
      { liveness: { tcpSocket: { port: 80 }, periodSeconds: 1, failureThreshold: 3 } },
      () => ok,
    );
    const c1 = running('c1', t.clock.now());
    t.m.update(t.pod, '10.0.0.1', new Map([['web', c1]]));
    await t.tick(1500);
    expect(t.m.failed(c1, 'liveness')).toBe(false);
    ok = false;
    await t.tick(2500);
    expect(t.m.failed(c1, 'liveness')).toBe(false);
    await t.tick(1000);
    expect(t.m.failed(c1, 'liveness')).toBe(true);
    expect(t.failures).toHaveLength(3);
    const runs = t.runs.length;
    await t.tick(5000);
    expect(t.runs).toHaveLength(runs);
    // A new instance starts over.
    ok = true;
    const c2 = running('c2', t.clock.now());
    t.m.update(t.pod, '10.0.0.1', new Map([['web', c2]]));
    expect(t.m.failed(c2, 'liveness')).toBe(false);
    await t.tick(200);
    expect(t.runs.length).toBe(runs + 1);
  });

  it('holds liveness and readiness until the startup probe succeeds', async () => {
    let started = false;
    const t = setup(
      {
        startup: { tcpSocket: { port: 1 }, periodSeconds: 1, failureThreshold: 30 },
        liveness: { tcpSocket: { port: 2 }, periodSeconds: 10 },
        readiness: { tcpSocket: { port: 3 }, periodSeconds: 10 },
      },
      () => started,
    );
    const c = running('c1', t.clock.now());
    t.m.update(t.pod, '10.0.0.1', new Map([['web', c]]));
    await t.tick(3500);
    expect(new Set(t.runs.map((r) => r.port))).toEqual(new Set([1]));
    expect(t.m.started(c)).toBe(false);
    started = true;
    await t.tick(1000);
    expect(t.m.started(c)).toBe(true);
    await t.tick(200);
    expect(new Set(t.runs.map((r) => r.port))).toEqual(new Set([1, 2, 3]));
    expect(t.m.ready(c)).toBe(true);
  });

  it('keeps the reported readiness of a container adopted after a kubelet restart', async () => {
    const t = setup({ readiness: { tcpSocket: { port: 80 }, periodSeconds: 10 } }, () => true);
    const c = running('c1', t.clock.now() - 60_000);
    const reported = {
      containerStatuses: [
        { name: 'web', ready: true, restartCount: 0, image: 'i', imageID: '', containerID: 'docker://c1' },
      ],
    };
    t.m.update(t.pod, '10.0.0.1', new Map([['web', c]]), reported);
    expect(t.m.ready(c)).toBe(true);
    // Another instance than the reported one starts not ready.
    const other = running('c2', t.clock.now());
    t.m.update(t.pod, '10.0.0.1', new Map([['web', other]]), reported);
    expect(t.m.ready(other)).toBe(false);
  });

  it('stops every worker of a removed pod', async () => {
    const t = setup({ readiness: { tcpSocket: { port: 80 }, periodSeconds: 1 } }, () => true);
    t.m.update(t.pod, '10.0.0.1', new Map([['web', running('c1', t.clock.now())]]));
    expect(t.m.workerCount).toBe(1);
    t.m.remove('u');
    expect(t.m.workerCount).toBe(0);
    expect(t.clock.pendingTimers()).toBe(0);
  });
});
