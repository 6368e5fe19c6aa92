import { describe, expect, it } from 'vitest';
import { applyDefaults, computeQosClass, defaultPullPolicy } from './defaults.js';
import type { KubeObject } from './types.js';

function defaulted(resource: string, obj: Record<string, unknown>): any {
  const copy = structuredClone({ metadata: {}, ...obj }) as KubeObject;
  applyDefaults(resource, copy);
  return copy;
}

describe('pod defaults', () => {
  const pod = defaulted('pods', {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
          livenessProbe: { httpGet: { port: 80 } },
          readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
          lifecycle: { preStop: { httpGet: { port: 80, path: '/quit' } } },
          env: [
            { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            {
              name: 'MEM',
              valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1024Ki' } },
            },
          ],
        },
      ],
      initContainers: [{ name: 'init', image: 'busybox' }],
      volumes: [{ name: 'scratch' }, { name: 'host', hostPath: { path: '/tmp' } }],
    },
  });

  it('fills the pod spec defaults', () => {
    expect(pod.spec).toMatchObject({
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      securityContext: {},
    });
  });

  it('fills container defaults, in init containers too', () => {
    const [c] = pod.spec.containers;
    expect(c).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      resources: {},
    });
    expect(c.ports).toEqual([
      { containerPort: 80, protocol: 'TCP' },
      { containerPort: 53, protocol: 'UDP' },
    ]);
    expect(pod.spec.initContainers[0]).toMatchObject({
      imagePullPolicy: 'Always',
      terminationMessagePolicy: 'File',
    });
  });

  it('fills probe and handler defaults without overriding what is set', () => {
    const [c] = pod.spec.containers;
    expect(c.livenessProbe).toEqual({
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(c.readinessProbe.periodSeconds).toBe(5);
    expect(c.lifecycle.preStop.httpGet).toEqual({ port: 80, path: '/quit', scheme: 'HTTP' });
  });

  it('fills downward API defaults', () => {
    const [c] = pod.spec.containers;
    expect(c.env[0].valueFrom.fieldRef).toEqual({ fieldPath: 'metadata.name', apiVersion: 'v1' });
    expect(c.env[1].valueFrom.resourceFieldRef).toEqual({ resource: 'limits.memory', divisor: '1Mi' });
  });

  it('gives source-less volumes an emptyDir', () => {
    expect(pod.spec.volumes).toEqual([
      { name: 'scratch', emptyDir: {} },
      { name: 'host', hostPath: { path: '/tmp' } },
    ]);
  });

  it('sets status phase Pending and the QoS class', () => {
    expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    const running = defaulted('pods', {
      spec: { containers: [] },
      status: { phase: 'Running', qosClass: 'Burstable' },
    });
    expect(running.status).toEqual({ phase: 'Running', qosClass: 'Burstable' });
  });

  it('defaults requests to limits on pods, and canonicalizes quantities', () => {
    const p = defaulted('pods', {
      spec: {
        containers: [
          { name: 'a', image: 'x', resources: { limits: { cpu: '1000m', memory: 128 * 1024 * 1024 } } },
          { name: 'b', image: 'x', resources: { limits: { cpu: '0.5' }, requests: { cpu: '100m' } } },
        ],
      },
    });
    // A plain number has no binary suffix, so it stays decimal, as Kubernetes prints it.
    expect(p.spec.containers[0].resources).toEqual({
      limits: { cpu: '1', memory: '134217728' },
      requests: { cpu: '1', memory: '134217728' },
    });
    expect(p.spec.containers[1].resources).toEqual({ limits: { cpu: '500m' }, requests: { cpu: '100m' } });
    expect(p.status.qosClass).toBe('Burstable');
  });

  it('leaves unparseable quantities for validation to report', () => {
    const p = defaulted('pods', {
      spec: { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: 'lots' } } }] },
    });
    expect(p.spec.containers[0].resources.limits.cpu).toBe('lots');
  });

  it('copies container ports to host ports under hostNetwork', () => {
    const p = defaulted('pods', {
      spec: { hostNetwork: true, containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 8080 }] }] },
    });
    expect(p.spec.containers[0].ports[0]).toEqual({ containerPort: 8080, hostPort: 8080, protocol: 'TCP' });
  });

  it('creates a spec for a pod without one, so that validation reports containers', () => {
    expect(defaulted('pods', {}).spec.restartPolicy).toBe('Always');
  });

  it('is idempotent', () => {
    const again = structuredClone(pod);
    applyDefaults('pods', again);
    expect(again).toEqual(pod);
  });
});

describe('defaultPullPolicy', () => {
  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['registry.local:5000/team/app', 'Always'],
    ['registry.local:5000/team/app:v2', 'IfNotPresent'],
    ['registry.local:5000/team/app:latest', 'Always'],
    ['app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
    ['app:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'Always'],
    ['', 'IfNotPresent'],
  ])('%j → %s', (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
  });
});

describe('computeQosClass', () => {
  const pod = (...containers: object[]) => ({ metadata: {}, spec: { containers } }) as unknown as KubeObject;
  it.each([
    ['BestEffort', pod({ name: 'a' })],
    ['BestEffort', pod({ name: 'a', resources: { limits: { 'example.com/gpu': '1' } } })],
    ['Burstable', pod({ name: 'a', resources: { requests: { cpu: '100m' } } })],
    [
      'Guaranteed',
      pod({
        name: 'a',
        resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1024Mi' } },
      }),
    ],
    [
      'Burstable',
      pod({
        name: 'a',
        resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } },
      }),
    ],
    ['Burstable', pod({ name: 'a', resources: { limits: { cpu: '1' }, requests: { cpu: '1' } } })],
    [
      'Burstable',
      pod(
        {
          name: 'a',
          resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } },
        },
        { name: 'b' },
      ),
    ],
    ['BestEffort', pod({ name: 'a', resources: { requests: { cpu: '0' } } })],
  ])('%s', (qos, p) => {
    expect(computeQosClass(p)).toBe(qos);
  });
});

describe('service defaults', () => {
  it('fills ClusterIP defaults', () => {
    const svc = defaulted('services', {
      spec: {
        selector: { app: 'web' },
        ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }],
      },
    });
    expect(svc.spec).toEqual({
      selector: { app: 'web' },
      ports: [
        { port: 80, protocol: 'TCP', targetPort: 80 },
        { port: 53, protocol: 'UDP', targetPort: 'dns' },
      ],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
    expect(svc.status).toEqual({ loadBalancer: {} });
  });

  it('defaults ClientIP affinity timeout and drops affinity config for None', () => {
    const sticky = defaulted('services', { spec: { sessionAffinity: 'ClientIP', ports: [{ port: 1 }] } });
    expect(sticky.spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
    const kept = defaulted('services', {
      spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } },
    });
    expect(kept.spec.sessionAffinityConfig.clientIP.timeoutSeconds).toBe(60);
    const none = defaulted('services', {
      spec: { sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } },
    });
    expect(none.spec.sessionAffinityConfig).toBeUndefined();
  });

  it('sets externalTrafficPolicy for externally accessible services only', () => {
    expect(defaulted('services', { spec: { type: 'NodePort' } }).spec.externalTrafficPolicy).toBe('Cluster');
    expect(defaulted('services', { spec: { type: 'LoadBalancer' } }).spec).toMatchObject({
      externalTrafficPolicy: 'Cluster',
      allocateLoadBalancerNodePorts: true,
    });
    expect(defaulted('services', { spec: { externalIPs: ['10.0.0.1'] } }).spec.externalTrafficPolicy).toBe(
      'Cluster',
    );
    expect(defaulted('services', { spec: {} }).spec.externalTrafficPolicy).toBeUndefined();
  });

  it('mirrors an assigned cluster IP into clusterIPs and picks its family; ExternalName gets neither', () => {
    expect(defaulted('services', { spec: { clusterIP: '127.10.0.5' } }).spec).toMatchObject({
      clusterIPs: ['127.10.0.5'],
      ipFamilies: ['IPv4'],
    });
    expect(defaulted('services', { spec: { clusterIP: 'fd00::5' } }).spec.ipFamilies).toEqual(['IPv6']);
    const ext = defaulted('services', { spec: { type: 'ExternalName', externalName: 'example.com' } });
    expect(ext.spec.ipFamilies).toBeUndefined();
    expect(ext.spec.internalTrafficPolicy).toBeUndefined();
  });
});

describe('replication controller defaults', () => {
  it('takes selector and labels from the template, replicas 1, template gets pod spec defaults', () => {
    const rc = defaulted('replicationcontrollers', {
      metadata: { name: 'web' },
      spec: {
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx' }] },
        },
      },
    });
    expect(rc.spec.selector).toEqual({ app: 'web' });
    expect(rc.metadata.labels).toEqual({ app: 'web' });
    expect(rc.spec.replicas).toBe(1);
    expect(rc.spec.template.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
    });
    expect(rc.spec.template.spec.containers[0].imagePullPolicy).toBe('Always');
    // Pod-only defaults stay off templates, as in Kubernetes.
    expect(rc.spec.template.spec.enableServiceLinks).toBeUndefined();
    expect(rc.status).toEqual({ replicas: 0 });
  });

  it('keeps an explicit selector, labels and replicas (0 included)', () => {
    const rc = defaulted('replicationcontrollers', {
      metadata: { labels: { team: 'a' } },
      spec: {
        replicas: 0,
        selector: { app: 'web' },
        template: { metadata: { labels: { app: 'web', v: '2' } } },
      },
    });
    expect(rc.spec.selector).toEqual({ app: 'web' });
    expect(rc.metadata.labels).toEqual({ team: 'a' });
    expect(rc.spec.replicas).toBe(0);
    expect(rc.spec.template.spec.restartPolicy).toBe('Always');
  });
});

describe('other resources', () => {
  it('namespaces: the kubernetes finalizer and phase Active; an emptied finalizer list stays empty', () => {
    expect(defaulted('namespaces', { metadata: { name: 'x' } })).toMatchObject({
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
    const finalized = defaulted('namespaces', { spec: { finalizers: [] }, status: { phase: 'Terminating' } });
    expect(finalized.spec.finalizers).toEqual([]);
    expect(finalized.status.phase).toBe('Terminating');
  });

  it('nodes: spec {}, allocatable from capacity, canonical quantities', () => {
    const node = defaulted('nodes', {
      status: { capacity: { cpu: '2000m', memory: '2048Mi', pods: '110' } },
    });
    expect(node.spec).toEqual({});
    expect(node.status.capacity).toEqual({ cpu: '2', memory: '2Gi', pods: '110' });
    expect(node.status.allocatable).toEqual({ cpu: '2', memory: '2Gi', pods: '110' });
    expect(node.status.phase).toBeUndefined();
  });

  it('endpoints: port protocol TCP', () => {
    const ep = defaulted('endpoints', {
      subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }],
    });
    expect(ep.subsets[0].ports).toEqual([
      { port: 80, protocol: 'TCP' },
      { port: 53, protocol: 'UDP' },
    ]);
  });

  it('events: nothing, as in Kubernetes', () => {
    const ev = { metadata: { name: 'e' }, involvedObject: { kind: 'Pod' } };
    expect(defaulted('events', ev)).toEqual(ev);
  });

  it('tolerates garbage without throwing (validation reports it)', () => {
    for (const resource of [
      'pods',
      'services',
      'replicationcontrollers',
      'namespaces',
      'nodes',
      'endpoints',
    ]) {
      for (const body of [
        { spec: 'x', status: 3 },
        { spec: { containers: 'x', ports: [1, null], template: [] } },
      ]) {
        expect(() => defaulted(resource, body)).not.toThrow();
      }
    }
  });
});
