import { describe, expect, it } from 'vitest';
import { createTerminalReporter, describeComponentEvent, describeNode, wantsColor } from './status.js';

describe('status lines', () => {
  it('says what happened to a component in one line', () => {
    expect(
      describeComponentEvent({ type: 'started', name: 'apiserver', pid: 42, restarts: 0, argv: [] }),
    ).toEqual(['ok', `${'apiserver'.padEnd(20)} up     pid 42`]);
    const [tone, text] = describeComponentEvent({
      type: 'exited',
      name: 'kubelet-node-1',
      pid: 7,
      code: 1,
      signal: null,
      ranMs: 1500,
      lastError: 'boom',
    });
    expect(tone).toBe('bad');
    expect(text).toMatch(/kubelet-node-1 +down +pid 7 exited \(code 1\) after 1\.5s: boom/);
    expect(describeNode({ name: 'node-2', ready: 'False', reason: 'KubeletNotReady' })[1]).toMatch(
      /node node-2 +NotReady \(KubeletNotReady\)/,
    );
  });

  it('colours only when asked', () => {
    const out: string[] = [];
    const at = () => new Date(2024, 0, 1, 12, 34, 56);
    createTerminalReporter({ write: (t) => out.push(t), color: false, now: at }).node({
      name: 'n',
      ready: 'True',
    });
    createTerminalReporter({ write: (t) => out.push(t), color: true, now: at }).node({
      name: 'n',
      ready: 'True',
    });
    expect(out[0]).toBe(`12:34:56 ✓ ${'node n'.padEnd(20)} Ready\n`);
    expect(out[1]).toContain('\x1b[32m✓\x1b[0m');
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
  });
});
