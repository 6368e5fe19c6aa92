import { describe, expect, it } from 'vitest';
import { createCauses, type Mutable, messageOf, summary, updateCauses, validService } from './testing.js';

const svc = (mutate: (s: Mutable) => void) => createCauses('services', validService(), mutate);

describe('service create validation', () => {
  it('accepts valid services of every type', () => {
    expect(svc(() => {})).toEqual([]);
    expect(svc((s) => (s.spec.type = 'NodePort'))).toEqual([]);
    expect(
      svc((s) => Object.assign(s.spec, { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })),
    ).toEqual([]);
    expect(svc((s) => (s.spec.type = 'LoadBalancer'))).toEqual([]);
    expect(svc((s) => (s.spec = { type: 'ExternalName', externalName: 'db.example.com.' }))).toEqual([]);
    expect(svc((s) => (s.spec = { clusterIP: 'None', selector: { app: 'db' } }))).toEqual([]);
    expect(svc((s) => (s.spec.clusterIP = '127.10.0.1'))).toEqual([]);
    expect(svc((s) => (s.spec.sessionAffinity = 'ClientIP'))).toEqual([]);
  });

  it.each<[string, (s: Mutable) => void, string[]]>([
    ['ports required', (s) => (s.spec.ports = []), ['spec.ports FieldValueRequired']],
    [
      'ExternalName needs a name',
      (s) => (s.spec = { type: 'ExternalName' }),
      ['spec.externalName FieldValueRequired'],
    ],
    [
      'ExternalName is a DNS name',
      (s) => (s.spec = { type: 'ExternalName', externalName: 'Not A Name' }),
      ['spec.externalName FieldValueInvalid'],
    ],
    [
      'port range (the defaulted target port follows it)',
      (s) => (s.spec.ports[0].port = 0),
      ['spec.ports[0].port FieldValueInvalid', 'spec.ports[0].targetPort FieldValueInvalid'],
    ],
    [
      'names required with several ports',
      (s) => s.spec.ports.push({ name: 'b', port: 81 }),
      ['spec.ports[0].name FieldValueRequired'],
    ],
    [
      'unique port names',
      (s) =>
        (s.spec.ports = [
          { name: 'a', port: 80 },
          { name: 'a', port: 81 },
        ]),
      ['spec.ports[1].name FieldValueDuplicate'],
    ],
    [
      'port names are DNS labels',
      (s) => (s.spec.ports[0].name = 'HTTP'),
      ['spec.ports[0].name FieldValueInvalid'],
    ],
    [
      'unique port and protocol',
      (s) =>
        (s.spec.ports = [
          { name: 'a', port: 80 },
          { name: 'b', port: 80 },
        ]),
      ['spec.ports[1] FieldValueDuplicate'],
    ],
    [
      'same port on two protocols is fine',
      (s) =>
        (s.spec.ports = [
          { name: 'a', port: 53 },
          { name: 'b', port: 53, protocol: 'UDP' },
        ]),
      [],
    ],
    [
      'protocol values',
      (s) => (s.spec.ports[0].protocol = 'HTTP'),
      ['spec.ports[0].protocol FieldValueNotSupported'],
    ],
    [
      'target port name',
      (s) => (s.spec.ports[0].targetPort = 'Web Port'),
      ['spec.ports[0].targetPort FieldValueInvalid'],
    ],
    [
      'target port number',
      (s) => (s.spec.ports[0].targetPort = 70000),
      ['spec.ports[0].targetPort FieldValueInvalid'],
    ],
    [
      'no node port on ClusterIP',
      (s) => (s.spec.ports[0].nodePort = 30080),
      ['spec.ports[0].nodePort FieldValueForbidden'],
    ],
    [
      'node port range',
      (s) => Object.assign(s.spec, { type: 'NodePort', ports: [{ port: 80, nodePort: 70000 }] }),
      ['spec.ports[0].nodePort FieldValueInvalid'],
    ],
    [
      'unique node ports',
      (s) =>
        Object.assign(s.spec, {
          type: 'NodePort',
          ports: [
            { name: 'a', port: 80, nodePort: 30080 },
            { name: 'b', port: 81, nodePort: 30080 },
          ],
        }),
      ['spec.ports[1].nodePort FieldValueDuplicate'],
    ],
    ['type values', (s) => (s.spec.type = 'Ingress'), ['spec.type FieldValueNotSupported']],
    [
      'session affinity values',
      (s) => (s.spec.sessionAffinity = 'Sticky'),
      ['spec.sessionAffinity FieldValueNotSupported'],
    ],
    [
      'affinity timeout range',
      (s) =>
        Object.assign(s.spec, {
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } },
        }),
      ['spec.sessionAffinityConfig.clientIP.timeoutSeconds FieldValueInvalid'],
    ],
    ['cluster IP syntax', (s) => (s.spec.clusterIP = '10.0.0'), ['spec.clusterIP FieldValueInvalid']],
    [
      'no headless NodePort',
      (s) => Object.assign(s.spec, { type: 'NodePort', clusterIP: 'None' }),
      ['spec.clusterIP FieldValueInvalid'],
    ],
    [
      'ExternalName has no cluster IP',
      (s) => (s.spec = { type: 'ExternalName', externalName: 'x.example', clusterIP: '10.0.0.1' }),
      ['spec.clusterIP FieldValueForbidden'],
    ],
    ['external IPs', (s) => (s.spec.externalIPs = ['nope']), ['spec.externalIPs[0] FieldValueInvalid']],
    [
      'externalTrafficPolicy only where reachable from outside',
      (s) => (s.spec.externalTrafficPolicy = 'Local'),
      ['spec.externalTrafficPolicy FieldValueInvalid'],
    ],
    [
      'internalTrafficPolicy values',
      (s) => (s.spec.internalTrafficPolicy = 'Node'),
      ['spec.internalTrafficPolicy FieldValueNotSupported'],
    ],
    ['selector labels', (s) => (s.spec.selector = { app: 'bad value' }), ['spec.selector FieldValueInvalid']],
    [
      'service names are DNS-1035 labels',
      (s) => (s.metadata.name = '1web'),
      ['metadata.name FieldValueInvalid'],
    ],
  ])('%s', (_name, mutate, expected) => {
    expect(summary(svc(mutate))).toEqual(expected);
  });

  it('uses Kubernetes messages', () => {
    expect(
      messageOf(
        svc((s) => (s.spec.type = 'Ingress')),
        'spec.type',
      ),
    ).toBe(
      'Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    );
    expect(
      messageOf(
        svc(
          (s) =>
            (s.spec.ports = [
              { name: 'a', port: 80 },
              { name: 'b', port: 80 },
            ]),
        ),
        'spec.ports[1]',
      ),
    ).toBe(
      'Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    );
    expect(
      messageOf(
        svc((s) => (s.spec.ports[0].nodePort = 30080)),
        'spec.ports[0].nodePort',
      ),
    ).toBe("Forbidden: may not be used when `type` is 'ClusterIP'");
    expect(
      messageOf(
        svc((s) => (s.metadata.name = '1web')),
        'metadata.name',
      ),
    ).toBe(
      "Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    );
    expect(
      messageOf(
        svc((s) => (s.spec.clusterIP = 'x')),
        'spec.clusterIP',
      ),
    ).toBe('Invalid value: "x": must be empty, \'None\', or a valid IP address');
  });
});

describe('service update validation', () => {
  const allocated = () => {
    const s = validService();
    s.spec.clusterIP = '127.10.0.7';
    return s;
  };

  it('keeps an allocated cluster IP immutable', () => {
    const causes = updateCauses('services', allocated(), (s) => {
      s.spec.clusterIP = '127.10.0.8';
      s.spec.clusterIPs = ['127.10.0.8'];
    });
    expect(causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "127.10.0.8": field is immutable',
        field: 'spec.clusterIP',
      },
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "127.10.0.8": field is immutable',
        field: 'spec.clusterIPs[0]',
      },
    ]);
  });

  it('allows the first allocation, port and selector changes, and a switch to ExternalName', () => {
    expect(updateCauses('services', validService(), (s) => (s.spec.clusterIP = '127.10.0.9'))).toEqual([]);
    expect(updateCauses('services', allocated(), (s) => (s.spec.ports = [{ port: 8080 }]))).toEqual([]);
    expect(updateCauses('services', allocated(), (s) => (s.spec.selector = { app: 'v2' }))).toEqual([]);
    expect(
      updateCauses(
        'services',
        allocated(),
        (s) => (s.spec = { type: 'ExternalName', externalName: 'x.example' }),
      ),
    ).toEqual([]);
  });
});
