// RBAC escalation prevention (Kubernetes' policybased role and binding storage): a user may create or
// change a Role/ClusterRole only with rules they hold themselves (or the `escalate` verb on it), and
// a binding only to a role whose rules they hold (or the `bind` verb on that role). Without this,
// anyone allowed to write roles or bindings could make themselves cluster-admin.
import { forbidden } from '../../../api/errors.js';
import { rbacGroup } from '../../../api/resources.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/admission.js';
import { isSuperuser, requestUser, type UserInfo } from '../user.js';
import type { RbacAuthorizer, RbacSource } from './authorizer.js';
import { describeRule, uncoveredRules } from './rules.js';
import type { PolicyRule, RoleBinding } from './types.js';

export function rbacEscalationCheck(rbac: RbacAuthorizer, source: RbacSource): AdmissionPlugin {
  return {
    name: 'RBACEscalation',
    validate(a: AdmissionAttributes): void {
      if (a.resource.group !== rbacGroup || a.operation === 'DELETE' || !a.object) return;
      const user = requestUser();
      if (!user || isSuperuser(user)) return;
      const namespace = a.resource.namespaced ? a.namespace : '';
      const qualified = `${a.resource.name}.${rbacGroup}`;
      const name = a.object.metadata.name ?? '';
      let requested: PolicyRule[];
      if (a.resource.name === 'roles' || a.resource.name === 'clusterroles') {
        if (allowedTo(rbac, user, 'escalate', a.resource.name, namespace, name)) return;
        requested = ((a.object as { rules?: PolicyRule[] }).rules ?? []) as PolicyRule[];
      } else {
        const ref = (a.object as unknown as RoleBinding).roleRef;
        const roleResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
        if (allowedTo(rbac, user, 'bind', roleResource, ref.kind === 'Role' ? namespace : '', ref.name))
          return;
        const role = ref.kind === 'Role' ? source.role(namespace, ref.name) : source.clusterRole(ref.name);
        if (!role) {
          throw forbidden(
            `${qualified} "${name}" is forbidden: ${ref.kind.toLowerCase()}s.${rbacGroup} "${ref.name}" not found`,
            { name, group: rbacGroup, kind: a.resource.name },
          );
        }
        requested = ref.kind === 'ClusterRole' ? rbac.rulesOfClusterRole(ref.name) : (role.rules ?? []);
      }
      const missing = uncoveredRules(rbac.rulesFor(user, namespace), requested);
      if (missing.length === 0) return;
      const groupText = user.groups.map((g) => JSON.stringify(g)).join(' ');
      throw forbidden(
        `${qualified} "${name}" is forbidden: user "${user.name}" (groups=[${groupText}]) is attempting to grant RBAC permissions not currently held:\n${missing.map(describeRule).join('\n')}`,
        { name, group: rbacGroup, kind: a.resource.name },
      );
    },
  };
}

function allowedTo(
  rbac: RbacAuthorizer,
  user: UserInfo,
  verb: string,
  resource: string,
  namespace: string,
  name: string,
): boolean {
  return rbac.authorize(user, {
    kind: 'resource',
    verb,
    apiGroup: rbacGroup,
    resource,
    subresource: '',
    namespace,
    name,
  }).allowed;
}
