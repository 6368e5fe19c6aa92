// Impersonation (`kubectl --as alice --as-group devs`): a user allowed the `impersonate` verb on
// users (and on groups for each group) acts as someone else for one request. The request is then
// authorized, admitted and recorded as the impersonated user, as in Kubernetes.
import type { Stage } from '../pipeline.js';
import { type Attributes, type Decision, forbiddenError } from './attributes.js';
import { anonymousUser, authenticatedUser, requestUser, runAs, type UserInfo } from './user.js';

export function impersonationStage(decide: (user: UserInfo, a: Attributes) => Decision): Stage {
  return async (ctx, next) => {
    const header = ctx.req.headers['impersonate-user'];
    const asUser = Array.isArray(header) ? header[0] : header;
    const groupHeaders = ctx.req.headersDistinct['impersonate-group'] ?? [];
    const user = requestUser();
    if (!user || (asUser === undefined && groupHeaders.length === 0)) return next();
    const check = (resource: 'users' | 'groups', name: string) => {
      const a: Attributes = {
        kind: 'resource',
        verb: 'impersonate',
        apiGroup: '',
        resource,
        subresource: '',
        namespace: '',
        name,
      };
      const decision = decide(user, a);
      if (!decision.allowed) throw forbiddenError(user, a, decision.reason);
    };
    const name = asUser ?? user.name;
    check('users', name);
    for (const group of groupHeaders) check('groups', group);
    const target =
      name === anonymousUser.name
        ? { ...anonymousUser, groups: [...anonymousUser.groups, ...groupHeaders] }
        : authenticatedUser(name, groupHeaders);
    ctx.user = { name: target.name, groups: [...target.groups] };
    await runAs(target, next);
  };
}
