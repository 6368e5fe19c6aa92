import { describe, expect, it } from 'vitest';
import type { Pod, Service } from '../../api/types.js';
import { containerEnv, EnvError, expandCommand } from './env.js';
import { expandVars } from './expand.js';
import { clusterIpAddress, gatewayAddress, serviceEnv, servicesForPod } from './service-env.js';

const pod: Pod = {
  metadata: {
    name: 'web-1',
    namespace: 'shop',
    uid: 'u-1',
    labels: { app: 'web', tier: 'front' },
    annotations: { note: 'hi' },
  },
  spec: {
    nodeName: 'node-7',
    serviceAccountName: 'default',
    containers: [
      {
        name: 'main',
        image: 'x',
        resources: { limits: { cpu: '1500m', memory: '64Mi' }, requests: { cpu: '250m' } },
      },
    ],
  },
};
const values = { hostIP: '127.0.1.7', podIP: '172.19.0.9', nodeAllocatable: { cpu: '2', memory: '4Gi' } };

describe('$(VAR) expansion', () => {
  const vars = new Map([
    ['A', 'alpha'],
    ['B', '$(A)'],
  ]);
  const lookup = (n: string) => vars.get(n);
  it('follows Kubernetes rules', () => {
    expect(expandVars('x-$(A)-y', lookup)).toBe('x-alpha-y');
    expect(expandVars('$(MISSING)', lookup)).toBe('$(MISSING)');
    expect(expandVars('$$(A)', lookup)).toBe('$(A)');
    expect(expandVars('cost $5', lookup)).toBe('cost $5');
    expect(expandVars('open $(A', lookup)).toBe('open $(A');
    expect(expandVars('$(B)', lookup)).toBe('$(A)'); // no recursion
  });
});

describe('container environment', () => {
  it('resolves downward values, resource fields and expansion in order', () => {
    const env = containerEnv(
      pod,
      {
        ...pod.spec.containers[0]!,
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
          { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
          { name: 'CPU_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
          { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'URL', value: 'http://$(POD_IP):80/$(APP)' },
          { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'c', key: 'k', optional: true } } },
        ],
      },
      [{ name: 'WEB_SERVICE_HOST', value: '127.10.0.5' }],
      values,
    );
    expect(Object.fromEntries(env.map((e) => [e.name, e.value]))).toEqual({
      WEB_SERVICE_HOST: '127.10.0.5',
      POD_NAME: 'web-1',
      POD_NAMESPACE: 'shop',
      POD_IP: '172.19.0.9',
      HOST_IP: '127.0.1.7',
      NODE_NAME: 'node-7',
      UID: 'u-1',
      APP: 'web',
      CPU: '2',
      CPU_M: '250',
      MEM_MI: '64',
      URL: 'http://172.19.0.9:80/web',
    });
    expect(env[0]!.name).toBe('WEB_SERVICE_HOST'); // service variables come first
  });

  it('lets a container variable override a service variable and reads node allocatable for unset limits', () => {
    const env = containerEnv(
      pod,
      {
        name: 'c',
        env: [
          { name: 'WEB_SERVICE_HOST', value: 'mine' },
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Gi' } } },
        ],
      },
      [{ name: 'WEB_SERVICE_HOST', value: '127.10.0.5' }],
      values,
    );
    expect(env).toEqual([
      { name: 'WEB_SERVICE_HOST', value: 'mine' },
      { name: 'MEM', value: '4' },
    ]);
  });

  it('fails on sources kubelite has no objects for', () => {
    expect(() =>
      containerEnv(
        pod,
        { name: 'c', env: [{ name: 'S', valueFrom: { secretKeyRef: { name: 'db', key: 'pw' } } }] },
        [],
        values,
      ),
    ).toThrow(EnvError);
  });

  it('expands command and args against the final environment', () => {
    expect(expandCommand(['echo', '$(A)', '$(NOPE)'], [{ name: 'A', value: '1' }])).toEqual([
      'echo',
      '1',
      '$(NOPE)',
    ]);
  });
});

describe('service environment', () => {
  const svc = (
    name: string,
    ns: string,
    ports: Service['spec']['ports'],
    clusterIP = '127.10.0.8',
  ): Service => ({
    metadata: { name, namespace: ns },
    spec: { clusterIP, ports },
  });
  const redis = svc('redis-master', 'shop', [
    { name: 'db', port: 6379, protocol: 'TCP', nodePort: 30123 },
    { name: 'metrics', port: 9121, nodePort: 30124 },
  ]);

  it('writes the 2014 and Docker-links variables at the cluster IP for process pods', () => {
    const env = Object.fromEntries(serviceEnv([redis], clusterIpAddress).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      REDIS_MASTER_SERVICE_HOST: '127.10.0.8',
      REDIS_MASTER_SERVICE_PORT: '6379',
      REDIS_MASTER_SERVICE_PORT_DB: '6379',
      REDIS_MASTER_SERVICE_PORT_METRICS: '9121',
      REDIS_MASTER_PORT: 'tcp://127.10.0.8:6379',
      REDIS_MASTER_PORT_6379_TCP: 'tcp://127.10.0.8:6379',
      REDIS_MASTER_PORT_6379_TCP_PROTO: 'tcp',
      REDIS_MASTER_PORT_6379_TCP_PORT: '6379',
      REDIS_MASTER_PORT_6379_TCP_ADDR: '127.10.0.8',
      REDIS_MASTER_PORT_9121_TCP: 'tcp://127.10.0.8:9121',
    });
  });

  it('points Docker pods at the node proxy through the gateway and the node port', () => {
    const env = Object.fromEntries(
      serviceEnv([redis], gatewayAddress('172.19.0.1')).map((e) => [e.name, e.value]),
    );
    expect(env.REDIS_MASTER_SERVICE_HOST).toBe('172.19.0.1');
    expect(env.REDIS_MASTER_SERVICE_PORT).toBe('30123');
    expect(env.REDIS_MASTER_PORT_6379_TCP).toBe('tcp://172.19.0.1:30123');
  });

  it('skips headless services and picks the namespace plus the master service', () => {
    const byNs: Record<string, Service[]> = {
      shop: [redis, svc('headless', 'shop', [{ port: 80 }], 'None')],
      default: [
        svc('kubernetes', 'default', [{ port: 443, name: 'https' }], '127.10.0.1'),
        svc('other', 'default', [{ port: 1 }]),
      ],
    };
    const chosen = servicesForPod('shop', (ns) => byNs[ns] ?? [], true);
    expect(chosen.map((s) => s.metadata.name)).toEqual(['redis-master', 'headless', 'kubernetes']);
    const names = serviceEnv(chosen, clusterIpAddress).map((e) => e.name);
    expect(names.some((n) => n.startsWith('HEADLESS'))).toBe(false);
    expect(names).toContain('KUBERNETES_SERVICE_HOST');
    const noLinks = servicesForPod('shop', (ns) => byNs[ns] ?? [], false);
    expect(noLinks.map((s) => s.metadata.name)).toEqual(['kubernetes']);
  });
});
