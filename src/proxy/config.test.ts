import { describe, expect, it } from 'vitest';
import type { Endpoints, Service } from '../api/types.js';
import { serviceConfigFromApi } from './config.js';

const service: Service = {
  metadata: { name: 'web', namespace: 'shop', annotations: { 'kubelite.io/proxy-mode': 'http' } },
  spec: {
    type: 'NodePort',
    clusterIP: '127.10.0.5',
    sessionAffinity: 'ClientIP',
    sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
    ports: [
      { name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' },
      { name: 'metrics', port: 9090, protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
    ],
  },
};

const endpoints: Endpoints = {
  metadata: {
    name: 'web',
    namespace: 'shop',
    annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2024-05-01T10:00:00.250Z' },
  },
  subsets: [
    {
      addresses: [{ ip: '127.1.0.3' }, { ip: '127.1.0.2' }],
      notReadyAddresses: [{ ip: '127.1.0.9' }],
      ports: [
        { name: 'http', port: 8080 },
        { name: 'metrics', port: 9100 },
      ],
    },
    { addresses: [{ ip: '127.1.0.2' }, { ip: '127.1.0.4' }], ports: [{ name: 'http', port: 8080 }] },
  ],
};

describe('serviceConfigFromApi', () => {
  it('builds one config per port with its ready endpoints, sorted and without duplicates', () => {
    const [http, metrics, dns] = serviceConfigFromApi(service, endpoints);
    expect(http).toMatchObject({
      key: 'shop/web:http',
      clusterIP: '127.10.0.5',
      port: 80,
      nodePort: 30080,
      mode: 'http',
      sessionAffinity: 'ClientIP',
      affinityTimeoutMs: 60_000,
      endpointsChangedAtMs: Date.parse('2024-05-01T10:00:00.250Z'),
    });
    expect(http!.endpoints.map((e) => e.key)).toEqual(['127.1.0.2:8080', '127.1.0.3:8080', '127.1.0.4:8080']);
    expect(metrics!.endpoints.map((e) => e.key)).toEqual(['127.1.0.2:9100', '127.1.0.3:9100']);
    expect(dns).toMatchObject({ protocol: 'UDP', endpoints: [] });
  });

  it('has no endpoints without an Endpoints object, and no ports for headless or ExternalName', () => {
    const [http] = serviceConfigFromApi(
      { ...service, spec: { ...service.spec, type: 'ClusterIP' } },
      undefined,
    );
    expect(http!.endpoints).toEqual([]);
    // A ClusterIP port keeps a node port the apiserver gave it (nodePortsForAllServices).
    expect(http!.nodePort).toBe(30080);
    expect(
      serviceConfigFromApi({ ...service, spec: { ...service.spec, clusterIP: 'None' } }, endpoints),
    ).toEqual([]);
    expect(
      serviceConfigFromApi({ ...service, spec: { type: 'ExternalName', externalName: 'x' } }, endpoints),
    ).toEqual([]);
  });

  it('matches an unnamed port to unnamed endpoint ports and defaults affinity off', () => {
    const plain: Service = {
      metadata: { name: 'p' },
      spec: { clusterIP: '127.10.0.6', ports: [{ port: 1 }] },
    };
    const eps: Endpoints = {
      metadata: { name: 'p' },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: 7 }] }],
    };
    const [config] = serviceConfigFromApi(plain, eps);
    expect(config).toMatchObject({ key: 'default/p:', sessionAffinity: 'None', mode: undefined });
    expect(config!.endpoints).toEqual([
      { key: '127.0.0.1:7', ip: '127.0.0.1', port: 7, nodeName: undefined },
    ]);
  });
});
