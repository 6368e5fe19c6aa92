import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import { humanDuration, tableColumns, tableRow, timestampSince, toTable } from './table.js';

const now = Date.parse('2026-03-10T12:00:00Z');
const ago = (ms: number) => new Date(now - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

const obj = (o: object) => o as unknown as KubeObject;

describe('humanDuration (k8s.io/apimachinery/pkg/util/duration)', () => {
  it.each([
    [-2 * s, '<invalid>'],
    [-1999, '0s'],
    [-1 * s, '0s'],
    [0, '0s'],
    [999, '0s'],
    [1 * s, '1s'],
    [59 * s, '59s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [2 * m + 1 * s, '2m1s'],
    [3 * m + 2 * s, '3m2s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m, '10m'],
    [10 * m + 59 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 1 * m, '3h1m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h, '8h'],
    [47 * h + 59 * m, '47h'],
    [48 * h, '2d'],
    [2 * d + 3 * h, '2d3h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d, '8d'],
    [2 * y - d, '729d'],
    [2 * y, '2y'],
    [2 * y + d, '2y1d'],
    [7 * y + 364 * d, '7y364d'],
    [8 * y, '8y'],
    [5 * y + 100 * d, '5y100d'],
    [9 * y + 100 * d, '9y'],
  ])('%i ms → %s', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });

  it('ages timestamps and prints <unknown> without one', () => {
    expect(timestampSince(ago(5 * s), now)).toBe('5s');
    expect(timestampSince(undefined, now)).toBe('<unknown>');
    expect(timestampSince(null, now)).toBe('<unknown>');
    expect(timestampSince('not a time', now)).toBe('<unknown>');
  });
});

const names = (resource: string) => tableColumns(resource).map((c) => (c.priority ? `[${c.name}]` : c.name));

describe('tableColumns', () => {
  it('has the columns of Kubernetes 1.32', () => {
    expect(names('pods')).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      '[IP]',
      '[Node]',
      '[Nominated Node]',
      '[Readiness Gates]',
    ]);
    expect(names('services')).toEqual([
      'Name',
      'Type',
      'Cluster-IP',
      'External-IP',
      'Port(s)',
      'Age',
      '[Selector]',
    ]);
    expect(names('replicationcontrollers')).toEqual([
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Age',
      '[Containers]',
      '[Images]',
      '[Selector]',
    ]);
    expect(names('endpoints')).toEqual(['Name', 'Endpoints', 'Age']);
    expect(names('nodes')).toEqual([
      'Name',
      'Status',
      'Roles',
      'Age',
      'Version',
      '[Internal-IP]',
      '[External-IP]',
      '[OS-Image]',
      '[Kernel-Version]',
      '[Container-Runtime]',
    ]);
    expect(names('namespaces')).toEqual(['Name', 'Status', 'Age']);
    expect(names('events')).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      '[Subobject]',
      '[Source]',
      'Message',
      '[First Seen]',
      '[Count]',
      '[Name]',
    ]);
  });

  it('carries types, formats and descriptions', () => {
    const [name, ready, , restarts] = tableColumns('pods');
    expect(name).toMatchObject({ name: 'Name', type: 'string', format: 'name', priority: 0 });
    expect(name!.description).toMatch(/^Name must be unique within a namespace/);
    expect(ready).toEqual({
      name: 'Ready',
      type: 'string',
      format: '',
      description: 'The aggregate readiness state of this pod for accepting traffic.',
      priority: 0,
    });
    expect(restarts!.type).toBe('string');
    expect(tableColumns('replicationcontrollers')[1]!.type).toBe('integer');
  });

  it('falls back to NAME and CREATED AT for other resources', () => {
    expect(names('widgets')).toEqual(['Name', 'Created At']);
    const row = tableRow('widgets', obj({ metadata: { name: 'w', creationTimestamp: ago(h) } }), now);
    expect(row.cells).toEqual(['w', ago(h)]);
  });
});

const running = (name: string, extra: object = {}) => ({
  name,
  ready: true,
  restartCount: 0,
  image: 'busybox',
  imageID: '',
  state: { running: { startedAt: ago(h) } },
  ...extra,
});

function pod(status: object, spec: object = {}, metadata: object = {}): KubeObject {
  return obj({
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name: 'web-1', namespace: 'default', creationTimestamp: ago(3 * m + 2 * s), ...metadata },
    spec: { containers: [{ name: 'app' }], ...spec },
    status,
  });
}

const podCells = (p: KubeObject) => tableRow('pods', p, now).cells;

describe('pod rows', () => {
  it('prints a running, ready pod with its IP and node', () => {
    const p = pod(
      {
        phase: 'Running',
        podIP: '10.1.0.5',
        podIPs: [{ ip: '10.1.0.5' }],
        containerStatuses: [running('app')],
      },
      { nodeName: 'node-1' },
    );
    expect(podCells(p)).toEqual([
      'web-1',
      '1/1',
      'Running',
      '0',
      '3m2s',
      '10.1.0.5',
      'node-1',
      '<none>',
      '<none>',
    ]);
  });

  it('prints a pending, unscheduled pod', () => {
    expect(podCells(pod({ phase: 'Pending' }))).toEqual([
      'web-1',
      '0/1',
      'Pending',
      '0',
      '3m2s',
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ]);
    expect(podCells(pod({}))[2]).toBe('');
  });

  it('falls back to status.podIP', () => {
    expect(podCells(pod({ phase: 'Running', podIP: '127.0.5.9' }))[5]).toBe('127.0.5.9');
  });

  it('shows the waiting reason (ContainerCreating, CrashLoopBackOff) and restarts with their age', () => {
    const creating = pod({
      phase: 'Pending',
      containerStatuses: [
        { ...running('app'), ready: false, state: { waiting: { reason: 'ContainerCreating' } } },
      ],
    });
    expect(podCells(creating).slice(1, 4)).toEqual(['0/1', 'ContainerCreating', '0']);
    const crashing = pod({
      phase: 'Running',
      containerStatuses: [
        {
          ...running('app'),
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * m) } },
        },
      ],
    });
    expect(podCells(crashing).slice(1, 4)).toEqual(['0/1', 'CrashLoopBackOff', '5 (5m ago)']);
  });

  it('sums restarts over containers and ages the latest one', () => {
    const p = pod(
      {
        phase: 'Running',
        containerStatuses: [
          running('a', {
            restartCount: 2,
            lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * h) } },
          }),
          running('b', {
            restartCount: 1,
            lastState: { terminated: { exitCode: 1, finishedAt: ago(90 * s) } },
          }),
        ],
      },
      { containers: [{ name: 'a' }, { name: 'b' }] },
    );
    expect(podCells(p).slice(1, 4)).toEqual(['2/2', 'Running', '3 (90s ago)']);
  });

  it('prints Completed, ExitCode and Signal from terminated containers, with a Completed row condition', () => {
    const done = pod({
      phase: 'Succeeded',
      containerStatuses: [
        { ...running('app'), ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ],
    });
    const row = tableRow('pods', done, now);
    expect(row.cells.slice(1, 3)).toEqual(['0/1', 'Completed']);
    expect(row.conditions).toEqual([
      {
        type: 'Completed',
        status: 'True',
        reason: 'Succeeded',
        message: 'The pod has completed successfully.',
      },
    ]);
    const exit = pod({
      phase: 'Failed',
      containerStatuses: [{ ...running('app'), ready: false, state: { terminated: { exitCode: 3 } } }],
    });
    expect(podCells(exit)[2]).toBe('ExitCode:3');
    expect(tableRow('pods', exit, now).conditions?.[0]).toMatchObject({
      reason: 'Failed',
      message: 'The pod failed.',
    });
    const signal = pod({
      phase: 'Failed',
      containerStatuses: [
        { ...running('app'), ready: false, state: { terminated: { exitCode: 137, signal: 9 } } },
      ],
    });
    expect(podCells(signal)[2]).toBe('Signal:9');
  });

  it('turns Completed back into Running or NotReady while another container runs', () => {
    const statuses = [
      running('a'),
      { ...running('b'), ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
    ];
    const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
    const ready = pod(
      { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: statuses },
      spec,
    );
    expect(podCells(ready).slice(1, 3)).toEqual(['1/2', 'Running']);
    expect(podCells(pod({ phase: 'Running', containerStatuses: statuses }, spec))[2]).toBe('NotReady');
  });

  it('prints init container progress and failures', () => {
    const spec = { initContainers: [{ name: 'init' }], containers: [{ name: 'app' }] };
    const waiting = { ...running('init'), ready: false, state: { waiting: { reason: 'PodInitializing' } } };
    expect(podCells(pod({ phase: 'Pending', initContainerStatuses: [waiting] }, spec)).slice(1, 3)).toEqual([
      '0/1',
      'Init:0/1',
    ]);
    const crash = { ...waiting, state: { waiting: { reason: 'CrashLoopBackOff' } }, restartCount: 4 };
    expect(podCells(pod({ phase: 'Pending', initContainerStatuses: [crash] }, spec)).slice(2, 4)).toEqual([
      'Init:CrashLoopBackOff',
      '4',
    ]);
    const failed = { ...waiting, state: { terminated: { exitCode: 2 } } };
    expect(podCells(pod({ phase: 'Pending', initContainerStatuses: [failed] }, spec))[2]).toBe(
      'Init:ExitCode:2',
    );
    const reasoned = { ...waiting, state: { terminated: { exitCode: 1, reason: 'Error' } } };
    expect(podCells(pod({ phase: 'Pending', initContainerStatuses: [reasoned] }, spec))[2]).toBe(
      'Init:Error',
    );
    const done = { ...waiting, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
    const afterInit = pod(
      { phase: 'Running', initContainerStatuses: [done], containerStatuses: [running('app')] },
      spec,
    );
    expect(podCells(afterInit).slice(1, 3)).toEqual(['1/1', 'Running']);
  });

  it('counts started sidecar (restartable init) containers', () => {
    const spec = {
      initContainers: [{ name: 'proxy', restartPolicy: 'Always' }],
      containers: [{ name: 'app' }],
    };
    const p = pod(
      {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [running('proxy', { started: true, restartCount: 1 })],
        containerStatuses: [running('app')],
      },
      spec,
    );
    expect(podCells(p).slice(1, 4)).toEqual(['2/2', 'Running', '1']);
  });

  it('prints Terminating, Unknown for lost nodes, and SchedulingGated', () => {
    const deleting = pod(
      { phase: 'Running', containerStatuses: [running('app')] },
      {},
      { deletionTimestamp: ago(s) },
    );
    expect(podCells(deleting)[2]).toBe('Terminating');
    const finished = pod({ phase: 'Succeeded' }, {}, { deletionTimestamp: ago(s) });
    expect(podCells(finished)[2]).toBe('Succeeded');
    const lost = pod({ phase: 'Running', reason: 'NodeLost' }, {}, { deletionTimestamp: ago(s) });
    expect(podCells(lost)[2]).toBe('Unknown');
    const gated = pod({
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
    });
    expect(podCells(gated)[2]).toBe('SchedulingGated');
    expect(podCells(pod({ phase: 'Failed', reason: 'Evicted' }))[2]).toBe('Evicted');
  });

  it('prints readiness gates and the nominated node', () => {
    const p = pod(
      {
        phase: 'Running',
        nominatedNodeName: 'node-2',
        conditions: [
          { type: 'example.com/a', status: 'True' },
          { type: 'example.com/b', status: 'False' },
        ],
      },
      { readinessGates: [{ conditionType: 'example.com/a' }, { conditionType: 'example.com/b' }] },
    );
    expect(podCells(p).slice(7)).toEqual(['node-2', '1/2']);
  });
});

describe('rows of the other resources', () => {
  const created = { creationTimestamp: ago(2 * d + 3 * h) };

  it('services: types, cluster IPs, external IPs, ports and selector', () => {
    const svc = (spec: object, status: object = {}) =>
      tableRow('services', obj({ metadata: { name: 'web', ...created }, spec, status }), now).cells;
    expect(
      svc({
        type: 'NodePort',
        clusterIP: '127.1.0.10',
        clusterIPs: ['127.1.0.10'],
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 53, protocol: 'UDP' },
        ],
        selector: { tier: 'web', app: 'shop' },
      }),
    ).toEqual([
      'web',
      'NodePort',
      '127.1.0.10',
      '<none>',
      '80:30080/TCP,53/UDP',
      '2d3h',
      'app=shop,tier=web',
    ]);
    expect(svc({ type: 'ClusterIP', clusterIP: 'None' }).slice(1, 5)).toEqual([
      'ClusterIP',
      'None',
      '<none>',
      '<none>',
    ]);
    expect(svc({ type: 'ClusterIP', clusterIP: '127.1.0.3', externalIPs: ['1.2.3.4', '5.6.7.8'] })[3]).toBe(
      '1.2.3.4,5.6.7.8',
    );
    expect(svc({ type: 'LoadBalancer' })[3]).toBe('<pending>');
    expect(
      svc(
        { type: 'LoadBalancer' },
        { loadBalancer: { ingress: [{ ip: '9.9.9.9' }, { hostname: 'lb.example' }] } },
      )[3],
    ).toBe('9.9.9.9,lb.example');
    expect(svc({ type: 'ExternalName', externalName: 'example.com' }).slice(2, 4)).toEqual([
      '<none>',
      'example.com',
    ]);
    expect(svc({})[6]).toBe('<none>');
  });

  it('replication controllers: desired, current, ready, containers, images, selector', () => {
    const rc = obj({
      metadata: { name: 'web', ...created },
      spec: {
        replicas: 3,
        selector: { app: 'web' },
        template: {
          spec: {
            containers: [
              { name: 'app', image: 'busybox' },
              { name: 'log', image: 'alpine:3' },
            ],
          },
        },
      },
      status: { replicas: 3, readyReplicas: 2 },
    });
    expect(tableRow('replicationcontrollers', rc, now).cells).toEqual([
      'web',
      3,
      3,
      2,
      '2d3h',
      'app,log',
      'busybox,alpine:3',
      'app=web',
    ]);
    const fresh = obj({ metadata: { name: 'new' }, spec: {} });
    expect(tableRow('replicationcontrollers', fresh, now).cells).toEqual([
      'new',
      1,
      0,
      0,
      '<unknown>',
      '',
      '',
      '<none>',
    ]);
  });

  it('endpoints: ip:port pairs, the "+ N more..." tail, and <none>', () => {
    const ep = (subsets: object[] | undefined) =>
      tableRow('endpoints', obj({ metadata: { name: 'web', ...created }, subsets }), now).cells[1];
    expect(ep(undefined)).toBe('<none>');
    expect(ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }] }])).toBe(
      '10.0.0.1:80,10.0.0.2:80',
    );
    expect(
      ep([
        { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] },
        { addresses: [{ ip: '10.0.0.3' }], ports: [{ port: 80 }] },
      ]),
    ).toBe('10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...');
    expect(ep([{ addresses: [{ ip: '10.0.0.9' }] }])).toBe('10.0.0.9');
    expect(ep([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 8080 }] }])).toBe('[fd00::1]:8080');
    expect(ep([{ notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }])).toBe('');
  });

  it('nodes: status, roles, version and the wide columns', () => {
    const node = (conditions: object[] | undefined, extra: object = {}, labels: object = {}) =>
      tableRow(
        'nodes',
        obj({
          metadata: { name: 'node-1', labels, ...created },
          spec: extra,
          status: {
            conditions,
            addresses: [
              { type: 'Hostname', address: 'node-1' },
              { type: 'InternalIP', address: '127.0.1.1' },
            ],
            nodeInfo: {
              kubeletVersion: 'v1.32.0-kubelite',
              osImage: 'Debian GNU/Linux 13',
              kernelVersion: '6.1.0',
              containerRuntimeVersion: 'docker://26.1.5',
            },
          },
        }),
        now,
      ).cells;
    expect(node([{ type: 'Ready', status: 'True' }])).toEqual([
      'node-1',
      'Ready',
      '<none>',
      '2d3h',
      'v1.32.0-kubelite',
      '127.0.1.1',
      '<none>',
      'Debian GNU/Linux 13',
      '6.1.0',
      'docker://26.1.5',
    ]);
    expect(node([{ type: 'Ready', status: 'False' }])[1]).toBe('NotReady');
    expect(node([{ type: 'Ready', status: 'Unknown' }])[1]).toBe('NotReady');
    expect(node(undefined)[1]).toBe('Unknown');
    expect(node([{ type: 'Ready', status: 'True' }], { unschedulable: true })[1]).toBe(
      'Ready,SchedulingDisabled',
    );
    expect(
      node(
        [],
        {},
        {
          'node-role.kubernetes.io/worker': '',
          'node-role.kubernetes.io/control-plane': '',
          'kubernetes.io/role': 'edge',
        },
      )[2],
    ).toBe('control-plane,edge,worker');
    const bare = tableRow('nodes', obj({ metadata: { name: 'n' } }), now).cells;
    expect(bare.slice(4)).toEqual(['', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  });

  it('namespaces: phase and age', () => {
    const ns = obj({ metadata: { name: 'prod', ...created }, status: { phase: 'Terminating' } });
    expect(tableRow('namespaces', ns, now).cells).toEqual(['prod', 'Terminating', '2d3h']);
  });

  it('events: last seen, type, reason, object, and the wide columns', () => {
    const ev = obj({
      metadata: { name: 'web-1.17a', namespace: 'default', ...created },
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', fieldPath: 'spec.containers{app}' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container\n',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: ago(10 * m),
      lastTimestamp: ago(30 * s),
      count: 7,
      type: 'Warning',
    });
    expect(tableRow('events', ev, now).cells).toEqual([
      '30s',
      'Warning',
      'BackOff',
      'pod/web-1',
      'spec.containers{app}',
      'kubelet, node-1',
      'Back-off restarting failed container',
      '10m',
      7,
      'web-1.17a',
    ]);
    const singleton = obj({
      metadata: { name: 'e' },
      involvedObject: { kind: 'Node' },
      eventTime: ago(4 * m),
      reportingComponent: 'scheduler',
    });
    expect(tableRow('events', singleton, now).cells).toEqual([
      '4m',
      '',
      '',
      'node',
      '',
      'scheduler',
      '',
      '4m',
      1,
      'e',
    ]);
    const series = obj({
      metadata: { name: 's' },
      involvedObject: { kind: 'Pod', name: 'p' },
      firstTimestamp: ago(h),
      series: { count: 12, lastObservedTime: ago(20 * s) },
    });
    const cells = tableRow('events', series, now).cells;
    expect([cells[0], cells[7], cells[8]]).toEqual(['20s', '60m', 12]);
  });
});

describe('toTable and row objects', () => {
  const meta = {
    name: 'web-1',
    namespace: 'prod',
    uid: 'u1',
    resourceVersion: '17',
    labels: { app: 'web' },
    creationTimestamp: ago(m),
  };
  const p = pod({ phase: 'Running' }, {}, meta);

  it('wraps rows in a meta.k8s.io/v1 Table with PartialObjectMetadata by default', () => {
    const table = toTable('pods', [p], { nowMs: now, resourceVersion: '42' });
    expect(table.kind).toBe('Table');
    expect(table.apiVersion).toBe('meta.k8s.io/v1');
    expect(table.metadata).toEqual({ resourceVersion: '42' });
    expect(table.columnDefinitions).toHaveLength(9);
    expect(table.rows[0]!.object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { ...meta, creationTimestamp: ago(m) },
    });
    expect(table.rows[0]!.conditions).toBeUndefined();
  });

  it('carries the full object, or none, when asked', () => {
    expect(toTable('pods', [p], { nowMs: now, includeObject: 'Object' }).rows[0]!.object).toBe(p);
    const none = toTable('pods', [p], { nowMs: now, includeObject: 'None' });
    expect('object' in none.rows[0]!).toBe(false);
    expect(none.metadata).toEqual({});
  });

  it('leaves out column definitions for later watch events and serves empty lists', () => {
    expect(toTable('pods', [p], { nowMs: now, includeColumnDefinitions: false }).columnDefinitions).toEqual(
      [],
    );
    const empty = toTable('services', [], { nowMs: now, resourceVersion: '1' });
    expect(empty.rows).toEqual([]);
    expect(empty.columnDefinitions).toHaveLength(7);
  });

  it('returns fresh column objects', () => {
    tableColumns('pods')[0]!.name = 'changed';
    expect(tableColumns('pods')[0]!.name).toBe('Name');
  });
});
