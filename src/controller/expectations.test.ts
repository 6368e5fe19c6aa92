import { describe, expect, it } from 'vitest';
import { FakeClock } from '../util/clock.js';
import { createExpectations } from './expectations.js';

describe('expectations', () => {
  it('blocks until every expected creation is observed', () => {
    const e = createExpectations(new FakeClock());
    expect(e.satisfied('ns/rc')).toBe(true);
    e.expectCreations('ns/rc', 2);
    expect(e.satisfied('ns/rc')).toBe(false);
    e.creationObserved('ns/rc');
    expect(e.satisfied('ns/rc')).toBe(false);
    e.creationObserved('ns/rc');
    e.creationObserved('ns/rc'); // extra observations do not go negative in a way that matters
    expect(e.satisfied('ns/rc')).toBe(true);
  });

  it('tracks deletions by pod key and ignores unrelated ones', () => {
    const e = createExpectations(new FakeClock());
    e.expectDeletions('ns/rc', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rc', 'ns/zzz');
    expect(e.pending('ns/rc')).toEqual({ creations: 0, deletions: 2 });
    e.deletionObserved('ns/rc', 'ns/a');
    e.deletionObserved('ns/rc', 'ns/b');
    expect(e.satisfied('ns/rc')).toBe(true);
  });

  it('expires after the timeout and is forgotten on delete', () => {
    const clock = new FakeClock();
    const e = createExpectations(clock, 1000);
    e.expectCreations('ns/rc', 1);
    clock.advance(1000);
    expect(e.satisfied('ns/rc')).toBe(false);
    clock.advance(1);
    expect(e.satisfied('ns/rc')).toBe(true);
    e.expectCreations('ns/rc', 1);
    e.delete('ns/rc');
    expect(e.pending('ns/rc')).toBeUndefined();
  });
});
