import { getMaxListeners, setMaxListeners } from 'node:events';
import { setImmediate as turn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reserveAbortListeners } from './abort.js';

const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);

beforeEach(() => {
  process.on('warning', onWarning);
});

afterEach(() => {
  process.off('warning', onWarning);
  warnings.length = 0;
});

/** Adds n abort listeners and reports the MaxListenersExceededWarnings Node emitted for them. */
async function addListeners(signal: AbortSignal, n: number): Promise<string[]> {
  warnings.length = 0;
  for (let i = 0; i < n; i++) signal.addEventListener('abort', () => {});
  await turn();
  return warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message);
}

describe('reserveAbortListeners', () => {
  it('raises the limit by the reserved count and gives it back once', () => {
    const { signal } = new AbortController();
    const a = reserveAbortListeners(signal, 5);
    const b = reserveAbortListeners(signal, 3);
    expect(getMaxListeners(signal)).toBe(18);
    a();
    a();
    expect(getMaxListeners(signal)).toBe(13);
    b();
    expect(getMaxListeners(signal)).toBe(10);
  });

  it('lets the reserved listeners be added without a warning (the limit above them stays)', async () => {
    const { signal } = new AbortController();
    reserveAbortListeners(signal, 5);
    expect(await addListeners(signal, 15)).toEqual([]);
    expect(getMaxListeners(signal)).toBe(15);
  });

  it('leaves an unlimited signal unlimited', async () => {
    const { signal } = new AbortController();
    setMaxListeners(0, signal);
    const release = reserveAbortListeners(signal, 4);
    release();
    // Node 20's getMaxListeners throws for an unlimited signal: warnings tell instead.
    expect(await addListeners(signal, 30)).toEqual([]);
  });
});
