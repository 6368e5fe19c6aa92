// Black-box: the kubelet's node agent against a live apiserver, timed by a FakeClock: each heartbeat
// renews the node Lease (created on the first one, owned by the Node), the Node status is written
// only when it changed (a controller marked it Unknown) or every report period, and a deleted Lease
// comes back at the next heartbeat.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Lease, Node } from '../src/api/types.js';
import { createClient, type KubeClient } from '../src/client/rest.js';
import { KubeletEvents } from '../src/kubelet/events.js';
import { createKubeletMetrics } from '../src/kubelet/metrics.js';
import { NodeAgent } from '../src/kubelet/node/node-agent.js';
import { testMachine } from '../src/kubelet/testing.js';
import { createRegistry } from '../src/metrics/registry.js';
import { FakeClock, rfc3339, rfc3339Micro } from '../src/util/clock.js';
import { silentLogger } from '../src/util/log.js';
import { type StartedApiServer, startApiServer } from './harness/apiserver.js';
import { pollUntil } from './kubelet-fixtures.js';

const reportMs = 300_000;
const machine = testMachine;

describe('kubelet node lease', () => {
  let api: StartedApiServer;
  let client: KubeClient;
  let agent: NodeAgent;
  let stop: AbortController;
  const clock = new FakeClock(Date.parse('2030-01-01T00:00:00.250Z'));

  beforeEach(async () => {
    stop = new AbortController();
    api = await startApiServer({ storage: 'memory' });
    client = createClient({ server: api.url });
    agent = new NodeAgent({
      client,
      facts: {
        nodeName: 'n1',
        address: '127.0.1.1',
        port: 10250,
        machine,
        maxPods: 110,
        containerRuntimeVersion: 'fake://0',
      },
      clock,
      logger: silentLogger,
      events: new KubeletEvents({ record: () => {}, flush: async () => {} }),
      metrics: createKubeletMetrics(createRegistry({ component: 'test' }), () => []),
      // Heartbeats are driven by the test (heartbeat()), never by the timer.
      heartbeatPeriodMs: 1e12,
      statusReportPeriodMs: reportMs,
    });
  });
  afterEach(async () => {
    stop.abort();
    agent?.close();
    await client?.close();
    await api?.stop();
  });

  const lease = () => client.resource<Lease>('leases').get('kube-node-lease', 'n1');
  const node = () => client.nodes.get('n1');

  it('renews its Lease every heartbeat and writes the Node status only when it changed or is due', async () => {
    const registered = await agent.register();
    void agent.start(stop.signal);
    const t0 = clock.now();

    clock.advance(10_000);
    await agent.heartbeat();
    const first = await lease();
    expect(first.spec).toEqual({
      holderIdentity: 'n1',
      leaseDurationSeconds: 40,
      renewTime: rfc3339Micro(t0 + 10_000),
    });
    expect(first.spec?.renewTime).toBe('2030-01-01T00:00:10.250000Z');
    expect(first.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Node', name: 'n1', uid: registered.metadata.uid },
    ]);

    clock.advance(10_000);
    await agent.heartbeat();
    expect((await lease()).spec?.renewTime).toBe(rfc3339Micro(t0 + 20_000));
    expect((await node()).metadata.resourceVersion).toBe(registered.metadata.resourceVersion);

    // The node lifecycle controller marks the node Unknown: the next heartbeat puts Ready back.
    const current = await node();
    const unknown = current.status!.conditions!.map((c) => ({ ...c, status: 'Unknown' as const }));
    const marked = await client.nodes.updateStatus({
      ...current,
      status: { ...current.status, conditions: unknown },
    });
    await pollUntil(
      () =>
        (agent as unknown as { latestNode(): Node }).latestNode().metadata.resourceVersion ===
        marked.metadata.resourceVersion,
      5000,
      'the agent seeing the Unknown status',
    );
    clock.advance(10_000);
    await agent.heartbeat();
    const ready = (await node()).status!.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({
      status: 'True',
      lastHeartbeatTime: rfc3339(t0 + 30_000),
      lastTransitionTime: rfc3339(t0 + 30_000),
    });

    // Unchanged until the report period has passed since that write.
    const afterFix = (await node()).metadata.resourceVersion;
    clock.advance(reportMs - 10_000);
    await agent.heartbeat();
    expect((await node()).metadata.resourceVersion).toBe(afterFix);
    clock.advance(10_000);
    await agent.heartbeat();
    const reported = await node();
    expect(reported.metadata.resourceVersion).not.toBe(afterFix);
    expect(reported.status!.conditions!.find((c) => c.type === 'Ready')!.lastHeartbeatTime).toBe(
      rfc3339(t0 + 30_000 + reportMs),
    );
    expect((await lease()).spec?.renewTime).toBe(rfc3339Micro(t0 + 30_000 + reportMs));
  });

  it('creates the Lease again when it is deleted', async () => {
    await agent.register();
    await agent.heartbeat();
    const before = await lease();
    await client.resource<Lease>('leases').delete('kube-node-lease', 'n1');
    clock.advance(10_000);
    await agent.heartbeat();
    const after = await lease();
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect(after.spec?.renewTime).toBe(rfc3339Micro(clock.now()));
  });
});
