import { describe, expect, it } from 'vitest';
import { resourceByName } from '../../../api/resources.js';
import type { Attributes, ResourceAttributes } from '../attributes.js';
import { NodeAuthorizer, nodeRestriction } from '../node-authorizer.js';
import { authenticatedUser, runAs } from '../user.js';
import { RbacAuthorizer, type RbacSource } from './authorizer.js';
import { defaultClusterRoleBindings, defaultClusterRoles } from './bootstrap-policy.js';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from './types.js';

function source(extra: {
  roles?: Role[];
  bindings?: RoleBinding[];
  clusterRoles?: ClusterRole[];
  clusterBindings?: ClusterRoleBinding[];
}): RbacSource {
  const clusterRoles = [...defaultClusterRoles(), ...(extra.clusterRoles ?? [])];
  const clusterBindings = [...defaultClusterRoleBindings(), ...(extra.clusterBindings ?? [])];
  return {
    clusterRoleBindings: () => clusterBindings,
    roleBindings: (ns) => (extra.bindings ?? []).filter((b) => b.metadata.namespace === ns),
    clusterRoles: () => clusterRoles,
    clusterRole: (name) => clusterRoles.find((r) => r.metadata.name === name),
    role: (ns, name) =>
      (extra.roles ?? []).find((r) => r.metadata.namespace === ns && r.metadata.name === name),
  };
}

const attrs = (verb: string, resource: string, namespace = '', name = '', subresource = ''): Attributes => ({
  kind: 'resource',
  verb,
  apiGroup: '',
  resource,
  subresource,
  namespace,
  name,
});
const binding = (kind: 'Role' | 'ClusterRole', role: string, ns: string, user: string): RoleBinding => ({
  metadata: { name: `${role}-${user}`, namespace: ns },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role },
  subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user }],
});

describe('RBAC authorizer', () => {
  const alice = authenticatedUser('alice', []);
  const rbac = new RbacAuthorizer(
    source({
      roles: [
        {
          metadata: { name: 'reader', namespace: 'team' },
          rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }],
        },
      ],
      bindings: [binding('Role', 'reader', 'team', 'alice'), binding('ClusterRole', 'edit', 'dev', 'alice')],
    }),
  );

  it('allows through RoleBindings only in their namespace', () => {
    expect(rbac.authorize(alice, attrs('list', 'pods', 'team')).allowed).toBe(true);
    expect(rbac.authorize(alice, attrs('list', 'pods', 'other')).allowed).toBe(false);
    expect(rbac.authorize(alice, attrs('create', 'pods', 'team')).allowed).toBe(false);
    expect(rbac.authorize(alice, attrs('create', 'pods', 'dev')).allowed).toBe(true); // edit in dev
    expect(rbac.authorize(alice, attrs('list', 'pods')).allowed).toBe(false); // all namespaces
  });

  it('gives the defaults: discovery to everyone authenticated, components their roles', () => {
    expect(rbac.authorize(alice, { kind: 'nonResource', verb: 'get', path: '/api/v1' }).allowed).toBe(true);
    expect(rbac.authorize(alice, { kind: 'nonResource', verb: 'get', path: '/metrics' }).allowed).toBe(false);
    const scheduler = authenticatedUser('system:kube-scheduler', []);
    expect(rbac.authorize(scheduler, attrs('create', 'pods', 'x', 'p', 'binding')).allowed).toBe(true);
    expect(rbac.authorize(scheduler, attrs('delete', 'nodes', '', 'n')).allowed).toBe(false);
    const masters = authenticatedUser('root', ['system:masters']);
    expect(rbac.authorize(masters, attrs('delete', 'nodes', '', 'n')).allowed).toBe(true);
    const anonymous = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
    expect(rbac.authorize(anonymous, { kind: 'nonResource', verb: 'get', path: '/healthz' }).allowed).toBe(
      true,
    );
    expect(rbac.authorize(anonymous, { kind: 'nonResource', verb: 'get', path: '/api' }).allowed).toBe(false);
  });
});

describe('Node authorizer', () => {
  const pods: Record<string, string> = { 'default/mine': 'node-1', 'default/theirs': 'node-2' };
  const node = new NodeAuthorizer((ns, name) => pods[`${ns}/${name}`]);
  const kubelet = authenticatedUser('system:node:node-1', ['system:nodes']);

  it('lets a kubelet change only its own node and the pods bound to it', () => {
    expect(node.authorize(kubelet, attrs('patch', 'nodes', '', 'node-1', 'status')).allowed).toBe(true);
    const other = node.authorize(kubelet, attrs('patch', 'nodes', '', 'node-2'));
    expect(other).toEqual({ allowed: false, reason: "node 'node-1' cannot modify node 'node-2'" });
    expect(node.authorize(kubelet, attrs('patch', 'pods', 'default', 'mine', 'status')).allowed).toBe(true);
    expect(node.authorize(kubelet, attrs('patch', 'pods', 'default', 'theirs', 'status')).allowed).toBe(
      false,
    );
    expect(node.authorize(kubelet, attrs('delete', 'pods', 'default', 'theirs')).allowed).toBe(false);
    expect(node.authorize(kubelet, attrs('list', 'pods')).allowed).toBe(true);
    expect(node.authorize(kubelet, attrs('create', 'events', 'default')).allowed).toBe(true);
    expect(node.authorize(kubelet, attrs('update', 'pods', 'default', 'mine')).allowed).toBe(false); // spec
    expect(node.authorize(kubelet, attrs('create', 'pods', 'default', 'mine', 'binding')).allowed).toBe(
      false,
    );
    expect(node.authorize(kubelet, attrs('list', 'replicationcontrollers', 'default')).allowed).toBe(false);
    const notANode = authenticatedUser('system:node:node-1', []);
    expect(node.authorize(notANode, attrs('list', 'pods')).allowed).toBe(false);
  });

  it('lets a kubelet get and write only its own Lease in kube-node-lease, never list or watch', () => {
    const lease = (verb: string, namespace: string, name = ''): Attributes => ({
      ...(attrs(verb, 'leases', namespace, name) as ResourceAttributes),
      apiGroup: 'coordination.k8s.io',
    });
    for (const verb of ['get', 'update', 'patch', 'delete']) {
      expect(node.authorize(kubelet, lease(verb, 'kube-node-lease', 'node-1')).allowed).toBe(true);
    }
    expect(node.authorize(kubelet, lease('create', 'kube-node-lease')).allowed).toBe(true);
    expect(node.authorize(kubelet, lease('get', 'kube-node-lease', 'node-2'))).toEqual({
      allowed: false,
      reason: 'can only access node lease with the same name as the requesting node',
    });
    expect(node.authorize(kubelet, lease('update', 'default', 'node-1'))).toEqual({
      allowed: false,
      reason: 'can only access leases in the "kube-node-lease" system namespace',
    });
    expect(node.authorize(kubelet, lease('list', 'kube-node-lease')).allowed).toBe(false);
    expect(node.authorize(kubelet, lease('watch', 'kube-node-lease')).allowed).toBe(false);
  });

  it('NodeRestriction: a kubelet creates only the Lease named after itself', () => {
    const create = (namespace: string, name: string) =>
      runAs(kubelet, () =>
        nodeRestriction.validate({
          operation: 'CREATE',
          resource: resourceByName('leases')!,
          subresource: '',
          namespace,
          name: '',
          object: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace } },
          dryRun: false,
        }),
      );
    expect(() => create('kube-node-lease', 'node-1')).not.toThrow();
    expect(() => create('kube-node-lease', 'node-2')).toThrow(/same name as the requesting node/);
    expect(() => create('default', 'node-1')).toThrow(/same name as the requesting node/);
  });
});
