import { describe, expect, it } from 'vitest';
import { coreResources } from '../api/resources.js';
import { openApiV3CoreV1, openApiV3Document, openApiV3Root } from './openapi.js';

type Json = Record<string, any>;
const doc: Json = JSON.parse(openApiV3CoreV1().body.toString());
const schemas: Json = doc.components.schemas;

/** Every `$ref` in a document. */
function refsIn(document: Json): string[] {
  const refs: string[] = [];
  (function walk(v: unknown) {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) k === '$ref' ? refs.push(String(x)) : walk(x);
    }
  })(document);
  return refs;
}

/** Follows `allOf: [{$ref}]` / `$ref` the way kubectl's strategic patch code (PatchMetaFromOpenAPIV3) does. */
function resolve(schema: Json): Json {
  const inner = schema.allOf ? schema.allOf[0] : schema;
  if (!inner.$ref) return inner;
  const name = String(inner.$ref).replace('#/components/schemas/', '');
  const target = schemas[name];
  if (!target) throw new Error(`unresolvable ${inner.$ref}`);
  return target;
}

function schemaForKind(kind: string, group = ''): Json {
  const found = Object.values(schemas).find((s: Json) =>
    s['x-kubernetes-group-version-kind']?.some(
      (g: Json) => g.kind === kind && g.group === group && g.version === 'v1',
    ),
  );
  if (!found) throw new Error(`no schema for ${kind}`);
  return found;
}

/** The property schema at a dotted path ("spec.containers.ports"), stepping into array items. */
function propertyAt(kind: string, path: string): Json {
  let schema = schemaForKind(kind);
  let property: Json = schema;
  for (const key of path.split('.')) {
    if (schema.type === 'array') schema = resolve(schema.items);
    property = schema.properties?.[key];
    if (!property) throw new Error(`unable to find api field "${key}" of ${path}`);
    schema = resolve(property);
  }
  return property;
}

/** Every key of a realistic object must be a known field, or kubectl apply warns and falls back. */
function unknownFields(value: unknown, schema: Json, at: string, out: string[]): string[] {
  schema = resolve(schema);
  if (Array.isArray(value)) {
    for (const v of value) unknownFields(v, schema.items ?? {}, `${at}[]`, out);
  } else if (value && typeof value === 'object') {
    if (schema.additionalProperties) {
      for (const [k, v] of Object.entries(value))
        unknownFields(v, schema.additionalProperties, `${at}.${k}`, out);
    } else {
      for (const [k, v] of Object.entries(value)) {
        const property = schema.properties?.[k];
        if (!property) out.push(`${at}.${k}`);
        else unknownFields(v, property, `${at}.${k}`, out);
      }
    }
  }
  return out;
}

describe('openApiV3Root and the document', () => {
  it('points api/v1 at the document by its hash, built once', () => {
    const first = openApiV3CoreV1();
    expect(openApiV3CoreV1()).toBe(first);
    expect(first.hash).toMatch(/^[0-9A-F]{128}$/);
    const coordination = openApiV3Document('apis/coordination.k8s.io/v1')!;
    const rbac = openApiV3Document('apis/rbac.authorization.k8s.io/v1')!;
    expect(openApiV3Root()).toEqual({
      paths: {
        'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${first.hash}` },
        'apis/rbac.authorization.k8s.io/v1': {
          serverRelativeURL: `/openapi/v3/apis/rbac.authorization.k8s.io/v1?hash=${rbac.hash}`,
        },
        'apis/coordination.k8s.io/v1': {
          serverRelativeURL: `/openapi/v3/apis/coordination.k8s.io/v1?hash=${coordination.hash}`,
        },
      },
    });
    expect(openApiV3Document('api/v1')).toBe(first);
    expect(openApiV3Document('/api/v1/')).toBe(first);
    expect(openApiV3Document('apis/apps/v1')).toBeUndefined();
  });

  it('is OpenAPI 3.0 with every reference resolvable', () => {
    expect(doc.openapi).toBe('3.0.0');
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(300);
    expect(refs.filter((r) => !schemas[r.replace('#/components/schemas/', '')])).toEqual([]);
  });

  it('has a schema with x-kubernetes-group-version-kind for every served kind and list', () => {
    for (const r of coreResources) {
      expect(schemaForKind(r.kind).properties.metadata).toBeDefined();
      expect(schemaForKind(r.listKind).properties.items.type).toBe('array');
    }
    expect(schemaForKind('Scale', 'autoscaling').properties.spec).toBeDefined();
    expect(schemaForKind('Binding').required).toEqual(['target']);
    expect(schemaForKind('DeleteOptions').properties.propagationPolicy).toBeDefined();
  });
});

describe('paths, as kubectl create/apply check them', () => {
  /** kubectl's supportsQueryParamV3: a PATCH operation for the GVK that lists the parameter. */
  const patchOpsFor = (kind: string, group = '') =>
    Object.values(doc.paths as Json)
      .map((p: Json) => p.patch)
      .filter((op: Json | undefined) => {
        const gvk = op?.['x-kubernetes-group-version-kind'];
        return gvk && gvk.kind === kind && gvk.group === group && gvk.version === 'v1';
      });

  it('gives every PATCH, POST and PUT a GVK and a fieldValidation parameter', () => {
    let count = 0;
    for (const path of Object.values(doc.paths as Json)) {
      for (const method of ['patch', 'post', 'put']) {
        const op = path[method];
        if (!op) continue;
        count++;
        expect(op['x-kubernetes-group-version-kind']).toBeDefined();
        expect(op.parameters.map((p: Json) => p.name)).toContain('fieldValidation');
      }
    }
    expect(count).toBeGreaterThan(20);
    for (const r of coreResources) expect(patchOpsFor(r.kind).length).toBeGreaterThan(0);
    expect(patchOpsFor('Scale', 'autoscaling')).toHaveLength(1);
  });

  it('accepts every patch type and declares a strategic merge patch body', () => {
    const op = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
    expect(Object.keys(op.requestBody.content).sort()).toEqual([
      'application/apply-patch+yaml',
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ]);
    expect(op.parameters.map((p: Json) => p.name)).toEqual([
      'dryRun',
      'fieldManager',
      'fieldValidation',
      'force',
    ]);
    expect(op.operationId).toBe('patchCoreV1NamespacedPod');
  });

  it('lays out namespaced, cluster-scoped and subresource paths', () => {
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/api/v1/namespaces/{namespace}/pods',
      '/api/v1/namespaces/{namespace}/pods/{name}',
      '/api/v1/namespaces/{namespace}/pods/{name}/status',
      '/api/v1/namespaces/{namespace}/pods/{name}/binding',
      '/api/v1/namespaces/{namespace}/pods/{name}/log',
      '/api/v1/namespaces/{namespace}/replicationcontrollers/{name}/scale',
      '/api/v1/pods',
      '/api/v1/nodes',
      '/api/v1/nodes/{name}/status',
      '/api/v1/namespaces/{name}',
    ]) {
      expect(paths).toContain(p);
    }
    expect(doc.paths['/api/v1/nodes'].parameters.map((p: Json) => p.name)).toEqual(['pretty']);
    const list = doc.paths['/api/v1/namespaces/{namespace}/pods'].get;
    expect(list['x-kubernetes-action']).toBe('list');
    expect(list.parameters.map((p: Json) => p.name)).toContain('watch');
    expect(
      doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/log'].get.responses['200'].content,
    ).toHaveProperty('text/plain');
    expect(
      doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/binding'].post['x-kubernetes-group-version-kind']
        .kind,
    ).toBe('Binding');
  });
});

describe('strategic merge metadata', () => {
  it.each([
    ['Pod', 'spec.containers', 'name', 'merge'],
    ['Pod', 'spec.initContainers', 'name', 'merge'],
    ['Pod', 'spec.containers.ports', 'containerPort', 'merge'],
    ['Pod', 'spec.containers.env', 'name', 'merge'],
    ['Pod', 'spec.containers.volumeMounts', 'mountPath', 'merge'],
    ['Pod', 'spec.volumes', 'name', 'merge,retainKeys'],
    ['Pod', 'spec.imagePullSecrets', 'name', 'merge'],
    ['Pod', 'status.conditions', 'type', 'merge'],
    ['Pod', 'metadata.ownerReferences', 'uid', 'merge'],
    ['ReplicationController', 'spec.template.spec.containers', 'name', 'merge'],
    ['Service', 'spec.ports', 'port', 'merge'],
    ['Node', 'status.conditions', 'type', 'merge'],
    ['Node', 'status.addresses', 'type', 'merge'],
    ['Namespace', 'status.conditions', 'type', 'merge'],
  ])('%s %s merges by %s', (kind, path, key, strategy) => {
    const p = propertyAt(kind, path);
    expect(p.type).toBe('array');
    expect(p['x-kubernetes-patch-merge-key']).toBe(key);
    expect(p['x-kubernetes-patch-strategy']).toBe(strategy);
  });

  it('replaces atomic lists', () => {
    for (const [kind, path] of [
      ['Pod', 'spec.tolerations'],
      ['Pod', 'spec.containers.args'],
      ['Node', 'spec.taints'],
      ['Endpoints', 'subsets'],
    ] as const) {
      const p = propertyAt(kind, path);
      expect(p['x-kubernetes-patch-merge-key']).toBeUndefined();
      expect(p['x-kubernetes-list-type']).toBe('atomic');
    }
  });

  it('knows every field of realistic manifests (no "unable to find api field" in kubectl apply)', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web',
        namespace: 'default',
        labels: { app: 'web' },
        annotations: { a: 'b' },
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ReplicationController', name: 'rc', uid: 'u', controller: true },
        ],
        finalizers: ['x'],
      },
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }] }],
            },
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchFields: [] } }],
          },
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 10,
                podAffinityTerm: { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } },
              },
            ],
          },
        },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }],
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }],
        nodeSelector: { disk: 'ssd' },
        securityContext: {
          runAsUser: 1000,
          fsGroup: 2000,
          sysctls: [{ name: 'a', value: '1' }],
          seccompProfile: { type: 'RuntimeDefault' },
        },
        dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }] },
        hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo'] }],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        serviceAccountName: 'default',
        schedulerName: 'default-scheduler',
        priorityClassName: 'high',
        readinessGates: [{ conditionType: 'x' }],
        volumes: [
          { name: 'data', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
          { name: 'host', hostPath: { path: '/tmp', type: 'Directory' } },
          { name: 'cfg', configMap: { name: 'c', items: [{ key: 'k', path: 'p' }] } },
          { name: 'sec', secret: { secretName: 's', defaultMode: 420 } },
          { name: 'pvc', persistentVolumeClaim: { claimName: 'claim' } },
          {
            name: 'proj',
            projected: {
              sources: [
                { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
                { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
              ],
            },
          },
        ],
        initContainers: [{ name: 'init', image: 'busybox', command: ['true'], restartPolicy: 'Always' }],
        containers: [
          {
            name: 'app',
            image: 'busybox',
            imagePullPolicy: 'IfNotPresent',
            command: ['sh'],
            args: ['-c', 'sleep 1'],
            workingDir: '/',
            ports: [{ name: 'http', containerPort: 80, protocol: 'TCP', hostPort: 8080 }],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'C', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
              { name: 'D', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } },
              { name: 'E', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } },
            ],
            envFrom: [{ configMapRef: { name: 'c' }, prefix: 'X_' }, { secretRef: { name: 's' } }],
            resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } },
            volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true, subPath: 'x' }],
            livenessProbe: {
              exec: { command: ['true'] },
              initialDelaySeconds: 1,
              periodSeconds: 5,
              failureThreshold: 3,
            },
            readinessProbe: {
              httpGet: { path: '/', port: 'http', httpHeaders: [{ name: 'X', value: 'y' }] },
            },
            startupProbe: { tcpSocket: { port: 80 }, grpc: { port: 9000 } },
            lifecycle: { postStart: { exec: { command: ['true'] } }, preStop: { sleep: { seconds: 3 } } },
            securityContext: {
              runAsNonRoot: true,
              readOnlyRootFilesystem: true,
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
            },
            stdin: true,
            tty: true,
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
          },
        ],
      },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 't', lastProbeTime: null }],
        hostIP: '127.0.1.1',
        hostIPs: [{ ip: '127.0.1.1' }],
        podIP: '10.0.0.1',
        podIPs: [{ ip: '10.0.0.1' }],
        startTime: 't',
        qosClass: 'Burstable',
        containerStatuses: [
          {
            name: 'app',
            ready: true,
            started: true,
            restartCount: 1,
            image: 'busybox',
            imageID: 'sha',
            containerID: 'docker://x',
            state: { running: { startedAt: 't' } },
            lastState: {
              terminated: {
                exitCode: 1,
                reason: 'Error',
                signal: 9,
                startedAt: 't',
                finishedAt: 't',
                containerID: 'c',
              },
            },
          },
        ],
      },
    };
    const rc = {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'rc' },
      spec: {
        replicas: 3,
        minReadySeconds: 1,
        selector: { app: 'web' },
        template: { metadata: { labels: { app: 'web' } }, spec: pod.spec },
      },
      status: {
        replicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
        fullyLabeledReplicas: 3,
        observedGeneration: 1,
        conditions: [],
      },
    };
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: {
        type: 'NodePort',
        selector: { app: 'web' },
        ports: [
          {
            name: 'http',
            port: 80,
            targetPort: 'http',
            nodePort: 30080,
            protocol: 'TCP',
            appProtocol: 'http',
          },
        ],
        clusterIP: '10.0.0.1',
        clusterIPs: ['10.0.0.1'],
        externalIPs: ['1.2.3.4'],
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        publishNotReadyAddresses: false,
      },
      status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } },
    };
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n' },
      spec: {
        podCIDR: '10.0.0.0/24',
        podCIDRs: ['10.0.0.0/24'],
        unschedulable: true,
        taints: [{ key: 'k', effect: 'NoSchedule' }],
      },
      status: {
        capacity: { cpu: '2' },
        allocatable: { cpu: '2' },
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            lastHeartbeatTime: 't',
            lastTransitionTime: 't',
            reason: 'r',
            message: 'm',
          },
        ],
        addresses: [{ type: 'InternalIP', address: '127.0.1.1' }],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian', architecture: 'amd64' },
        images: [{ names: ['busybox'], sizeBytes: 1 }],
      },
    };
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e' },
      involvedObject: {
        kind: 'Pod',
        name: 'p',
        namespace: 'default',
        uid: 'u',
        fieldPath: 'spec.containers{app}',
      },
      reason: 'Started',
      message: 'm',
      source: { component: 'kubelet', host: 'n' },
      firstTimestamp: 't',
      lastTimestamp: 't',
      count: 1,
      type: 'Normal',
      reportingComponent: 'kubelet',
      reportingInstance: 'n',
    };
    const endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 's' },
      subsets: [
        {
          addresses: [{ ip: '10.0.0.1', nodeName: 'n', targetRef: { kind: 'Pod', name: 'p' } }],
          ports: [{ port: 80, name: 'http' }],
        },
      ],
    };
    const namespace = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'ns' },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    for (const o of [pod, rc, service, node, event, endpoints, namespace]) {
      expect(unknownFields(o, schemaForKind(o.kind), o.kind, [])).toEqual([]);
    }
  });

  it('prints kubectl explain descriptions from the shared docs', () => {
    expect(propertyAt('Pod', 'spec.nodeName').description).toMatch(/^NodeName indicates in which node/);
    expect(resolve(propertyAt('Pod', 'metadata')).properties.name.description).toMatch(
      /^Name must be unique/,
    );
  });
});

describe('coordination.k8s.io/v1', () => {
  const lease: Json = JSON.parse(openApiV3Document('apis/coordination.k8s.io/v1')!.body.toString());
  const all: Json = lease.components.schemas;

  it('resolves every reference and describes Lease and LeaseList', () => {
    const refs = refsIn(lease);
    expect(refs.filter((r) => !all[r.replace('#/components/schemas/', '')])).toEqual([]);
    const spec = all['io.k8s.api.coordination.v1.LeaseSpec'];
    expect(Object.keys(spec.properties).sort()).toEqual([
      'acquireTime',
      'holderIdentity',
      'leaseDurationSeconds',
      'leaseTransitions',
      'preferredHolder',
      'renewTime',
      'strategy',
    ]);
    expect(all['io.k8s.api.coordination.v1.LeaseList']['x-kubernetes-group-version-kind']).toEqual([
      { group: 'coordination.k8s.io', version: 'v1', kind: 'LeaseList' },
    ]);
  });

  it('has the namespaced paths with group-version operation ids and fieldValidation on PATCH', () => {
    const item = lease.paths['/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}'];
    expect(item.get.operationId).toBe('readCoordinationV1NamespacedLease');
    expect(item.patch['x-kubernetes-group-version-kind']).toEqual({
      group: 'coordination.k8s.io',
      version: 'v1',
      kind: 'Lease',
    });
    expect(item.patch.parameters.map((p: Json) => p.name)).toContain('fieldValidation');
    expect(lease.paths['/apis/coordination.k8s.io/v1/leases'].get.operationId).toBe(
      'listCoordinationV1LeaseForAllNamespaces',
    );
    expect(lease.paths['/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases'].delete.tags).toEqual([
      'coordination_v1',
    ]);
  });
});

describe('rbac.authorization.k8s.io/v1', () => {
  const rbac: Json = JSON.parse(openApiV3Document('apis/rbac.authorization.k8s.io/v1')!.body.toString());
  const all: Json = rbac.components.schemas;
  const v1 = 'io.k8s.api.rbac.v1.';
  const props = (name: string) => Object.keys(all[`${v1}${name}`].properties).sort();
  /** The schema name a property refers to (`allOf: [{$ref}]`). */
  const refName = (schema: Json): string => String(schema.allOf[0].$ref).replace('#/components/schemas/', '');

  it('resolves every reference and describes the kinds with Kubernetes field names', () => {
    const refs = refsIn(rbac);
    expect(refs.filter((r) => !all[r.replace('#/components/schemas/', '')])).toEqual([]);
    expect(props('Role')).toEqual(['apiVersion', 'kind', 'metadata', 'rules']);
    expect(props('ClusterRole')).toEqual(['aggregationRule', 'apiVersion', 'kind', 'metadata', 'rules']);
    for (const binding of ['RoleBinding', 'ClusterRoleBinding']) {
      expect(props(binding)).toEqual(['apiVersion', 'kind', 'metadata', 'roleRef', 'subjects']);
      expect(all[`${v1}${binding}`].required).toEqual(['roleRef']);
    }
    expect(props('PolicyRule')).toEqual([
      'apiGroups',
      'nonResourceURLs',
      'resourceNames',
      'resources',
      'verbs',
    ]);
    expect(all[`${v1}PolicyRule`].required).toEqual(['verbs']);
    expect(props('Subject')).toEqual(['apiGroup', 'kind', 'name', 'namespace']);
    expect(props('RoleRef')).toEqual(['apiGroup', 'kind', 'name']);
    expect(refName(all[`${v1}AggregationRule`].properties.clusterRoleSelectors.items)).toBe(
      'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
    );
    expect(refName(all[`${v1}ClusterRole`].properties.aggregationRule)).toBe(`${v1}AggregationRule`);
    const rules = all[`${v1}Role`].properties.rules;
    expect(rules['x-kubernetes-list-type']).toBe('atomic');
    expect(refName(rules.items)).toBe(`${v1}PolicyRule`);
    for (const kind of ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']) {
      expect(all[`${v1}${kind}`]['x-kubernetes-group-version-kind']).toEqual([
        { group: 'rbac.authorization.k8s.io', version: 'v1', kind },
      ]);
      const list = all[`${v1}${kind}List`];
      expect(list['x-kubernetes-group-version-kind']).toEqual([
        { group: 'rbac.authorization.k8s.io', version: 'v1', kind: `${kind}List` },
      ]);
      expect(list.description).toBe(`${kind}List is a collection of ${kind}s`);
      expect(refName(list.properties.items.items)).toBe(`${v1}${kind}`);
    }
  });

  it('has a path for every verb of the resource table, namespaced and cluster scoped', () => {
    const root = '/apis/rbac.authorization.k8s.io/v1';
    const role = rbac.paths[`${root}/namespaces/{namespace}/roles/{name}`];
    expect(
      Object.keys(role)
        .filter((k) => k !== 'parameters')
        .sort(),
    ).toEqual(['delete', 'get', 'patch', 'put']);
    expect(role.get.operationId).toBe('readRbacAuthorizationV1NamespacedRole');
    expect(role.patch.tags).toEqual(['rbacAuthorization_v1']);
    expect(role.patch['x-kubernetes-group-version-kind']).toEqual({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      kind: 'Role',
    });
    expect(role.patch.parameters.map((p: Json) => p.name)).toContain('fieldValidation');
    const roles = rbac.paths[`${root}/namespaces/{namespace}/roles`];
    expect(
      Object.keys(roles)
        .filter((k) => k !== 'parameters')
        .sort(),
    ).toEqual(['delete', 'get', 'post']);
    expect(roles.post.operationId).toBe('createRbacAuthorizationV1NamespacedRole');
    expect(roles.delete.operationId).toBe('deleteRbacAuthorizationV1CollectionNamespacedRole');
    expect(rbac.paths[`${root}/roles`].get.operationId).toBe('listRbacAuthorizationV1RoleForAllNamespaces');
    expect(rbac.paths[`${root}/rolebindings`].get.operationId).toBe(
      'listRbacAuthorizationV1RoleBindingForAllNamespaces',
    );
    const clusterRole = rbac.paths[`${root}/clusterroles/{name}`];
    expect(clusterRole.put.operationId).toBe('replaceRbacAuthorizationV1ClusterRole');
    expect(clusterRole.put.parameters.map((p: Json) => p.name)).toContain('fieldValidation');
    expect(rbac.paths[`${root}/clusterrolebindings`].post.operationId).toBe(
      'createRbacAuthorizationV1ClusterRoleBinding',
    );
    expect(rbac.paths[`${root}/clusterroles`].get.operationId).toBe('listRbacAuthorizationV1ClusterRole');
    expect(rbac.paths[`${root}/clusterroles/{name}/status`]).toBeUndefined();
  });
});
