// The resources kubelite serves, described once. Discovery, routing, storage keys, clients and
// kubectl's short names all read this table, so adding a resource is one entry here plus its strategy.

export interface ResourceInfo {
  /** Plural, lower case: the URL segment and the storage key segment ("pods"). */
  readonly name: string;
  readonly singularName: string;
  readonly kind: string;
  readonly listKind: string;
  readonly namespaced: boolean;
  readonly group: string;
  readonly version: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs: readonly string[];
  readonly subresources: readonly string[];
}

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

function core(
  name: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[],
  categories: string[],
  subresources: string[],
  verbs: readonly string[] = allVerbs,
): ResourceInfo {
  return {
    name,
    singularName: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced,
    group: '',
    version: 'v1',
    shortNames,
    categories,
    verbs,
    subresources,
  };
}

export const coreResources: readonly ResourceInfo[] = [
  core('pods', 'Pod', true, ['po'], ['all'], ['status', 'binding', 'log']),
  core('services', 'Service', true, ['svc'], ['all'], ['status']),
  core('replicationcontrollers', 'ReplicationController', true, ['rc'], ['all'], ['status', 'scale']),
  core('endpoints', 'Endpoints', true, ['ep'], [], []),
  core('events', 'Event', true, ['ev'], [], []),
  core('nodes', 'Node', false, ['no'], [], ['status']),
  core('namespaces', 'Namespace', false, ['ns'], [], ['status']),
];

function grouped(
  group: string,
  name: string,
  kind: string,
  namespaced: boolean,
  verbs: readonly string[] = allVerbs,
): ResourceInfo {
  return { ...core(name, kind, namespaced, [], [], [], verbs), group, version: 'v1' };
}

export const rbacGroup = 'rbac.authorization.k8s.io';
export const authorizationGroup = 'authorization.k8s.io';

/** Kubernetes RBAC objects (rbac.authorization.k8s.io/v1), stored like the core resources. */
export const rbacResources: readonly ResourceInfo[] = [
  grouped(rbacGroup, 'clusterrolebindings', 'ClusterRoleBinding', false),
  grouped(rbacGroup, 'clusterroles', 'ClusterRole', false),
  grouped(rbacGroup, 'rolebindings', 'RoleBinding', true),
  grouped(rbacGroup, 'roles', 'Role', true),
];

export const coordinationGroup = 'coordination.k8s.io';
/** The namespace of the kubelets' node Leases (Kubernetes' NamespaceNodeLease). */
export const nodeLeaseNamespace = 'kube-node-lease';

/** Leases (coordination.k8s.io/v1): kubelets renew one per node as their heartbeat (KEP-589). */
export const coordinationResources: readonly ResourceInfo[] = [
  grouped(coordinationGroup, 'leases', 'Lease', true),
];

/** Access reviews (authorization.k8s.io/v1): computed answers to a create, never stored. */
export const reviewResources: readonly ResourceInfo[] = [
  grouped(authorizationGroup, 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, ['create']),
  grouped(authorizationGroup, 'subjectaccessreviews', 'SubjectAccessReview', false, ['create']),
  grouped(authorizationGroup, 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, ['create']),
];

/** What storage holds and the watch cache follows. */
export const storedResources: readonly ResourceInfo[] = [
  ...coreResources,
  ...rbacResources,
  ...coordinationResources,
];
/** Every resource the API serves, in every group. */
export const servedResources: readonly ResourceInfo[] = [...storedResources, ...reviewResources];

/** "v1" for the core group, "<group>/<version>" otherwise: the apiVersion of the resource's objects. */
export function apiVersionOf(resource: ResourceInfo): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

const byName = new Map(servedResources.map((r) => [r.name, r]));
const byKind = new Map(servedResources.map((r) => [r.kind, r]));
const byGroupVersion = new Map(servedResources.map((r) => [`${apiVersionOf(r)}/${r.name}`, r]));

/** A served resource by its plural name (unique across kubelite's groups). */
export function resourceByName(name: string): ResourceInfo | undefined {
  return byName.get(name);
}

/** The resource `name` of one group version ("" and "v1" for the core group), as URLs address it. */
export function resourceIn(group: string, version: string, name: string): ResourceInfo | undefined {
  return byGroupVersion.get(`${group === '' ? version : `${group}/${version}`}/${name}`);
}

export function resourceByKind(kind: string): ResourceInfo | undefined {
  return byKind.get(kind);
}

/**
 * The storage key of an object: `/registry/<resource>/<namespace>/<name>` for namespaced resources,
 * `/registry/<resource>/<name>` for cluster-scoped ones (the layout of Kubernetes' etcd3 storage).
 */
export function storageKey(resource: ResourceInfo, namespace: string | undefined, name: string): string {
  return resource.namespaced
    ? `/registry/${resource.name}/${namespace}/${name}`
    : `/registry/${resource.name}/${name}`;
}

/** The key prefix of a list: one namespace, or all of them when namespace is empty. */
export function storagePrefix(resource: ResourceInfo, namespace?: string): string {
  return resource.namespaced && namespace
    ? `/registry/${resource.name}/${namespace}/`
    : `/registry/${resource.name}/`;
}
