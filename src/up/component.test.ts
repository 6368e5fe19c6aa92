import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ComponentEvent, type ComponentProcess, createComponentProcess } from './component.js';

const dirs: string[] = [];
const procs: ComponentProcess[] = [];

afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.kill()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A component whose program is `node -e script`. */
function component(script: string, events: ComponentEvent[], overrides: { stableRunMs?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kubelite-up-component-'));
  dirs.push(dir);
  const logFile = join(dir, 'logs', 'thing.log');
  const proc = createComponentProcess({
    spec: { name: 'thing', kind: 'scheduler', args: [], stage: 1 },
    command: process.execPath,
    commandArgs: ['-e', script],
    logFile,
    env: { PATH: process.env.PATH },
    onEvent: (e) => events.push(e),
    restartBackoff: { initialMs: 20, maxMs: 40, jitter: 0 },
    ...overrides,
  });
  procs.push(proc);
  return { proc, logFile };
}

function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  return new Promise((done, fail) => {
    const deadline = Date.now() + timeoutMs;
    const tick = () => {
      if (check()) done();
      else if (Date.now() > deadline) fail(new Error('condition not met in time'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

describe('component process', () => {
  it('restarts a component that exits, with back-off, and reports its last words', async () => {
    const events: ComponentEvent[] = [];
    const { proc, logFile } = component(
      'process.stderr.write("kubelite: Error: listen EADDRINUSE 127.0.0.1:8080\\n    at x\\n"); process.exit(3)',
      events,
    );
    proc.start();
    await until(() => events.filter((e) => e.type === 'started').length >= 3);
    const exited = events.find((e) => e.type === 'exited');
    expect(exited).toMatchObject({
      code: 3,
      signal: null,
      lastError: 'Error: listen EADDRINUSE 127.0.0.1:8080',
    });
    const delays = events.flatMap((e) => (e.type === 'restarting' ? [e.delayMs] : []));
    expect(delays.slice(0, 2)).toEqual([20, 40]);
    expect(proc.restarts).toBeGreaterThanOrEqual(2);
    // Output and the supervisor's own start lines land in the component's log.
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('EADDRINUSE');
    expect(log).toContain('"msg":"started by kubelite up"');
  });

  it('stops with SIGTERM and does not restart', async () => {
    const events: ComponentEvent[] = [];
    const { proc } = component('setInterval(() => {}, 1000)', events);
    proc.start();
    await until(() => proc.pid !== undefined);
    await proc.stop(5000);
    expect(proc.running).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'stopped', killed: false });
    expect(events.some((e) => e.type === 'exited' || e.type === 'restarting')).toBe(false);
  });

  it('kills with SIGKILL a component that ignores SIGTERM past the timeout', async () => {
    const events: ComponentEvent[] = [];
    const { proc, logFile } = component(
      'process.on("SIGTERM", () => {}); console.log("armed"); setInterval(() => {}, 1000)',
      events,
    );
    proc.start();
    await until(() => /^armed$/m.test(readFileSync(logFile, 'utf8')));
    const pid = proc.pid!;
    await proc.stop(200);
    expect(events.at(-1)).toMatchObject({ type: 'stopped', killed: true, pid });
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('gives the child the supervisor pipe as fd 3', async () => {
    const events: ComponentEvent[] = [];
    const { proc, logFile } = component(
      [
        'const net = require("node:net");',
        'const s = new net.Socket({ fd: Number(process.env.KUBELITE_SUPERVISOR_FD), readable: true, writable: false });',
        's.on("data", () => {});',
        'console.log("fd", process.env.KUBELITE_SUPERVISOR_FD);',
      ].join('\n'),
      events,
    );
    proc.start();
    await until(() => readFileSync(logFile, 'utf8').includes('fd 3'));
    expect(proc.running).toBe(true);
  });

  it('stops a component frozen with SIGSTOP cleanly (SIGCONT after SIGTERM)', async () => {
    const events: ComponentEvent[] = [];
    const { proc, logFile } = component(
      'process.on("SIGTERM", () => process.exit(0)); console.log("armed"); setInterval(() => {}, 1000)',
      events,
    );
    proc.start();
    await until(() => /^armed$/m.test(readFileSync(logFile, 'utf8')));
    process.kill(proc.pid!, 'SIGSTOP');
    await proc.stop(5000);
    expect(events.at(-1)).toMatchObject({ type: 'stopped', killed: false });
  });
});
