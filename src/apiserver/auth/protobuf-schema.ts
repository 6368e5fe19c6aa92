// The protobuf messages kubectl sends for RBAC and access reviews (`kubectl create role|rolebinding|
// clusterrole|clusterrolebinding`, `kubectl auth can-i`), as field specs for the apiserver's generic
// decoder (k8s.io/api rbac/v1 and authorization/v1 generated.proto field numbers).
import { type MessageSpec, msg, objectMeta, str, strs } from '../protobuf/schema.js';

const policyRule: MessageSpec = {
  1: strs('verbs'),
  2: strs('apiGroups'),
  3: strs('resources'),
  4: strs('resourceNames'),
  5: strs('nonResourceURLs'),
};

const labelSelector: MessageSpec = { 1: { name: 'matchLabels', type: 'stringMap' } };

export const role: MessageSpec = { 1: msg('metadata', objectMeta), 2: msg('rules', policyRule, true) };

export const clusterRole: MessageSpec = {
  ...role,
  3: msg('aggregationRule', { 1: msg('clusterRoleSelectors', labelSelector, true) }),
};

const subject: MessageSpec = { 1: str('kind'), 2: str('apiGroup'), 3: str('name'), 4: str('namespace') };

export const roleBinding: MessageSpec = {
  1: msg('metadata', objectMeta),
  2: msg('subjects', subject, true),
  3: msg('roleRef', { 1: str('apiGroup'), 2: str('kind'), 3: str('name') }),
};

const resourceAttributes: MessageSpec = {
  1: str('namespace'),
  2: str('verb'),
  3: str('group'),
  4: str('version'),
  5: str('resource'),
  6: str('subresource'),
  7: str('name'),
};

const nonResourceAttributes: MessageSpec = { 1: str('path'), 2: str('verb') };

export const selfSubjectAccessReview: MessageSpec = {
  1: msg('metadata', objectMeta),
  2: msg('spec', {
    1: msg('resourceAttributes', resourceAttributes),
    2: msg('nonResourceAttributes', nonResourceAttributes),
  }),
};

export const selfSubjectRulesReview: MessageSpec = {
  1: msg('metadata', objectMeta),
  2: msg('spec', { 1: str('namespace') }),
};

export const subjectAccessReview: MessageSpec = {
  1: msg('metadata', objectMeta),
  2: msg('spec', {
    1: msg('resourceAttributes', resourceAttributes),
    2: msg('nonResourceAttributes', nonResourceAttributes),
    3: str('user'),
    4: strs('groups'),
    6: str('uid'),
  }),
};
