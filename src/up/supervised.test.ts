import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');

describe('stopWhenSupervisorExits', () => {
  it('sends the component SIGTERM when the supervisor end of the pipe closes, and hides the variable', async () => {
    const script = [
      "const { stopWhenSupervisorExits } = await import('./src/up/supervised.ts');",
      'stopWhenSupervisorExits();',
      "process.on('SIGTERM', () => { console.log('SIGTERM', process.env.KUBELITE_SUPERVISOR_FD ?? 'unset'); process.exit(0); });",
      "console.log('ready');",
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      env: { ...process.env, KUBELITE_SUPERVISOR_FD: '3' },
      stdio: ['ignore', 'pipe', 'inherit', 'pipe'],
    });
    try {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      await new Promise<void>((done, fail) => {
        child.stdout!.on('data', () => out.includes('ready') && done());
        child.once('exit', () => fail(new Error(`child exited early: ${out}`)));
      });
      const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      (child.stdio[3] as Socket).destroy();
      expect(await exit).toBe(0);
      expect(out).toContain('SIGTERM unset');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
