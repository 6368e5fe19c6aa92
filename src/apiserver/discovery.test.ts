import { describe, expect, it } from 'vitest';
import { coreResources } from '../api/resources.js';
import {
  aggregatedDiscovery,
  aggregatedDiscoveryContentType,
  apiGroupList,
  apiVersions,
  coreApiResourceList,
  storageVersionHash,
} from './discovery.js';

type Entry = Record<string, any>;

describe('legacy discovery', () => {
  it('serves /api and /apis', () => {
    expect(apiVersions('127.0.0.1:6443')).toEqual({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
    });
    const rbac = { groupVersion: 'rbac.authorization.k8s.io/v1', version: 'v1' };
    expect((apiGroupList() as { groups: unknown[] }).groups[0]).toEqual({
      name: 'rbac.authorization.k8s.io',
      versions: [rbac],
      preferredVersion: rbac,
    });
  });

  it('lists every resource with short names, categories and verbs', () => {
    const list = coreApiResourceList() as { kind: string; groupVersion: string; resources: Entry[] };
    expect(list.kind).toBe('APIResourceList');
    expect(list.groupVersion).toBe('v1');
    const byName = new Map(list.resources.map((r) => [r.name, r]));
    expect(byName.get('pods')).toEqual({
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
      storageVersionHash: 'xPOwRZ+Yhw8=', // the value real Kubernetes advertises for pods
    });
    const shortNames = Object.fromEntries(
      list.resources.filter((r) => r.shortNames).map((r) => [r.name, r.shortNames[0]]),
    );
    expect(shortNames).toEqual({
      endpoints: 'ep',
      events: 'ev',
      namespaces: 'ns',
      nodes: 'no',
      pods: 'po',
      replicationcontrollers: 'rc',
      services: 'svc',
    });
    const all = list.resources.filter((r) => r.categories?.includes('all')).map((r) => r.name);
    expect(all).toEqual(['pods', 'replicationcontrollers', 'services']);
    expect(byName.get('nodes')?.namespaced).toBe(false);
    expect(byName.get('namespaces')?.namespaced).toBe(false);
    expect(byName.get('events')?.categories).toBeUndefined();
  });

  it('lists subresources as Kubernetes does', () => {
    const list = coreApiResourceList() as { resources: Entry[] };
    const byName = new Map(list.resources.map((r) => [r.name, r]));
    expect(byName.get('pods/log')).toEqual({
      name: 'pods/log',
      singularName: '',
      namespaced: true,
      kind: 'Pod',
      verbs: ['get'],
    });
    expect(byName.get('pods/binding')).toEqual({
      name: 'pods/binding',
      singularName: '',
      namespaced: true,
      kind: 'Binding',
      verbs: ['create'],
    });
    expect(byName.get('pods/status')?.verbs).toEqual(['get', 'patch', 'update']);
    expect(byName.get('replicationcontrollers/scale')).toEqual({
      name: 'replicationcontrollers/scale',
      singularName: '',
      namespaced: true,
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    });
    expect(byName.get('nodes/status')).toMatchObject({ namespaced: false, kind: 'Node' });
    const count = coreResources.reduce((n, r) => n + 1 + r.subresources.length, 0);
    expect(list.resources).toHaveLength(count);
    const names = list.resources.map((r) => r.name);
    expect(names).toEqual([...names].sort());
  });
});

describe('aggregated discovery', () => {
  it('describes the legacy group in /api for both versions', () => {
    for (const version of ['v2', 'v2beta1'] as const) {
      const doc = aggregatedDiscovery('api', version) as Entry;
      expect(doc.kind).toBe('APIGroupDiscoveryList');
      expect(doc.apiVersion).toBe(`apidiscovery.k8s.io/${version}`);
      expect(doc.items).toHaveLength(1);
      const group = doc.items[0];
      expect(group.metadata).toEqual({ creationTimestamp: null });
      expect(group.versions).toHaveLength(1);
      expect(group.versions[0].version).toBe('v1');
      expect(group.versions[0].freshness).toBe('Current');
      expect(group.versions[0].resources.map((r: Entry) => r.resource)).toEqual(
        coreResources.map((r) => r.name).sort(),
      );
    }
  });

  it('carries scope, kinds, short names and subresources per resource', () => {
    const doc = aggregatedDiscovery('api', 'v2') as Entry;
    const resources = new Map<string, Entry>(
      doc.items[0].versions[0].resources.map((r: Entry) => [r.resource, r]),
    );
    expect(resources.get('replicationcontrollers')).toEqual({
      resource: 'replicationcontrollers',
      responseKind: { group: '', version: 'v1', kind: 'ReplicationController' },
      scope: 'Namespaced',
      singularResource: 'replicationcontroller',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['rc'],
      categories: ['all'],
      subresources: [
        {
          subresource: 'status',
          responseKind: { group: '', version: 'v1', kind: 'ReplicationController' },
          verbs: ['get', 'patch', 'update'],
        },
        {
          subresource: 'scale',
          responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
          verbs: ['get', 'patch', 'update'],
        },
      ],
    });
    expect(resources.get('nodes')?.scope).toBe('Cluster');
    expect(resources.get('endpoints')?.subresources).toBeUndefined();
  });

  it('serves /apis with the named groups and names the content type', () => {
    const doc = aggregatedDiscovery('apis', 'v2') as Entry;
    expect(doc.kind).toBe('APIGroupDiscoveryList');
    expect(doc.items.map((g: Entry) => g.metadata.name)).toEqual([
      'rbac.authorization.k8s.io',
      'coordination.k8s.io',
      'authorization.k8s.io',
    ]);
    expect(doc.items[0].versions[0].resources.map((r: Entry) => r.resource)).toEqual([
      'clusterrolebindings',
      'clusterroles',
      'rolebindings',
      'roles',
    ]);
    expect(doc.items[1].versions[0].resources).toEqual([
      {
        resource: 'leases',
        responseKind: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' },
        scope: 'Namespaced',
        singularResource: 'lease',
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      },
    ]);
    expect(aggregatedDiscoveryContentType('v2beta1')).toBe(
      'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
    );
  });

  it('computes storage version hashes like Kubernetes', () => {
    expect(storageVersionHash('', 'v1', 'Pod')).toBe('xPOwRZ+Yhw8=');
    expect(storageVersionHash('', 'v1', 'Service')).not.toBe(storageVersionHash('', 'v1', 'Pod'));
  });
});
