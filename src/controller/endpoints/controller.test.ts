import { describe, expect, it } from 'vitest';
import type { Endpoints, Pod, Service } from '../../api/types.js';
import { drain } from '../testing/drain.js';
import { createFakeCluster, type FakeCluster } from '../testing/fake-cluster.js';
import { makePod, makeService } from '../testing/objects.js';
import { createEndpointsController } from './controller.js';
import { lastChangeTriggerTimeAnnotation, rfc3339Nano } from './trigger-times.js';

function setup(batchPeriodMs = 0) {
  const cluster = createFakeCluster();
  const ec = createEndpointsController({
    client: cluster.client,
    informers: cluster.informers,
    clock: cluster.clock,
    batchPeriodMs,
  });
  return { cluster, ec };
}

const ep = (cluster: FakeCluster, name = 'web') => cluster.get<Endpoints>('endpoints', 'default', name);
const writes = (cluster: FakeCluster) =>
  cluster.actions.filter((a) => a.resource === 'endpoints' && a.verb !== 'get').length;
const ref = (pod: Pod) => ({
  kind: 'Pod',
  namespace: 'default',
  name: pod.metadata.name,
  uid: pod.metadata.uid,
});

describe('endpoints controller', () => {
  it('publishes ready pods in addresses and others in notReadyAddresses, with targetRef and nodeName', async () => {
    const { cluster, ec } = setup();
    const labels = { app: 'web' };
    const ready = cluster.put(
      'pods',
      makePod('ready', { labels, nodeName: 'n1', ready: true, podIP: '10.0.0.2' }),
    );
    const unready = cluster.put(
      'pods',
      makePod('unready', { labels, nodeName: 'n2', ready: false, podIP: '10.0.0.1' }),
    );
    cluster.put('pods', makePod('no-ip', { labels, nodeName: 'n1', ready: true }));
    cluster.put(
      'pods',
      makePod('failed', { labels, nodeName: 'n1', ready: false, podIP: '10.0.0.7', phase: 'Failed' }),
    );
    cluster.put(
      'pods',
      makePod('leaving', {
        labels,
        nodeName: 'n1',
        ready: true,
        podIP: '10.0.0.8',
        deletionTimestampMs: cluster.clock.now(),
      }),
    );
    cluster.put(
      'pods',
      makePod('other', { labels: { app: 'db' }, nodeName: 'n1', ready: true, podIP: '10.0.0.9' }),
    );
    cluster.put('services', makeService('web', { labels: { tier: 'front' } }));
    await drain(ec);
    const e = ep(cluster)!;
    expect(e.subsets).toEqual([
      {
        addresses: [{ ip: '10.0.0.2', nodeName: 'n1', targetRef: ref(ready) }],
        notReadyAddresses: [{ ip: '10.0.0.1', nodeName: 'n2', targetRef: ref(unready) }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
    expect(e.metadata.labels).toEqual({ tier: 'front' });
    expect(e.metadata.annotations?.[lastChangeTriggerTimeAnnotation]).toBe(rfc3339Nano(cluster.clock.now()));
  });

  it('resolves named target ports per pod, splitting subsets when the numbers differ', async () => {
    const { cluster, ec } = setup();
    const labels = { app: 'web' };
    const port = (n: number) => [{ name: 'web', containerPort: n, protocol: 'TCP' as const }];
    cluster.put('pods', makePod('a', { labels, ready: true, podIP: '10.0.0.1', ports: port(8080) }));
    cluster.put('pods', makePod('b', { labels, ready: true, podIP: '10.0.0.2', ports: port(9090) }));
    cluster.put('pods', makePod('c', { labels, ready: true, podIP: '10.0.0.3' })); // no such port
    cluster.put(
      'services',
      makeService('web', {
        ports: [
          { name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' },
          { name: 'admin', port: 81, targetPort: 7000, protocol: 'TCP' },
        ],
      }),
    );
    await drain(ec);
    const subsets = ep(cluster)!.subsets!;
    const summary = subsets.map((s) => [
      s.addresses?.map((a) => a.ip),
      s.ports?.map((p) => `${p.name}:${p.port}`),
    ]);
    expect(summary).toEqual([
      [['10.0.0.1', '10.0.0.2', '10.0.0.3'], ['admin:7000']],
      [['10.0.0.1'], ['http:8080']],
      [['10.0.0.2'], ['http:9090']],
    ]);
  });

  it('puts every pod in addresses with publishNotReadyAddresses, terminating ones included', async () => {
    const { cluster, ec } = setup();
    const labels = { app: 'web' };
    cluster.put('pods', makePod('unready', { labels, ready: false, podIP: '10.0.0.1' }));
    cluster.put(
      'pods',
      makePod('leaving', { labels, ready: true, podIP: '10.0.0.2', deletionTimestampMs: 1 }),
    );
    cluster.put('services', makeService('web', { publishNotReadyAddresses: true }));
    await drain(ec);
    const [subset] = ep(cluster)!.subsets!;
    expect(subset!.addresses!.map((a) => a.ip)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(subset!.notReadyAddresses).toBeUndefined();
  });

  it('writes nothing when nothing changed, and ignores pod updates that do not matter', async () => {
    const { cluster, ec } = setup();
    const pod = cluster.put('pods', makePod('a', { labels: { app: 'web' }, ready: true, podIP: '10.0.0.1' }));
    cluster.put('services', makeService('web'));
    await drain(ec);
    expect(writes(cluster)).toBe(1);
    // A resync, our own write's event, and a status update that changes nothing endpoints show.
    ec.queue.add('default/web');
    const restarted = { ...pod, status: { ...pod.status, startTime: '2024-01-01T00:00:00Z' } };
    cluster.put('pods', restarted);
    expect(ec.queue.len()).toBe(1);
    await drain(ec);
    expect(writes(cluster)).toBe(1);
    // Readiness flips: written at once, with the time of the change.
    cluster.clock.advance(250);
    cluster.put('pods', {
      ...restarted,
      status: { ...restarted.status, conditions: [{ type: 'Ready', status: 'False' }] },
    });
    await drain(ec);
    expect(writes(cluster)).toBe(2);
    const e = ep(cluster)!;
    expect(e.subsets![0]!.notReadyAddresses).toHaveLength(1);
    expect(e.metadata.annotations?.[lastChangeTriggerTimeAnnotation]).toBe('2023-11-14T22:13:20.25Z');
  });

  it('deletes the Endpoints of a deleted service, leaves selector-less services alone, restores deleted ones', async () => {
    const { cluster, ec } = setup();
    cluster.put('pods', makePod('a', { labels: { app: 'web' }, ready: true, podIP: '10.0.0.1' }));
    cluster.put('services', makeService('web'));
    const manual = makeService('manual', { selector: null });
    cluster.put('services', manual);
    const userEndpoints: Endpoints = {
      metadata: { name: 'manual', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 5432 }] }],
    };
    cluster.put('endpoints', userEndpoints);
    await drain(ec);
    expect(ep(cluster, 'manual')!.subsets).toEqual(userEndpoints.subsets);
    expect(ep(cluster)).toBeDefined();

    cluster.remove('endpoints', 'default', 'web');
    await drain(ec);
    expect(ep(cluster)?.subsets?.[0]?.addresses?.[0]?.ip).toBe('10.0.0.1');

    cluster.remove('services', 'default', 'web');
    await drain(ec);
    expect(ep(cluster)).toBeUndefined();
  });

  it('labels the endpoints of a headless service and publishes pods even without ports', async () => {
    const { cluster, ec } = setup();
    cluster.put(
      'pods',
      makePod('a', {
        labels: { app: 'db' },
        ready: true,
        podIP: '10.0.0.1',
        hostname: 'db-0',
        subdomain: 'db',
      }),
    );
    const svc: Service = makeService('db', { clusterIP: 'None' });
    svc.spec.ports = [];
    cluster.put('services', svc);
    await drain(ec);
    const e = ep(cluster, 'db')!;
    expect(e.metadata.labels).toEqual({ 'service.kubernetes.io/headless': '' });
    expect(e.subsets).toEqual([
      { addresses: [expect.objectContaining({ ip: '10.0.0.1', hostname: 'db-0' })] },
    ]);
  });

  it('follows label changes in and out of the selector', async () => {
    const { cluster, ec } = setup();
    const pod = cluster.put('pods', makePod('a', { labels: { app: 'web' }, ready: true, podIP: '10.0.0.1' }));
    cluster.put('services', makeService('web'));
    await drain(ec);
    cluster.put('pods', { ...pod, metadata: { ...pod.metadata, labels: { app: 'other' } } });
    await drain(ec);
    expect(ep(cluster)!.subsets).toEqual([]);
  });

  it('with a batch period, folds pod changes into one write after the period', async () => {
    const { cluster, ec } = setup(1000);
    cluster.put('services', makeService('web'));
    await drain(ec);
    const before = writes(cluster);
    for (let i = 1; i <= 5; i++) {
      cluster.put('pods', makePod(`p${i}`, { labels: { app: 'web' }, ready: true, podIP: `10.0.0.${i}` }));
      cluster.clock.advance(100);
    }
    expect(ec.queue.len()).toBe(0);
    cluster.clock.advance(1000);
    await drain(ec);
    expect(writes(cluster)).toBe(before + 1);
    expect(ep(cluster)!.subsets![0]!.addresses).toHaveLength(5);
    // The trigger time is the first change of the batch.
    expect(ep(cluster)!.metadata.annotations?.[lastChangeTriggerTimeAnnotation]).toBe(
      rfc3339Nano(1_700_000_000_000),
    );
  });
});

describe('rfc3339Nano', () => {
  it('trims trailing zeros like Go', () => {
    expect(rfc3339Nano(Date.UTC(2024, 4, 1, 10, 0, 0, 250))).toBe('2024-05-01T10:00:00.25Z');
    expect(rfc3339Nano(Date.UTC(2024, 4, 1, 10, 0, 0, 0))).toBe('2024-05-01T10:00:00Z');
    expect(rfc3339Nano(Date.UTC(2024, 4, 1, 10, 0, 0, 7))).toBe('2024-05-01T10:00:00.007Z');
  });
});
