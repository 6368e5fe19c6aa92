// The default ClusterRoles and ClusterRoleBindings every cluster starts with, after Kubernetes'
// bootstrappolicy: cluster-admin for system:masters, discovery and public info for everyone, the
// admin/edit/view roles for handing out namespaces, and one role per control-plane component.
// Kubelets (system:nodes) get their rights from the Node authorizer instead: `system:node` is
// defined here for reference but bound to no one, so that RBAC never lets a node touch another's objects.
import { authorizationGroup, coordinationGroup, rbacGroup } from '../../../api/resources.js';
import { groups } from '../user.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule } from './types.js';

const read = ['get', 'list', 'watch'];
const write = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const core = (verbs: string[], ...resources: string[]): PolicyRule => ({ apiGroups: [''], resources, verbs });
const urls = (verbs: string[], ...nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

export const bootstrapLabels = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
export const autoupdateAnnotation = 'rbac.authorization.kubernetes.io/autoupdate';

const workloads = ['pods', 'services', 'endpoints', 'replicationcontrollers', 'replicationcontrollers/scale'];
const viewable = [
  ...workloads,
  'pods/log',
  'pods/status',
  'services/status',
  'replicationcontrollers/status',
  'events',
  'namespaces',
  'namespaces/status',
];

/** What a kubelet may do at all (the Node authorizer narrows it to its own node and pods). */
export const nodeRules: readonly PolicyRule[] = [
  core(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], 'nodes'),
  core(['patch', 'update'], 'nodes/status'),
  core(read, 'pods', 'services', 'endpoints'),
  core(['delete'], 'pods'),
  core(['patch', 'update'], 'pods/status'),
  core(['create', 'patch', 'update'], 'events'),
  { apiGroups: [authorizationGroup], resources: ['selfsubjectaccessreviews'], verbs: ['create'] },
  // Its node Lease in kube-node-lease (the Node authorizer checks namespace and name).
  {
    apiGroups: [coordinationGroup],
    resources: ['leases'],
    verbs: ['get', 'create', 'update', 'patch', 'delete'],
  },
];

const roles: Record<string, PolicyRule[]> = {
  'cluster-admin': [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, urls(['*'], '*')],
  admin: [
    core([...read, ...write], ...workloads),
    core(read, ...viewable),
    core(['create', 'patch', 'update'], 'events'),
    { apiGroups: [rbacGroup], resources: ['roles', 'rolebindings'], verbs: [...read, ...write] },
  ],
  edit: [core([...read, ...write], ...workloads), core(read, ...viewable)],
  view: [core(read, ...viewable)],
  'system:discovery': [
    urls(['get'], '/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', '/version', '/version/'),
  ],
  'system:basic-user': [
    {
      apiGroups: [authorizationGroup],
      resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      verbs: ['create'],
    },
  ],
  'system:public-info-viewer': [urls(['get'], '/healthz', '/livez', '/readyz', '/version', '/version/')],
  'system:monitoring': [
    urls(['get'], '/metrics', '/healthz', '/healthz/*', '/livez', '/livez/*', '/readyz', '/readyz/*'),
  ],
  'system:kube-scheduler': [
    core(read, 'pods', 'nodes', 'services', 'replicationcontrollers', 'namespaces'),
    core(['create'], 'pods/binding'),
    core(['patch', 'update'], 'pods/status'),
    core(['create', 'patch', 'update'], 'events'),
  ],
  'system:kube-controller-manager': [
    // The garbage collector reads and edits owners and dependents of every kind.
    { apiGroups: ['*'], resources: ['*'], verbs: [...read, 'patch', 'update', 'delete'] },
    core(['create', 'deletecollection'], 'pods', 'endpoints', 'events'),
    core(
      ['patch', 'update'],
      'pods/status',
      'nodes/status',
      'replicationcontrollers/status',
      'services/status',
    ),
  ],
  'system:node-proxier': [
    core(read, 'services', 'endpoints', 'nodes'),
    core(['create', 'patch', 'update'], 'events'),
  ],
  'system:node': [...nodeRules],
};

/** binding name → [role, subjects]; a binding without subjects exists only to be edited. */
const bindings: Record<string, [string, Array<['User' | 'Group', string]>]> = {
  'cluster-admin': ['cluster-admin', [['Group', groups.masters]]],
  'system:discovery': ['system:discovery', [['Group', groups.authenticated]]],
  'system:basic-user': ['system:basic-user', [['Group', groups.authenticated]]],
  'system:public-info-viewer': [
    'system:public-info-viewer',
    [
      ['Group', groups.authenticated],
      ['Group', groups.unauthenticated],
    ],
  ],
  'system:monitoring': ['system:monitoring', [['Group', 'system:monitoring']]],
  'system:kube-scheduler': ['system:kube-scheduler', [['User', 'system:kube-scheduler']]],
  'system:kube-controller-manager': [
    'system:kube-controller-manager',
    [['User', 'system:kube-controller-manager']],
  ],
  'system:node-proxier': ['system:node-proxier', [['User', 'system:kube-proxy']]],
  'system:node': ['system:node', []],
};

function metadata(name: string) {
  return { name, labels: { ...bootstrapLabels }, annotations: { [autoupdateAnnotation]: 'true' } };
}

export function defaultClusterRoles(): ClusterRole[] {
  return Object.entries(roles).map(([name, rules]) => ({
    apiVersion: `${rbacGroup}/v1`,
    kind: 'ClusterRole',
    metadata: metadata(name),
    rules: structuredClone(rules),
  }));
}

export function defaultClusterRoleBindings(): ClusterRoleBinding[] {
  return Object.entries(bindings).map(([name, [role, subjects]]) => ({
    apiVersion: `${rbacGroup}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: metadata(name),
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: role },
    subjects: subjects.map(([kind, subjectName]) => ({ kind, apiGroup: rbacGroup, name: subjectName })),
  }));
}
