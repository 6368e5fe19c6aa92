// authorization.k8s.io/v1 access reviews, answered by the same authorizers as requests:
// SelfSubjectAccessReview ("may I …?", what `kubectl auth can-i` asks), SubjectAccessReview ("may
// this user …?", for admins) and SelfSubjectRulesReview ("what may I do in this namespace?",
// `kubectl auth can-i --list`). Nothing is stored: the answer comes back as the object's status
// with 201, as in Kubernetes.
import { badRequest, invalid, methodNotAllowed } from '../../api/errors.js';
import { apiVersionOf, authorizationGroup } from '../../api/resources.js';
import { decodeBody, readBody } from '../http/body.js';
import { writeJson } from '../http/respond.js';
import type { Stage } from '../pipeline.js';
import type { Attributes, Decision } from './attributes.js';
import type { PolicyRule } from './rbac/types.js';
import { anonymousUser, authenticatedUser, requestUser, type UserInfo } from './user.js';

type Json = Record<string, unknown>;

export interface Reviewer {
  decide(user: UserInfo, attributes: Attributes): Decision;
  /** The rules a user holds in a namespace; incomplete when an authorizer cannot list its rules. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; incomplete: boolean };
}

export function accessReviewStage(reviewer: Reviewer, maxBodyBytes: number): Stage {
  return async (ctx, next) => {
    const info = ctx.info;
    if (info?.kind !== 'resource' || info.resource.group !== authorizationGroup) return next();
    if (info.verb !== 'create' || info.name !== '') throw methodNotAllowed();
    const body = decodeBody(await readBody(ctx.req, maxBodyBytes), ctx.req.headers['content-type']);
    const kind = info.resource.kind;
    const review = asObject(body, `the body of the request is not a ${kind} object`);
    const apiVersion = apiVersionOf(info.resource);
    if (review.kind !== undefined && review.kind !== kind) {
      throw badRequest(`${String(review.kind)} in version "v1" cannot be handled as a ${kind}`);
    }
    if (review.apiVersion !== undefined && review.apiVersion !== apiVersion) {
      throw badRequest(
        `the API version in the data (${String(review.apiVersion)}) does not match the expected API version (${apiVersion})`,
      );
    }
    const spec = asObject(review.spec ?? {}, 'spec must be an object');
    const self = kind !== 'SubjectAccessReview';
    const subject = self ? (requestUser() ?? anonymousUser) : subjectOf(kind, spec);
    let status: Json;
    if (kind === 'SelfSubjectRulesReview')
      status = rulesStatus(reviewer, subject, text(spec, 'namespace', 'spec'));
    else {
      const decision = reviewer.decide(subject, attributesOf(kind, spec));
      status = { allowed: decision.allowed };
      if (!decision.allowed && decision.reason) status.reason = decision.reason;
    }
    writeJson(ctx.res, 201, {
      kind,
      apiVersion,
      metadata: { creationTimestamp: null },
      spec,
      status,
    });
  };
}

function rulesStatus(reviewer: Reviewer, user: UserInfo, namespace: string): Json {
  const { rules, incomplete } = reviewer.rulesFor(user, namespace);
  const resourceRules = rules
    .filter((r) => !r.nonResourceURLs?.length)
    .map((r) => ({
      verbs: r.verbs,
      apiGroups: r.apiGroups ?? [],
      resources: r.resources ?? [],
      ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
    }));
  const nonResourceRules = rules
    .filter((r) => r.nonResourceURLs?.length)
    .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  return { resourceRules, nonResourceRules, incomplete };
}

function asObject(value: unknown, message: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest(message);
  return value as Json;
}

function text(o: Json, name: string, path: string): string {
  const v = o[name];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw badRequest(`${path}.${name} must be a string`);
  return v;
}

function subjectOf(kind: string, spec: Json): UserInfo {
  const user = text(spec, 'user', 'spec');
  const groupsValue = spec.groups ?? [];
  if (!Array.isArray(groupsValue) || groupsValue.some((g) => typeof g !== 'string')) {
    throw badRequest('spec.groups must be a list of strings');
  }
  const groups = groupsValue as string[];
  if (user === '' && groups.length === 0) {
    throw invalid(kind, '', [
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "": at least one of user or group must be specified',
        field: 'spec.user',
      },
    ]);
  }
  const uid = text(spec, 'uid', 'spec');
  return user === 'system:anonymous' ? anonymousUser : authenticatedUser(user, groups, uid || undefined);
}

function attributesOf(kind: string, spec: Json): Attributes {
  const resource = spec.resourceAttributes;
  const nonResource = spec.nonResourceAttributes;
  if ((resource === undefined) === (nonResource === undefined)) {
    throw invalid(kind, '', [
      {
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: "": exactly one of nonResourceAttributes or resourceAttributes must be specified',
        field: 'spec.resourceAttributes',
      },
    ]);
  }
  if (nonResource !== undefined) {
    const n = asObject(nonResource, 'spec.nonResourceAttributes must be an object');
    return {
      kind: 'nonResource',
      verb: text(n, 'verb', 'spec.nonResourceAttributes'),
      path: text(n, 'path', 'spec.nonResourceAttributes'),
    };
  }
  const r = asObject(resource, 'spec.resourceAttributes must be an object');
  const at = 'spec.resourceAttributes';
  return {
    kind: 'resource',
    verb: text(r, 'verb', at),
    apiGroup: text(r, 'group', at),
    resource: text(r, 'resource', at),
    subresource: text(r, 'subresource', at),
    namespace: text(r, 'namespace', at),
    name: text(r, 'name', at),
  };
}
