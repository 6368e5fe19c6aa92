import { describe, expect, it } from 'vitest';
import type { Node } from '../api/types.js';
import { useFakeApiServer } from '../client/testing/fixture.js';
import { createNodeWatch, type NodeReadiness, readinessOf, staleHeartbeat } from './node-watch.js';

function node(name: string, ready: 'True' | 'False', reason?: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { conditions: [{ type: 'Ready', status: ready, ...(reason ? { reason } : {}) }] },
  };
}

describe('node watch', () => {
  const fake = useFakeApiServer();

  it('reports readiness changes of its nodes only and resolves once all are Ready', async () => {
    const changes: NodeReadiness[] = [];
    const watch = createNodeWatch({
      client: fake.client,
      names: ['a', 'b'],
      onChange: (r) => changes.push(r),
    });
    const stop = new AbortController();
    const running = watch.run(stop.signal);
    try {
      const allReady = watch.allReady(stop.signal);
      await fake.client.nodes.create(node('a', 'False', 'KubeletNotReady'));
      await fake.client.nodes.create(node('other', 'True'));
      await fake.client.nodes.create(node('b', 'True'));
      const a = await fake.client.nodes.get('a');
      await fake.client.nodes.updateStatus({ ...a, status: node('a', 'True').status });
      expect(await allReady).toBe(true);
      expect(changes).toEqual([
        { name: 'a', ready: 'False', reason: 'KubeletNotReady' },
        { name: 'b', ready: 'True' },
        { name: 'a', ready: 'True' },
      ]);
      expect(watch.readiness().every((r) => r.ready === 'True')).toBe(true);
    } finally {
      stop.abort();
      await running;
    }
  });

  it('resolves false when stopped before the nodes are Ready', async () => {
    const watch = createNodeWatch({ client: fake.client, names: ['x'], onChange: () => {} });
    const stop = new AbortController();
    const waiting = watch.allReady(stop.signal);
    stop.abort();
    expect(await waiting).toBe(false);
  });

  it('does not count a Ready condition whose heartbeat is older than the start (a previous run)', () => {
    const at = (time: string): Node => ({
      ...node('n', 'True'),
      status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: time }] },
    });
    const start = Date.parse('2030-01-01T00:00:10.600Z');
    expect(readinessOf('n', at('2030-01-01T00:00:09Z'), start)).toEqual({
      name: 'n',
      ready: 'Unknown',
      reason: staleHeartbeat,
    });
    expect(readinessOf('n', at('2030-01-01T00:00:10Z'), start)).toEqual({ name: 'n', ready: 'True' });
    expect(readinessOf('n', at('2030-01-01T00:00:09Z'))).toEqual({ name: 'n', ready: 'True' });
    expect(readinessOf('n', undefined, start)).toEqual({ name: 'n', ready: 'Missing' });
  });
});
