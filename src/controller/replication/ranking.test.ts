import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types.js';
import { makePod } from '../testing/objects.js';
import { podDeletionCostAnnotation, podsToDelete } from './ranking.js';

const t0 = 1_700_000_000_000;
const names = (pods: Pod[]) => pods.map((p) => p.metadata.name);

describe('podsToDelete (ActivePods order)', () => {
  it('prefers unscheduled < pending < not ready < ready', () => {
    const pods = [
      makePod('ready', { nodeName: 'a', ready: true }),
      makePod('not-ready', { nodeName: 'b', ready: false }),
      makePod('pending', { nodeName: 'c', phase: 'Pending' }),
      makePod('unknown', { nodeName: 'e', phase: 'Unknown' }),
      makePod('unscheduled', {}),
    ];
    expect(names(podsToDelete(pods, pods, 5))).toEqual([
      'unscheduled',
      'pending',
      'unknown',
      'not-ready',
      'ready',
    ]);
  });

  it('among ready pods: lower deletion cost, doubled-up node, shorter readiness, more restarts, newer', () => {
    const cost = makePod('cheap', { nodeName: 'x', ready: true, readySinceMs: t0 - 10_000 });
    cost.metadata.annotations = { [podDeletionCostAnnotation]: '-5' };
    const doubled1 = makePod('doubled-1', { nodeName: 'busy', ready: true, readySinceMs: t0 - 50_000 });
    const doubled2 = makePod('doubled-2', { nodeName: 'busy', ready: true, readySinceMs: t0 - 60_000 });
    const recent = makePod('recently-ready', { nodeName: 'p', ready: true, readySinceMs: t0 - 1000 });
    const restarts = makePod('restarts', {
      nodeName: 'q',
      ready: true,
      readySinceMs: t0 - 90_000,
      restarts: 4,
    });
    const newer = makePod('newer', {
      nodeName: 'r',
      ready: true,
      readySinceMs: t0 - 90_000,
      creationTimestampMs: t0 - 100_000,
    });
    const older = makePod('older', {
      nodeName: 's',
      ready: true,
      readySinceMs: t0 - 90_000,
      creationTimestampMs: t0 - 900_000,
    });
    const pods = [older, newer, restarts, recent, doubled2, doubled1, cost];
    expect(names(podsToDelete(pods, pods, 7))).toEqual([
      'cheap',
      'doubled-1',
      'doubled-2',
      'recently-ready',
      'restarts',
      'newer',
      'older',
    ]);
  });

  it('takes only as many as asked, deterministically', () => {
    const pods = [makePod('b', {}), makePod('a', {}), makePod('c', {})];
    expect(names(podsToDelete(pods, pods, 2))).toEqual(['a', 'b']);
    expect(podsToDelete(pods, pods, 0)).toEqual([]);
  });
});
