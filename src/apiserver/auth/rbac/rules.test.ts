import { describe, expect, it } from 'vitest';
import type { Attributes } from '../attributes.js';
import { ruleAllows, uncoveredRules } from './rules.js';

const res = (verb: string, resource: string, extra: Partial<Attributes> = {}): Attributes =>
  ({
    kind: 'resource',
    verb,
    apiGroup: '',
    resource,
    subresource: '',
    namespace: 'default',
    name: '',
    ...extra,
  }) as Attributes;

describe('RBAC rules', () => {
  it('match verbs, groups, resources, subresources and names like Kubernetes', () => {
    const rule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] };
    expect(ruleAllows(rule, res('list', 'pods'))).toBe(true);
    expect(ruleAllows(rule, res('get', 'pods', { subresource: 'log', name: 'p' }))).toBe(true);
    expect(ruleAllows(rule, res('get', 'pods', { subresource: 'status', name: 'p' }))).toBe(false);
    expect(ruleAllows(rule, res('delete', 'pods', { name: 'p' }))).toBe(false);
    expect(ruleAllows(rule, res('list', 'pods', { apiGroup: 'apps' }))).toBe(false);
    const sub = { verbs: ['*'], apiGroups: ['*'], resources: ['*/status'] };
    expect(ruleAllows(sub, res('update', 'nodes', { subresource: 'status', name: 'n' }))).toBe(true);
    expect(ruleAllows(sub, res('update', 'nodes', { name: 'n' }))).toBe(false);
    const named = {
      verbs: ['get', 'update'],
      apiGroups: [''],
      resources: ['services'],
      resourceNames: ['web'],
    };
    expect(ruleAllows(named, res('get', 'services', { name: 'web' }))).toBe(true);
    expect(ruleAllows(named, res('get', 'services', { name: 'db' }))).toBe(false);
    expect(ruleAllows(named, res('list', 'services'))).toBe(false); // names never match a list
  });

  it('match non-resource URLs exactly or by a trailing *', () => {
    const rule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
    const path = (p: string, verb = 'get'): Attributes => ({ kind: 'nonResource', verb, path: p });
    expect(ruleAllows(rule, path('/healthz'))).toBe(true);
    expect(ruleAllows(rule, path('/healthz/ping'))).toBe(false);
    expect(ruleAllows(rule, path('/apis/rbac.authorization.k8s.io'))).toBe(true);
    expect(ruleAllows(rule, path('/healthz', 'post'))).toBe(false);
    expect(ruleAllows(rule, res('get', 'pods'))).toBe(false);
  });

  it('find the requested permissions a user does not hold', () => {
    const owned = [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['*'], apiGroups: [''], resources: ['services'], resourceNames: ['web'] },
    ];
    expect(uncoveredRules(owned, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }])).toEqual([]);
    expect(
      uncoveredRules(owned, [{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods'] }]),
    ).toEqual([{ verbs: ['delete'], apiGroups: [''], resources: ['pods'] }]);
    // A wildcard is covered only by the same wildcard.
    expect(uncoveredRules(owned, [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }])).toHaveLength(1);
    expect(
      uncoveredRules(owned, [
        { verbs: ['get'], apiGroups: [''], resources: ['services'], resourceNames: ['web'] },
      ]),
    ).toEqual([]);
    expect(
      uncoveredRules(owned, [{ verbs: ['get'], apiGroups: [''], resources: ['services'] }]),
    ).toHaveLength(1);
    expect(
      uncoveredRules(
        [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }],
      ),
    ).toHaveLength(1);
  });
});
