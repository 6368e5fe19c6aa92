import { describe, expect, it } from 'vitest';
import { createCauses, type Mutable, messageOf, summary, updateCauses, validPod } from './testing.js';

const pod = (mutate: (p: Mutable) => void) => createCauses('pods', validPod(), mutate);
const c0 = (p: Mutable) => p.spec.containers[0];

describe('pod create validation', () => {
  it('accepts a valid pod', () => {
    expect(pod(() => {})).toEqual([]);
  });

  it.each<[string, (p: Mutable) => void, string[]]>([
    ['containers required', (p) => (p.spec.containers = []), ['spec.containers FieldValueRequired']],
    ['containers absent', (p) => delete p.spec.containers, ['spec.containers FieldValueRequired']],
    ['container name required', (p) => (c0(p).name = ''), ['spec.containers[0].name FieldValueRequired']],
    [
      'container name is a DNS label',
      (p) => (c0(p).name = 'Web_1'),
      ['spec.containers[0].name FieldValueInvalid'],
    ],
    ['image required', (p) => delete c0(p).image, ['spec.containers[0].image FieldValueRequired']],
    [
      'image without surrounding space',
      (p) => (c0(p).image = ' nginx'),
      ['spec.containers[0].image FieldValueInvalid'],
    ],
    [
      'duplicate container names',
      (p) => p.spec.containers.push({ name: 'web', image: 'x' }),
      ['spec.containers[1].name FieldValueDuplicate'],
    ],
    [
      'init and regular names share one namespace',
      (p) => (p.spec.initContainers = [{ name: 'web', image: 'x' }]),
      ['spec.initContainers[0].name FieldValueDuplicate'],
    ],
    [
      'port range',
      (p) => (c0(p).ports[0].containerPort = 70000),
      ['spec.containers[0].ports[0].containerPort FieldValueInvalid'],
    ],
    [
      'port required',
      (p) => (c0(p).ports[0].containerPort = 0),
      ['spec.containers[0].ports[0].containerPort FieldValueRequired'],
    ],
    [
      'host port range',
      (p) => (c0(p).ports[0].hostPort = -1),
      ['spec.containers[0].ports[0].hostPort FieldValueInvalid'],
    ],
    [
      'port name syntax',
      (p) => (c0(p).ports[0].name = 'HTTP'),
      ['spec.containers[0].ports[0].name FieldValueInvalid'],
    ],
    [
      'duplicate port names',
      (p) => c0(p).ports.push({ name: 'http', containerPort: 81 }),
      ['spec.containers[0].ports[1].name FieldValueDuplicate'],
    ],
    [
      'protocol values',
      (p) => (c0(p).ports[0].protocol = 'ICMP'),
      ['spec.containers[0].ports[0].protocol FieldValueNotSupported'],
    ],
    [
      'host port conflicts across containers',
      (p) => {
        c0(p).ports[0].hostPort = 8080;
        p.spec.containers.push({ name: 'b', image: 'x', ports: [{ containerPort: 81, hostPort: 8080 }] });
      },
      ['spec.containers[1].ports[0].hostPort FieldValueDuplicate'],
    ],
    [
      'restart policy',
      (p) => (p.spec.restartPolicy = 'Sometimes'),
      ['spec.restartPolicy FieldValueNotSupported'],
    ],
    ['dns policy', (p) => (p.spec.dnsPolicy = 'Google'), ['spec.dnsPolicy FieldValueNotSupported']],
    [
      'pull policy',
      (p) => (c0(p).imagePullPolicy = 'Sometimes'),
      ['spec.containers[0].imagePullPolicy FieldValueNotSupported'],
    ],
    [
      'termination message policy',
      (p) => (c0(p).terminationMessagePolicy = 'Pipe'),
      ['spec.containers[0].terminationMessagePolicy FieldValueNotSupported'],
    ],
    ['grace period required', (p) => (p.spec.terminationGracePeriodSeconds = null), []],
    [
      'probe handler required',
      (p) => (c0(p).livenessProbe = { periodSeconds: 3 }),
      ['spec.containers[0].livenessProbe FieldValueRequired'],
    ],
    [
      'probe with two handlers',
      (p) => (c0(p).readinessProbe = { exec: { command: ['true'] }, tcpSocket: { port: 80 } }),
      ['spec.containers[0].readinessProbe.tcpSocket FieldValueForbidden'],
    ],
    [
      'liveness success threshold is 1',
      (p) => (c0(p).livenessProbe = { tcpSocket: { port: 80 }, successThreshold: 2 }),
      ['spec.containers[0].livenessProbe.successThreshold FieldValueInvalid'],
    ],
    [
      'probe numbers are not negative',
      (p) => (c0(p).readinessProbe = { tcpSocket: { port: 'http' }, initialDelaySeconds: -1 }),
      ['spec.containers[0].readinessProbe.initialDelaySeconds FieldValueInvalid'],
    ],
    [
      'probe ports by number or name',
      (p) => (c0(p).readinessProbe = { httpGet: { port: 'no_such-' } }),
      [
        'spec.containers[0].readinessProbe.httpGet.port FieldValueInvalid',
        'spec.containers[0].readinessProbe.httpGet.port FieldValueInvalid',
      ],
    ],
    [
      'exec probes need a command',
      (p) => (c0(p).startupProbe = { exec: {} }),
      ['spec.containers[0].startupProbe.exec.command FieldValueRequired'],
    ],
    [
      'readiness probes have no grace period',
      (p) => (c0(p).readinessProbe = { tcpSocket: { port: 80 }, terminationGracePeriodSeconds: 5 }),
      ['spec.containers[0].readinessProbe.terminationGracePeriodSeconds FieldValueInvalid'],
    ],
    [
      'lifecycle handlers',
      (p) => (c0(p).lifecycle = { preStop: {} }),
      ['spec.containers[0].lifecycle.preStop FieldValueRequired'],
    ],
    [
      'env name',
      (p) => (c0(p).env = [{ name: 'A=B', value: 'x' }]),
      ['spec.containers[0].env[0].name FieldValueInvalid'],
    ],
    [
      'env name required',
      (p) => (c0(p).env = [{ value: 'x' }]),
      ['spec.containers[0].env[0].name FieldValueRequired'],
    ],
    [
      'env value and valueFrom together',
      (p) =>
        (c0(p).env = [{ name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]),
      ['spec.containers[0].env[0].valueFrom FieldValueInvalid'],
    ],
    [
      'env field paths',
      (p) => (c0(p).env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.containers' } } }]),
      ['spec.containers[0].env[0].valueFrom.fieldRef.fieldPath FieldValueNotSupported'],
    ],
    [
      'env secret key',
      (p) => (c0(p).env = [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: '' } } }]),
      ['spec.containers[0].env[0].valueFrom.secretKeyRef.key FieldValueRequired'],
    ],
    [
      'requests above limits',
      (p) => (c0(p).resources = { limits: { cpu: '500m' }, requests: { cpu: '1' } }),
      ['spec.containers[0].resources.requests FieldValueInvalid'],
    ],
    [
      'unparseable quantity',
      (p) => (c0(p).resources = { limits: { memory: '1 GB' } }),
      [
        'spec.containers[0].resources.limits[memory] FieldValueInvalid',
        'spec.containers[0].resources.requests[memory] FieldValueInvalid',
      ],
    ],
    [
      'negative quantity',
      (p) => (c0(p).resources = { requests: { cpu: '-1' } }),
      ['spec.containers[0].resources.requests[cpu] FieldValueInvalid'],
    ],
    [
      'non-standard resource name',
      (p) => (c0(p).resources = { requests: { gpu: '1' } }),
      ['spec.containers[0].resources.requests[gpu] FieldValueInvalid'],
    ],
    [
      'extended resources need an equal limit',
      (p) => (c0(p).resources = { requests: { 'example.com/gpu': '1' } }),
      ['spec.containers[0].resources.limits FieldValueRequired'],
    ],
    [
      'extended resources are integers',
      (p) => (c0(p).resources = { limits: { 'example.com/gpu': '500m' } }),
      [
        'spec.containers[0].resources.limits[example.com/gpu] FieldValueInvalid',
        'spec.containers[0].resources.requests[example.com/gpu] FieldValueInvalid',
      ],
    ],
    [
      'volume mounts name a volume',
      (p) => (c0(p).volumeMounts = [{ name: 'data', mountPath: '/data' }]),
      ['spec.containers[0].volumeMounts[0].name FieldValueNotFound'],
    ],
    [
      'volume mount paths are unique',
      (p) => {
        p.spec.volumes = [{ name: 'a' }, { name: 'b' }];
        c0(p).volumeMounts = [
          { name: 'a', mountPath: '/x' },
          { name: 'b', mountPath: '/x' },
        ];
      },
      ['spec.containers[0].volumeMounts[1].mountPath FieldValueInvalid'],
    ],
    [
      'volume names unique',
      (p) => (p.spec.volumes = [{ name: 'a' }, { name: 'a' }]),
      ['spec.volumes[1].name FieldValueDuplicate'],
    ],
    [
      'one source per volume',
      (p) => (p.spec.volumes = [{ name: 'a', emptyDir: {}, hostPath: { path: '/x' } }]),
      ['spec.volumes[0].hostPath FieldValueForbidden'],
    ],
    [
      'host path needs a path',
      (p) => (p.spec.volumes = [{ name: 'a', hostPath: {} }]),
      ['spec.volumes[0].hostPath.path FieldValueRequired'],
    ],
    [
      'active deadline range',
      (p) => (p.spec.activeDeadlineSeconds = 0),
      ['spec.activeDeadlineSeconds FieldValueInvalid'],
    ],
    [
      'node selector labels',
      (p) => (p.spec.nodeSelector = { 'bad key': 'x' }),
      ['spec.nodeSelector FieldValueInvalid'],
    ],
    ['node name', (p) => (p.spec.nodeName = 'Node_1'), ['spec.nodeName FieldValueInvalid']],
    ['hostname', (p) => (p.spec.hostname = 'a.b'), ['spec.hostname FieldValueInvalid']],
    [
      'tolerations: empty key needs Exists',
      (p) => (p.spec.tolerations = [{ operator: 'Equal', value: 'x' }]),
      ['spec.tolerations[0].operator FieldValueInvalid'],
    ],
    [
      'tolerations: Exists takes no value',
      (p) => (p.spec.tolerations = [{ key: 'k', operator: 'Exists', value: 'x' }]),
      ['spec.tolerations[0].operator FieldValueInvalid'],
    ],
    [
      'tolerations: seconds only with NoExecute',
      (p) =>
        (p.spec.tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }]),
      ['spec.tolerations[0].effect FieldValueInvalid'],
    ],
    [
      'init containers without restartPolicy=Always take no probes',
      (p) =>
        (p.spec.initContainers = [{ name: 'init', image: 'x', readinessProbe: { tcpSocket: { port: 1 } } }]),
      ['spec.initContainers[0].readinessProbe FieldValueForbidden'],
    ],
    [
      'sidecar init containers may have probes',
      (p) =>
        (p.spec.initContainers = [
          { name: 'side', image: 'x', restartPolicy: 'Always', readinessProbe: { tcpSocket: { port: 1 } } },
        ]),
      [],
    ],
    [
      'init container restart policy values',
      (p) => (p.spec.initContainers = [{ name: 'init', image: 'x', restartPolicy: 'Never' }]),
      ['spec.initContainers[0].restartPolicy FieldValueNotSupported'],
    ],
    [
      'regular containers have no restart policy',
      (p) => (c0(p).restartPolicy = 'Always'),
      ['spec.containers[0].restartPolicy FieldValueForbidden'],
    ],
    [
      'host network host ports equal container ports',
      (p) => {
        p.spec.hostNetwork = true;
        c0(p).ports[0].hostPort = 8080;
      },
      ['spec.containers[0].ports[0].hostPort FieldValueInvalid'],
    ],
    [
      'wrong JSON types are causes, not crashes',
      (p) => {
        c0(p).ports[0].containerPort = '80';
        p.spec.containers.push('oops');
      },
      [
        'spec.containers[1] FieldValueTypeInvalid',
        'spec.containers[0].ports[0].containerPort FieldValueTypeInvalid',
        'spec.containers[0].ports[0].containerPort FieldValueRequired',
      ],
    ],
  ])('%s', (_name, mutate, expected) => {
    expect(summary(pod(mutate))).toEqual(expected);
  });

  it('uses Kubernetes messages', () => {
    const causes = pod((p) => {
      p.spec.restartPolicy = 'X';
      c0(p).ports.push({ name: 'http', containerPort: 81 });
      c0(p).resources = { limits: { cpu: '500m' }, requests: { cpu: '1' } };
      c0(p).imagePullPolicy = 'Sometimes';
      c0(p).ports[0].containerPort = 65536;
    });
    expect(messageOf(causes, 'spec.restartPolicy')).toBe(
      'Unsupported value: "X": supported values: "Always", "OnFailure", "Never"',
    );
    expect(messageOf(causes, 'spec.containers[0].ports[1].name')).toBe('Duplicate value: "http"');
    expect(messageOf(causes, 'spec.containers[0].resources.requests')).toBe(
      'Invalid value: "1": must be less than or equal to cpu limit of 500m',
    );
    expect(messageOf(causes, 'spec.containers[0].imagePullPolicy')).toBe(
      'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
    );
    expect(messageOf(causes, 'spec.containers[0].ports[0].containerPort')).toBe(
      'Invalid value: 65536: must be between 1 and 65535, inclusive',
    );
    expect(
      messageOf(
        pod((p) => (p.spec.containers = [])),
        'spec.containers',
      ),
    ).toBe('Required value');
    expect(
      messageOf(
        pod((p) => (c0(p).name = 'Web')),
        'spec.containers[0].name',
      ),
    ).toBe(
      "Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
    expect(
      messageOf(
        pod((p) => (c0(p).livenessProbe = {})),
        'spec.containers[0].livenessProbe',
      ),
    ).toBe('Required value: must specify a handler type');
    expect(
      messageOf(
        pod((p) => (c0(p).ports[0].protocol = 'ICMP')),
        'spec.containers[0].ports[0].protocol',
      ),
    ).toBe('Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"');
  });

  it('reports every cause at once', () => {
    const causes = pod((p) => {
      p.metadata.name = 'Bad_Name';
      p.spec.restartPolicy = 'X';
      c0(p).image = '';
      c0(p).ports[0].containerPort = 0;
    });
    expect(summary(causes)).toEqual([
      'metadata.name FieldValueInvalid',
      'spec.containers[0].image FieldValueRequired',
      'spec.containers[0].ports[0].containerPort FieldValueRequired',
      'spec.restartPolicy FieldValueNotSupported',
    ]);
  });
});

describe('pod update validation', () => {
  const update = (mutate: (p: Mutable) => void, base = validPod()) => updateCauses('pods', base, mutate);

  it('allows image changes, label changes and a first activeDeadlineSeconds', () => {
    expect(
      update((p) => {
        c0(p).image = 'nginx:1.28';
        p.metadata.labels.tier = 'fe';
        p.spec.activeDeadlineSeconds = 60;
      }),
    ).toEqual([]);
  });

  it('forbids other spec changes with Kubernetes message and a diff', () => {
    const causes = update((p) => (c0(p).ports[0].containerPort = 81));
    expect(summary(causes)).toEqual(['spec FieldValueForbidden']);
    expect(causes[0]!.message).toBe(
      'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n' +
        '- spec.containers[0].ports[0].containerPort: 80\n+ spec.containers[0].ports[0].containerPort: 81',
    );
    expect(summary(update((p) => (p.spec.terminationGracePeriodSeconds = 5)))).toEqual([
      'spec FieldValueForbidden',
    ]);
    expect(summary(update((p) => (p.spec.restartPolicy = 'Never')))).toEqual(['spec FieldValueForbidden']);
  });

  it('forbids adding or removing containers', () => {
    const causes = update((p) => p.spec.containers.push({ name: 'b', image: 'x' }));
    expect(causes).toEqual([
      {
        reason: 'FieldValueForbidden',
        message: 'Forbidden: pod updates may not add or remove containers',
        field: 'spec.containers',
      },
    ]);
  });

  it('lets activeDeadlineSeconds only shrink, and never be removed', () => {
    const withDeadline = validPod();
    withDeadline.spec.activeDeadlineSeconds = 60;
    expect(update((p) => (p.spec.activeDeadlineSeconds = 30), withDeadline)).toEqual([]);
    expect(
      messageOf(
        update((p) => (p.spec.activeDeadlineSeconds = 90), withDeadline),
        'spec.activeDeadlineSeconds',
      ),
    ).toBe('Invalid value: 90: must be less than or equal to previous value');
    expect(
      messageOf(
        update((p) => delete p.spec.activeDeadlineSeconds, withDeadline),
        'spec.activeDeadlineSeconds',
      ),
    ).toBe('Invalid value: null: must not update from a positive integer to nil value');
  });

  it('allows toleration additions and tolerationSeconds changes only', () => {
    const tolerant = validPod();
    tolerant.spec.tolerations = [
      { key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
    ];
    expect(update((p) => p.spec.tolerations.push({ key: 'z', operator: 'Exists' }), tolerant)).toEqual([]);
    expect(update((p) => (p.spec.tolerations[0].tolerationSeconds = 10), tolerant)).toEqual([]);
    expect(summary(update((p) => (p.spec.tolerations[0].key = 'other'), tolerant))).toEqual([
      'spec.tolerations FieldValueForbidden',
    ]);
    expect(summary(update((p) => (p.spec.tolerations = []), tolerant))).toEqual([
      'spec.tolerations FieldValueForbidden',
    ]);
  });

  it('allows a negative grace period to become 1', () => {
    const negative = validPod();
    negative.spec.terminationGracePeriodSeconds = -1;
    expect(update((p) => (p.spec.terminationGracePeriodSeconds = 1), negative)).toEqual([]);
    expect(summary(update((p) => (p.spec.terminationGracePeriodSeconds = 2), negative))).toEqual([
      'spec FieldValueForbidden',
    ]);
  });

  it('keeps identity immutable', () => {
    expect(update((p) => (p.metadata.name = 'other'))).toContainEqual({
      reason: 'FieldValueInvalid',
      message: 'Invalid value: "other": field is immutable',
      field: 'metadata.name',
    });
    expect(summary(update((p) => (p.metadata.namespace = 'kube-system')))).toEqual([
      'metadata.namespace FieldValueInvalid',
    ]);
    expect(summary(update((p) => (p.metadata.uid = 'uid-2')))).toEqual(['metadata.uid FieldValueInvalid']);
    expect(summary(update((p) => (p.metadata.creationTimestamp = '2025-01-01T00:00:00Z')))).toEqual([
      'metadata.creationTimestamp FieldValueInvalid',
    ]);
  });

  it('re-validates the new object and reports each cause once', () => {
    const causes = update((p) => {
      c0(p).image = '';
      p.metadata.labels = { 'bad key': 'v' };
    });
    expect(summary(causes)).toEqual([
      'metadata.labels FieldValueInvalid',
      'spec.containers[0].image FieldValueRequired',
    ]);
  });
});
