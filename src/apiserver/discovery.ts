// Discovery documents, built from the resource table: the legacy trio (/api → APIVersions, /apis →
// APIGroupList, /api/v1 → APIResourceList) and the aggregated form kubectl 1.32 asks for first
// (apidiscovery.k8s.io APIGroupDiscoveryList). The bodies never change while the process runs, so each
// is built once.
import { createHash } from 'node:crypto';
import { coreResources, type ResourceInfo, servedResources } from '../api/resources.js';

export type AggregatedDiscoveryVersion = 'v2' | 'v2beta1';

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** What each subresource answers and accepts; kinds other than the parent's carry their own GVK. */
const subresourceShapes: Record<string, { verbs: string[]; gvk?: GroupVersionKind }> = {
  status: { verbs: ['get', 'patch', 'update'] },
  scale: { verbs: ['get', 'patch', 'update'], gvk: { group: 'autoscaling', version: 'v1', kind: 'Scale' } },
  binding: { verbs: ['create'], gvk: { group: '', version: 'v1', kind: 'Binding' } },
  log: { verbs: ['get'] },
};

function subresourceShape(sub: string): { verbs: string[]; gvk?: GroupVersionKind } {
  const shape = subresourceShapes[sub];
  if (!shape) throw new Error(`discovery: no shape for subresource "${sub}"`);
  return shape;
}

/**
 * Kubernetes' storageVersionHash: the first 8 bytes of sha256("<group>/<version>/<kind>") in base64.
 * Clients only compare it for equality; computing it the same way keeps it stable across restarts.
 */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256')
    .update(`${group}/${version}/${kind}`)
    .digest()
    .subarray(0, 8)
    .toString('base64');
}

/** `/api`: the legacy group's versions. */
export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** The named groups (all at version v1), in table order: rbac.authorization.k8s.io, coordination.k8s.io, authorization.k8s.io. */
export function namedGroups(): { name: string; version: string; resources: ResourceInfo[] }[] {
  const groups = new Map<string, { name: string; version: string; resources: ResourceInfo[] }>();
  for (const r of servedResources) {
    if (r.group === '') continue;
    let g = groups.get(r.group);
    if (!g) groups.set(r.group, (g = { name: r.group, version: r.version, resources: [] }));
    g.resources.push(r);
  }
  return [...groups.values()];
}

/** `/apis/{group}`: one APIGroup. */
export function apiGroup(name: string, version: string): object {
  const groupVersion = { groupVersion: `${name}/${version}`, version };
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name,
    versions: [groupVersion],
    preferredVersion: groupVersion,
  };
}

/** `/apis`: every named group (clients require the document even when it is empty). */
export function apiGroupList(): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: namedGroups().map((g) => {
      const { kind: _k, apiVersion: _a, ...group } = apiGroup(g.name, g.version) as Record<string, unknown>;
      return group;
    }),
  };
}

/** `/apis/{group}/{version}`: that group's APIResourceList. */
export function groupApiResourceList(group: string, version: string): object {
  const resources = servedResources.filter((r) => r.group === group && r.version === version);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${group}/${version}`,
    resources: resources.flatMap(resourceEntries).sort((a, b) => byName(a).localeCompare(byName(b))),
  };
}

function resourceEntries(r: ResourceInfo): object[] {
  const main = {
    name: r.name,
    singularName: r.singularName,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: [...r.verbs],
    ...(r.shortNames.length ? { shortNames: [...r.shortNames] } : {}),
    ...(r.categories.length ? { categories: [...r.categories] } : {}),
    storageVersionHash: storageVersionHash(r.group, r.version, r.kind),
  };
  const subs = r.subresources.map((sub) => {
    const shape = subresourceShape(sub);
    return {
      name: `${r.name}/${sub}`,
      singularName: '',
      namespaced: r.namespaced,
      ...(shape.gvk && shape.gvk.group !== r.group
        ? { group: shape.gvk.group, version: shape.gvk.version }
        : {}),
      kind: shape.gvk?.kind ?? r.kind,
      verbs: shape.verbs,
    };
  });
  return [main, ...subs];
}

let coreList: object | undefined;

/** `/api/v1`: every resource and subresource entry, sorted by name as Kubernetes lists them. */
export function coreApiResourceList(): object {
  coreList ??= {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: coreResources.flatMap(resourceEntries).sort((a, b) => byName(a).localeCompare(byName(b))),
  };
  return coreList;
}

function byName(entry: object): string {
  return (entry as { name: string }).name;
}

function resourceDiscovery(r: ResourceInfo): object {
  return {
    resource: r.name,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singularName,
    verbs: [...r.verbs],
    ...(r.shortNames.length ? { shortNames: [...r.shortNames] } : {}),
    ...(r.categories.length ? { categories: [...r.categories] } : {}),
    ...(r.subresources.length
      ? {
          subresources: r.subresources.map((sub) => {
            const shape = subresourceShape(sub);
            return {
              subresource: sub,
              responseKind: shape.gvk ?? { group: r.group, version: r.version, kind: r.kind },
              verbs: shape.verbs,
            };
          }),
        }
      : {}),
  };
}

const aggregated = new Map<string, object>();

/**
 * `/api` or `/apis` as an APIGroupDiscoveryList. The legacy group is the one item of `/api` (its name
 * is ""), and `/apis` has one item per named group. Serve it with `aggregatedDiscoveryContentType(version)`.
 */
export function aggregatedDiscovery(which: 'api' | 'apis', version: AggregatedDiscoveryVersion): object {
  const key = `${which}/${version}`;
  let doc = aggregated.get(key);
  if (!doc) {
    const groupDiscovery = (name: string, version: string, resources: readonly ResourceInfo[]) => ({
      metadata: name === '' ? { creationTimestamp: null } : { name, creationTimestamp: null },
      versions: [
        {
          version,
          resources: [...resources].sort((a, b) => a.name.localeCompare(b.name)).map(resourceDiscovery),
          freshness: 'Current',
        },
      ],
    });
    const items =
      which === 'api'
        ? [groupDiscovery('', 'v1', coreResources)]
        : namedGroups().map((g) => groupDiscovery(g.name, g.version, g.resources));
    doc = {
      kind: 'APIGroupDiscoveryList',
      apiVersion: `apidiscovery.k8s.io/${version}`,
      metadata: {},
      items,
    };
    aggregated.set(key, doc);
  }
  return doc;
}

/** The Content-Type an aggregated discovery answer must carry; kubectl checks it against the body. */
export function aggregatedDiscoveryContentType(version: AggregatedDiscoveryVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}
