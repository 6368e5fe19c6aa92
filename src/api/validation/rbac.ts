// rbac.authorization.k8s.io/v1 objects, after Kubernetes' pkg/apis/rbac/validation: every rule
// names verbs, and either API groups and resources or (cluster roles only) non-resource URLs; a
// binding's roleRef points at a Role or ClusterRole of the RBAC group and never changes; subjects
// are users, groups or service accounts with names.
import { type Causes, child, index, invalid, type Json, notSupported, required } from './field.js';

const rbacGroup = 'rbac.authorization.k8s.io';

export function validateRules(c: Causes, obj: Json, namespaced: boolean): void {
  for (const [i, rule] of c.objects(obj, 'rules', '')) {
    const path = index('rules', i);
    const verbs = c.strings(rule, 'verbs', path);
    const groups = c.strings(rule, 'apiGroups', path);
    const resources = c.strings(rule, 'resources', path);
    c.strings(rule, 'resourceNames', path);
    const urls = c.strings(rule, 'nonResourceURLs', path);
    if (verbs.length === 0) c.add(required(child(path, 'verbs'), 'verbs must contain at least one value'));
    if (urls.length > 0) {
      if (namespaced) {
        c.add(
          invalid(child(path, 'nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'),
        );
      }
      if (groups.length > 0 || resources.length > 0) {
        c.add(
          invalid(
            child(path, 'nonResourceURLs'),
            urls,
            'rules cannot apply to both regular resources and non-resource URLs',
          ),
        );
      }
      continue;
    }
    if (groups.length === 0)
      c.add(required(child(path, 'apiGroups'), 'resource rules must supply at least one api group'));
    if (resources.length === 0)
      c.add(required(child(path, 'resources'), 'resource rules must supply at least one resource'));
  }
  if (!namespaced) {
    const aggregation = c.object(obj, 'aggregationRule', '');
    if (aggregation) {
      for (const [i, selector] of c.objects(aggregation, 'clusterRoleSelectors', 'aggregationRule')) {
        c.stringMap(selector, 'matchLabels', index('aggregationRule.clusterRoleSelectors', i));
      }
    }
  }
}

export function validateBinding(c: Causes, obj: Json, namespaced: boolean): void {
  const ref = c.object(obj, 'roleRef', '');
  if (!ref) c.add(required('roleRef'));
  else {
    const apiGroup = c.string(ref, 'apiGroup', 'roleRef') ?? '';
    const kind = c.string(ref, 'kind', 'roleRef') ?? '';
    const name = c.string(ref, 'name', 'roleRef') ?? '';
    if (apiGroup !== rbacGroup) c.add(notSupported('roleRef.apiGroup', apiGroup, [rbacGroup]));
    const kinds = namespaced ? ['ClusterRole', 'Role'] : ['ClusterRole'];
    if (!kinds.includes(kind)) c.add(notSupported('roleRef.kind', kind, kinds));
    if (name === '') c.add(required('roleRef.name'));
    else if (name.includes('/') || name === '.' || name === '..') {
      c.add(invalid('roleRef.name', name, 'may not contain "/" or be "." or ".."'));
    }
  }
  for (const [i, subject] of c.objects(obj, 'subjects', '')) {
    const path = index('subjects', i);
    const kind = c.string(subject, 'kind', path) ?? '';
    const name = c.string(subject, 'name', path) ?? '';
    const apiGroup = c.string(subject, 'apiGroup', path) ?? '';
    const namespace = c.string(subject, 'namespace', path) ?? '';
    if (name === '') c.add(required(child(path, 'name')));
    switch (kind) {
      case 'User':
      case 'Group':
        if (apiGroup !== rbacGroup) c.add(notSupported(child(path, 'apiGroup'), apiGroup, [rbacGroup]));
        break;
      case 'ServiceAccount':
        if (apiGroup !== '') c.add(notSupported(child(path, 'apiGroup'), apiGroup, ['']));
        if (!namespaced && namespace === '') c.add(required(child(path, 'namespace')));
        break;
      default:
        c.add(notSupported(child(path, 'kind'), kind, ['ServiceAccount', 'User', 'Group']));
    }
  }
}

/** The roleRef of a binding is immutable (delete and recreate the binding to point elsewhere). */
export function validateBindingUpdate(c: Causes, obj: Json, old: Json): void {
  if (JSON.stringify(obj.roleRef ?? null) !== JSON.stringify(old.roleRef ?? null)) {
    c.add(invalid('roleRef', obj.roleRef, `cannot change roleRef`));
  }
}
