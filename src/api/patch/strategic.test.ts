import { describe, expect, it } from 'vitest';
import { errorOf } from '../validation/testing.js';
import { applyPatch, patchTypeOf, strategicMergePatch } from './index.js';

type Obj = Record<string, any>;

const pod = (): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['a.io/one', 'a.io/two'] },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'nginx:1.27',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
      { name: 'side', image: 'busybox' },
    ],
    volumes: [{ name: 'data', configMap: { name: 'cfg' } }],
    tolerations: [{ key: 'a', operator: 'Exists' }],
    securityContext: { runAsUser: 1000 },
  },
  status: {
    phase: 'Running',
    conditions: [
      { type: 'Ready', status: 'False' },
      { type: 'PodScheduled', status: 'True' },
    ],
  },
});

const smp = (kind: string, original: Obj, patch: unknown) =>
  strategicMergePatch(kind, original, patch) as Obj;
const names = (list: Obj[]) => list.map((item) => item.name);

describe('strategic merge: maps and scalars', () => {
  it('merges maps and replaces scalars', () => {
    const result = smp('Pod', pod(), {
      metadata: { labels: { tier: 'fe' } },
      spec: { securityContext: { fsGroup: 2000 } },
    });
    expect(result.metadata.labels).toEqual({ app: 'web', tier: 'fe' });
    expect(result.spec.securityContext).toEqual({ runAsUser: 1000, fsGroup: 2000 });
  });

  it('deletes keys set to null, and ignores nulls for absent keys', () => {
    const result = smp('Pod', pod(), {
      metadata: { labels: { app: null, nothere: null } },
      spec: { securityContext: null },
    });
    expect(result.metadata.labels).toEqual({});
    expect(result.spec.securityContext).toBeUndefined();
    expect(
      smp('Pod', pod(), { metadata: { annotations: { a: null, b: 'x' } } }).metadata.annotations,
    ).toEqual({ b: 'x' });
  });

  it('applies kubectl cordon and uncordon', () => {
    const node = { metadata: { name: 'n1' }, spec: { podCIDRs: ['10.0.0.0/24'] } };
    expect(smp('Node', node, { spec: { unschedulable: true } }).spec).toEqual({
      podCIDRs: ['10.0.0.0/24'],
      unschedulable: true,
    });
    expect(
      smp('Node', { ...node, spec: { unschedulable: true } }, { spec: { unschedulable: null } }).spec,
    ).toEqual({});
  });

  it('applies kubectl label --overwrite and label removal sent as strategic patches', () => {
    expect(smp('Pod', pod(), { metadata: { labels: { app: 'v2' } } }).metadata.labels).toEqual({ app: 'v2' });
    expect(smp('Pod', pod(), { metadata: { labels: { app: null } } }).metadata.labels).toEqual({});
  });

  it('$patch: replace replaces a map; $patch: delete empties it', () => {
    expect(
      smp('Pod', pod(), { metadata: { labels: { $patch: 'replace', only: 'this' } } }).metadata.labels,
    ).toEqual({
      only: 'this',
    });
    expect(
      smp('Pod', pod(), { spec: { securityContext: { $patch: 'delete' } } }).spec.securityContext,
    ).toEqual({});
  });

  it('replaces a value whose type changes', () => {
    expect(smp('Pod', pod(), { spec: { tolerations: 'none' } }).spec.tolerations).toBe('none');
    expect(smp('Pod', pod(), { status: { phase: { odd: true } } }).status.phase).toEqual({ odd: true });
  });

  it('never mutates its inputs', () => {
    const original = pod();
    const before = structuredClone(original);
    const patch = {
      spec: { containers: [{ name: 'web', image: 'x', $setElementOrder: 1 }], $retainKeys: ['containers'] },
    };
    const patchBefore = structuredClone(patch);
    smp('Pod', original, patch);
    expect(original).toEqual(before);
    expect(patch).toEqual(patchBefore);
  });
});

describe('strategic merge: lists merged by key', () => {
  it('merges containers by name, keeping the others', () => {
    const result = smp('Pod', pod(), { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } });
    expect(names(result.spec.containers)).toEqual(['web', 'side']);
    expect(result.spec.containers[0]).toMatchObject({
      image: 'nginx:1.28',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
    });
  });

  it('puts items new to a list before the live ones when no order is given (as Kubernetes does)', () => {
    const result = smp('Pod', pod(), { spec: { containers: [{ name: 'extra', image: 'x' }] } });
    expect(names(result.spec.containers)).toEqual(['extra', 'web', 'side']);
  });

  it('merges nested lists: env by name, ports by containerPort, volumeMounts by mountPath', () => {
    const result = smp('Pod', pod(), {
      spec: {
        containers: [
          {
            name: 'web',
            env: [{ name: 'B', value: 'two' }],
            ports: [{ containerPort: 80, name: 'http' }],
            volumeMounts: [{ mountPath: '/data', readOnly: true }],
          },
        ],
      },
    });
    const web = result.spec.containers[0];
    expect(web.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'two' },
    ]);
    expect(web.ports).toEqual([{ containerPort: 80, protocol: 'TCP', name: 'http' }]);
    expect(web.volumeMounts).toEqual([{ name: 'data', mountPath: '/data', readOnly: true }]);
  });

  it('deletes list items with {"$patch": "delete", <key>: v}', () => {
    const result = smp('Pod', pod(), { spec: { containers: [{ $patch: 'delete', name: 'side' }] } });
    expect(names(result.spec.containers)).toEqual(['web']);
    const env = smp('Pod', pod(), {
      spec: { containers: [{ name: 'web', env: [{ $patch: 'delete', name: 'A' }] }] },
    });
    expect(env.spec.containers[0].env).toEqual([{ name: 'B', value: '2' }]);
  });

  it('replaces a whole list with a {"$patch": "replace"} item', () => {
    const result = smp('Pod', pod(), {
      spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x' }] },
    });
    expect(result.spec.containers).toEqual([{ name: 'only', image: 'x' }]);
  });

  it('replaces lists without a merge strategy (tolerations, endpoint subsets)', () => {
    expect(
      smp('Pod', pod(), { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } }).spec.tolerations,
    ).toEqual([{ key: 'b', operator: 'Exists' }]);
    const ep = { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] };
    expect(smp('Endpoints', ep, { subsets: [{ addresses: [{ ip: '10.0.0.2' }] }] }).subsets).toEqual([
      { addresses: [{ ip: '10.0.0.2' }] },
    ]);
  });

  it('merges status conditions by type (kubelet status patches)', () => {
    const result = smp('Pod', pod(), {
      status: {
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'ContainersReady', status: 'True' },
        ],
      },
    });
    expect(result.status.conditions).toEqual([
      { type: 'Ready', status: 'True' },
      { type: 'ContainersReady', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ]);
  });

  it('merges service ports by port, node addresses by type, owner references by uid, pull secrets by name', () => {
    const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
    expect(smp('Service', svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }).spec.ports).toEqual([
      { port: 80, targetPort: 9090 },
      { port: 443 },
    ]);
    const node = {
      status: {
        addresses: [
          { type: 'InternalIP', address: '127.0.1.1' },
          { type: 'Hostname', address: 'n1' },
        ],
      },
    };
    expect(
      smp('Node', node, { status: { addresses: [{ type: 'Hostname', address: 'n2' }] } }).status.addresses,
    ).toEqual([
      { type: 'InternalIP', address: '127.0.1.1' },
      { type: 'Hostname', address: 'n2' },
    ]);
    const owned = { metadata: { ownerReferences: [{ uid: 'u1', name: 'rc', controller: true }] } };
    expect(
      smp('Pod', owned, { metadata: { ownerReferences: [{ uid: 'u1', blockOwnerDeletion: true }] } }).metadata
        .ownerReferences,
    ).toEqual([{ uid: 'u1', name: 'rc', controller: true, blockOwnerDeletion: true }]);
    const secrets = { spec: { imagePullSecrets: [{ name: 'a' }] } };
    expect(
      smp('Pod', secrets, { spec: { imagePullSecrets: [{ name: 'b' }] } }).spec.imagePullSecrets,
    ).toEqual([{ name: 'b' }, { name: 'a' }]);
  });

  it('follows the template path of replication controllers', () => {
    const rc = {
      spec: {
        replicas: 1,
        template: {
          spec: {
            containers: [
              { name: 'a', image: 'x' },
              { name: 'b', image: 'y' },
            ],
          },
        },
      },
    };
    const result = smp('ReplicationController', rc, {
      spec: { template: { spec: { containers: [{ name: 'b', image: 'z' }] } } },
    });
    expect(result.spec.template.spec.containers).toEqual([
      { name: 'a', image: 'x' },
      { name: 'b', image: 'z' },
    ]);
  });
});

describe('strategic merge: primitive lists', () => {
  it('merges finalizers as an ordered set', () => {
    expect(
      smp('Pod', pod(), { metadata: { finalizers: ['a.io/two', 'a.io/three'] } }).metadata.finalizers,
    ).toEqual(['a.io/one', 'a.io/two', 'a.io/three']);
  });

  it('deletes from primitive lists with $deleteFromPrimitiveList', () => {
    expect(
      smp('Pod', pod(), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a.io/one'] } }).metadata
        .finalizers,
    ).toEqual(['a.io/two']);
    expect(
      smp('Pod', { metadata: {} }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } }).metadata,
    ).toEqual({});
  });

  it('replaces primitive lists without a merge strategy', () => {
    const svc = { spec: { externalIPs: ['10.0.0.1'] } };
    expect(smp('Service', svc, { spec: { externalIPs: ['10.0.0.2'] } }).spec.externalIPs).toEqual([
      '10.0.0.2',
    ]);
  });
});

describe('strategic merge: $setElementOrder and $retainKeys (kubectl apply)', () => {
  it('honours $setElementOrder and strips it', () => {
    const result = smp('Pod', pod(), {
      spec: {
        '$setElementOrder/containers': [{ name: 'side' }, { name: 'web' }],
        containers: [{ name: 'web', image: 'nginx:1.28' }],
      },
    });
    expect(names(result.spec.containers)).toEqual(['side', 'web']);
    expect(result.spec.containers[1].image).toBe('nginx:1.28');
    expect(Object.keys(result.spec)).not.toContain('$setElementOrder/containers');
  });

  it('places new items where $setElementOrder says', () => {
    const result = smp('Pod', pod(), {
      spec: {
        '$setElementOrder/containers': [{ name: 'web' }, { name: 'side' }, { name: 'extra' }],
        containers: [{ name: 'extra', image: 'x' }],
      },
    });
    expect(names(result.spec.containers)).toEqual(['web', 'side', 'extra']);
  });

  it('orders primitive lists too', () => {
    const result = smp('Pod', pod(), {
      metadata: {
        '$setElementOrder/finalizers': ['a.io/two', 'a.io/new', 'a.io/one'],
        finalizers: ['a.io/new'],
      },
    });
    expect(result.metadata.finalizers).toEqual(['a.io/two', 'a.io/new', 'a.io/one']);
  });

  it('applies a real kubectl apply patch: last-applied annotation, image change, env order, removed container', () => {
    const lastApplied =
      '{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"name":"web","namespace":"default"},"spec":{"containers":[{"env":[{"name":"A","value":"1"},{"name":"B","value":"3"}],"image":"nginx:1.28","name":"web"}]}}\n';
    const patch = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } },
      spec: {
        '$setElementOrder/containers': [{ name: 'web' }],
        containers: [
          {
            '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }],
            env: [{ name: 'B', value: '3' }],
            image: 'nginx:1.28',
            name: 'web',
          },
          { $patch: 'delete', name: 'side' },
        ],
      },
    };
    const result = applyPatch('strategic', 'Pod', pod(), patch) as Obj;
    expect(result.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBe(lastApplied);
    expect(result.spec.containers).toEqual([
      {
        name: 'web',
        image: 'nginx:1.28',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '3' },
        ],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
    ]);
    expect(JSON.stringify(result)).not.toMatch(/\$setElementOrder|\$patch/);
  });

  it('applies a kubectl apply patch that removes a field with null', () => {
    const result = smp('Pod', pod(), {
      spec: {
        '$setElementOrder/containers': [{ name: 'web' }, { name: 'side' }],
        containers: [{ name: 'web', ports: null }],
      },
    });
    expect(result.spec.containers[0].ports).toBeUndefined();
    expect(names(result.spec.containers)).toEqual(['web', 'side']);
  });

  it('$retainKeys drops the fields of the live item that the patch does not keep (volume source switch)', () => {
    const result = smp('Pod', pod(), {
      spec: {
        '$setElementOrder/volumes': [{ name: 'data' }],
        volumes: [{ $retainKeys: ['name', 'secret'], name: 'data', secret: { secretName: 's' } }],
      },
    });
    expect(result.spec.volumes).toEqual([{ name: 'data', secret: { secretName: 's' } }]);
  });

  it('$retainKeys rejects patch fields it does not list', () => {
    const e = errorOf(() => smp('Pod', pod(), { spec: { securityContext: { $retainKeys: ['a'], b: 1 } } }));
    expect(e.reason).toBe('BadRequest');
    expect(e.message).toBe('invalid patch format of retainKeys');
  });

  it('rejects a $setElementOrder list that contradicts the patch list', () => {
    const e = errorOf(() =>
      smp('Pod', pod(), {
        spec: {
          '$setElementOrder/containers': [{ name: 'side' }],
          containers: [{ name: 'web', image: 'x' }],
        },
      }),
    );
    expect(e.reason).toBe('BadRequest');
    expect(e.message).toMatch(/^The order in patch list:/);
  });
});

describe('strategic merge: errors', () => {
  it.each<[string, unknown, string, string]>([
    [
      'unknown map directive',
      { spec: { $patch: 'merge-ish' } },
      'BadRequest',
      'unknown patch type: merge-ish in map',
    ],
    [
      'unknown list directive',
      { spec: { containers: [{ $patch: 'nope', name: 'x' }] } },
      'BadRequest',
      'unknown patch type: nope',
    ],
    [
      'missing merge key',
      { spec: { containers: [{ image: 'x' }] } },
      'BadRequest',
      'does not contain declared merge key: name',
    ],
    [
      'delete without merge key',
      { spec: { containers: [{ $patch: 'delete' }] } },
      'BadRequest',
      'does not contain declared merge key: name',
    ],
    [
      'lists of lists',
      { metadata: { ownerReferences: [['x']] } },
      'Invalid',
      'the server rejected our request',
    ],
    [
      'mixed element types',
      { metadata: { finalizers: [1] } },
      'BadRequest',
      'list element types are not identical',
    ],
    [
      'not an object',
      [1],
      'BadRequest',
      'json: cannot unmarshal array into Go value of type map[string]interface {}',
    ],
  ])('%s', (_name, patch, reason, message) => {
    const e = errorOf(() => smp('Pod', pod(), patch));
    expect(e.reason).toBe(reason);
    expect(e.message).toContain(message);
  });

  it('is safe against "__proto__" keys', () => {
    const result = smp('Pod', pod(), JSON.parse('{"metadata":{"__proto__":{"polluted":true}}}'));
    expect(({} as Obj).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result.metadata)).toBe(Object.prototype);
  });
});

describe('apply (server-side apply body) and content types', () => {
  it('merges the intended object onto the live one, keeping server-owned fields', () => {
    const live = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', uid: 'u1', resourceVersion: '7', labels: { app: 'web' } },
      spec: {
        clusterIP: '127.10.0.7',
        ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }],
        selector: { app: 'web' },
      },
      status: { loadBalancer: {} },
    };
    const applied = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { ports: [{ port: 80, targetPort: 9090 }] },
    };
    const result = applyPatch('apply', 'Service', live, applied) as Obj;
    expect(result.metadata).toEqual(live.metadata);
    expect(result.spec).toEqual({
      clusterIP: '127.10.0.7',
      ports: [{ port: 80, targetPort: 9090, protocol: 'TCP' }],
      selector: { app: 'web' },
    });
    expect(result.status).toEqual({ loadBalancer: {} });
  });

  it('accepts YAML text for apply', () => {
    const result = applyPatch('apply', 'Pod', pod(), 'metadata:\n  labels:\n    tier: fe\n') as Obj;
    expect(result.metadata.labels).toEqual({ app: 'web', tier: 'fe' });
    expect(() => applyPatch('apply', 'Pod', pod(), 'a: [')).toThrow(/error decoding patch/);
  });

  it('maps content types to patch types', () => {
    expect(patchTypeOf('application/json-patch+json')).toBe('json');
    expect(patchTypeOf('application/merge-patch+json')).toBe('merge');
    expect(patchTypeOf('application/strategic-merge-patch+json')).toBe('strategic');
    expect(patchTypeOf('application/apply-patch+yaml')).toBe('apply');
    expect(patchTypeOf('Application/Merge-Patch+JSON; charset=utf-8')).toBe('merge');
    expect(patchTypeOf('application/json')).toBeUndefined();
    expect(patchTypeOf('')).toBeUndefined();
  });

  it('patches Scale objects (unknown to the schema) as plain merges', () => {
    const scale = { kind: 'Scale', spec: { replicas: 1 }, status: { replicas: 1, selector: 'app=web' } };
    expect(applyPatch('strategic', 'Scale', scale, { spec: { replicas: 3 } })).toEqual({
      ...scale,
      spec: { replicas: 3 },
    });
  });
});
