import { describe, expect, it } from 'vitest';
import { slowStartBatch } from './slow-start.js';

describe('slowStartBatch', () => {
  it('runs batches of 1, 2, 4, … with each batch concurrent', async () => {
    const batches: number[] = [];
    let inFlight = 0;
    let current = 0;
    const result = await slowStartBatch(10, 1, async () => {
      inFlight++;
      current = Math.max(current, inFlight);
      await Promise.resolve();
      if (inFlight === current) batches.push(inFlight);
      inFlight--;
      if (inFlight === 0) current = 0;
    });
    expect(result).toEqual({ successes: 10 });
    expect(batches).toEqual([1, 2, 4, 3]);
  });

  it('stops after the first batch with a failure', async () => {
    let calls = 0;
    const result = await slowStartBatch(20, 1, async () => {
      calls++;
      if (calls > 4) throw new Error(`boom ${calls}`);
    });
    // 1 + 2 succeed; of the batch of 4, the first succeeds and three fail; nothing after.
    expect(calls).toBe(7);
    expect(result.successes).toBe(4);
    expect(String(result.error)).toBe('Error: boom 5');
  });

  it('does nothing for zero', async () => {
    expect(await slowStartBatch(0, 1, async () => {})).toEqual({ successes: 0 });
  });
});
