// The RBAC authorizer: a request is allowed when a rule of a role bound to the user allows it —
// ClusterRoles through ClusterRoleBindings anywhere, Roles and ClusterRoles through RoleBindings in
// the request's namespace. Everything else is "no opinion" (a 403 unless another authorizer allows).
// A user's rules are collected once per (user, namespace) and kept until any RBAC object changes.
import { type Attributes, type Authorizer, allow, type Decision, noOpinion } from '../attributes.js';
import type { UserInfo } from '../user.js';
import { rulesAllow } from './rules.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, RbacSubject, Role, RoleBinding } from './types.js';

/** Where the authorizer reads RBAC objects (the watch cache in the apiserver, a map in tests). */
export interface RbacSource {
  clusterRoleBindings(): Iterable<ClusterRoleBinding>;
  roleBindings(namespace: string): Iterable<RoleBinding>;
  clusterRoles(): Iterable<ClusterRole>;
  clusterRole(name: string): ClusterRole | undefined;
  role(namespace: string, name: string): Role | undefined;
}

const maxMemoEntries = 10_000;

export class RbacAuthorizer implements Authorizer {
  readonly name = 'RBAC';
  private memo = new Map<string, PolicyRule[]>();

  constructor(private readonly source: RbacSource) {}

  /** Forget collected rules (call on every change to a role or binding). */
  invalidate(): void {
    this.memo.clear();
  }

  authorize(user: UserInfo, a: Attributes): Decision {
    const namespace = a.kind === 'resource' ? a.namespace : '';
    return rulesAllow(this.rulesFor(user, namespace), a) ? allow : noOpinion;
  }

  /** Every rule the user holds in `namespace` ("" = cluster-wide rules only). */
  rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
    const key = `${user.name}\0${user.groups.join('\0')}\0\0${namespace}`;
    let rules = this.memo.get(key);
    if (!rules) {
      rules = this.collect(user, namespace);
      if (this.memo.size >= maxMemoEntries) this.memo.clear();
      this.memo.set(key, rules);
    }
    return rules;
  }

  private collect(user: UserInfo, namespace: string): PolicyRule[] {
    const rules: PolicyRule[] = [];
    for (const binding of this.source.clusterRoleBindings()) {
      if (binding.roleRef?.kind !== 'ClusterRole' || !appliesTo(binding, user, '')) continue;
      rules.push(...this.rulesOfClusterRole(binding.roleRef.name));
    }
    if (namespace) {
      for (const binding of this.source.roleBindings(namespace)) {
        if (!appliesTo(binding, user, namespace)) continue;
        const ref = binding.roleRef;
        if (ref?.kind === 'ClusterRole') rules.push(...this.rulesOfClusterRole(ref.name));
        else if (ref?.kind === 'Role') rules.push(...(this.source.role(namespace, ref.name)?.rules ?? []));
      }
    }
    return rules;
  }

  /** A ClusterRole's rules; an aggregated one gathers the rules of the roles its selectors match. */
  rulesOfClusterRole(name: string): PolicyRule[] {
    const role = this.source.clusterRole(name);
    if (!role) return [];
    const selectors = role.aggregationRule?.clusterRoleSelectors ?? [];
    if (selectors.length === 0) return role.rules ?? [];
    const rules = [...(role.rules ?? [])];
    for (const other of this.source.clusterRoles()) {
      if (other.metadata.name === name) continue;
      const labels = other.metadata.labels ?? {};
      const matches = selectors.some((s) =>
        Object.entries(s.matchLabels ?? {}).every(([k, v]) => labels[k] === v),
      );
      if (matches) rules.push(...(other.rules ?? []));
    }
    return rules;
  }
}

/** Does a binding name this user, one of its groups, or (as a user name) a service account? */
export function appliesTo(binding: RoleBinding, user: UserInfo, bindingNamespace: string): boolean {
  return (binding.subjects ?? []).some((s) => subjectMatches(s, user, bindingNamespace));
}

function subjectMatches(subject: RbacSubject, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      return user.name === `system:serviceaccount:${namespace}:${subject.name}`;
    }
    default:
      return false;
  }
}
