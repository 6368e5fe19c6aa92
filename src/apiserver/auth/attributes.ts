// What a request asks to do, in the terms authorizers decide on (Kubernetes' authorizer.Attributes):
// a verb on a resource of an API group (optionally a subresource, a namespace and a name), or a verb
// on a non-resource path such as /healthz.
import { forbidden } from '../../api/errors.js';
import type { RequestInfo } from '../http/request-info.js';
import type { UserInfo } from './user.js';

export interface ResourceAttributes {
  readonly kind: 'resource';
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
}

export interface NonResourceAttributes {
  readonly kind: 'nonResource';
  /** Lower-case HTTP method: get, post, … */
  readonly verb: string;
  readonly path: string;
}

export type Attributes = ResourceAttributes | NonResourceAttributes;

export type Decision = { allowed: true } | { allowed: false; reason: string };

/** An authorizer: "deny" means no opinion; the chain allows when any member allows. */
export interface Authorizer {
  readonly name: string;
  authorize(user: UserInfo, attributes: Attributes): Decision;
}

export const allow: Decision = { allowed: true };
export const noOpinion: Decision = { allowed: false, reason: '' };

export function attributesOf(info: RequestInfo, method: string): Attributes {
  if (info.kind === 'nonResource')
    return { kind: 'nonResource', verb: method.toLowerCase(), path: info.path };
  return {
    kind: 'resource',
    verb: info.verb,
    apiGroup: info.resource.group,
    resource: info.resource.name,
    subresource: info.subresource,
    namespace: info.namespace,
    name: info.name,
  };
}

/** Asks each authorizer in turn; the first allow wins, otherwise the reasons given are kept. */
export function authorizeChain(
  chain: readonly Authorizer[],
  user: UserInfo,
  attributes: Attributes,
): Decision {
  const reasons: string[] = [];
  for (const authorizer of chain) {
    const decision = authorizer.authorize(user, attributes);
    if (decision.allowed) return decision;
    if (decision.reason) reasons.push(decision.reason);
  }
  return { allowed: false, reason: reasons.join(', ') };
}

/**
 * Kubernetes' 403 wording, e.g. `pods is forbidden: User "alice" cannot list resource "pods" in API
 * group "" in the namespace "default"`, with details {name, group, kind} for resources.
 */
export function forbiddenError(user: UserInfo, a: Attributes, reason = ''): ReturnType<typeof forbidden> {
  const why = reason ? `: ${reason}` : '';
  if (a.kind === 'nonResource') {
    return forbidden(`forbidden: User "${user.name}" cannot ${a.verb} path "${a.path}"${why}`);
  }
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const detail = `User "${user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}`;
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  return forbidden(`${subject} is forbidden: ${detail}${why}`, {
    ...(a.name ? { name: a.name } : {}),
    ...(a.apiGroup ? { group: a.apiGroup } : {}),
    kind: a.resource,
  });
}
