// The apiserver's security, assembled from options: the authentication stage, the authorizers
// (Node, RBAC, or AlwaysAllow) and their stage, access reviews, and the admission plugins that need
// the user (NodeRestriction, RBAC escalation). Without `authentication` the server is open (every
// request allowed, no user): the library default and `kubelite apiserver` on loopback for development.
import { rbacResources, storageKey } from '../../api/resources.js';
import type { Pod } from '../../api/types.js';
import type { Logger } from '../../util/log.js';
import type { Stage } from '../pipeline.js';
import type { AdmissionPlugin } from '../registry/admission.js';
import type { ResourceRest } from '../registry/rest.js';
import type { WatchCache } from '../watchcache/watch-cache.js';
import { accessReviewStage, type Reviewer } from './access-review.js';
import {
  type Attributes,
  type Authorizer,
  allow,
  attributesOf,
  authorizeChain,
  type Decision,
  forbiddenError,
} from './attributes.js';
import { type AuthenticationOptions, authenticationStage, createAuthenticator } from './authenticator.js';
import { impersonationStage } from './impersonation.js';
import { NodeAuthorizer, nodeRestriction } from './node-authorizer.js';
import { RbacAuthorizer, type RbacSource } from './rbac/authorizer.js';
import { reconcileBootstrapPolicy } from './rbac/bootstrap.js';
import { nodeRules } from './rbac/bootstrap-policy.js';
import { rbacEscalationCheck } from './rbac/escalation.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from './rbac/types.js';
import { isSuperuser, nodeNameOf, requestUser, type UserInfo } from './user.js';

export type { AuthenticationOptions } from './authenticator.js';
export { createListener, type ServingTls, schemeOf } from './listener.js';

export type AuthorizationMode = 'AlwaysAllow' | 'Node' | 'RBAC';
export const authorizationModes: readonly AuthorizationMode[] = ['AlwaysAllow', 'Node', 'RBAC'];

export interface SecurityOptions {
  /** Turns security on; absent: no authentication and every request allowed. */
  authentication?: AuthenticationOptions;
  /** Authorizers in order (the first that allows wins). Default Node,RBAC when authentication is on. */
  authorizationModes?: readonly AuthorizationMode[];
  maxRequestBodyBytes: number;
  logger: Logger;
}

export interface Security {
  readonly enabled: boolean;
  /** Authentication: runs before the limits (unauthenticated requests take no in-flight slot). */
  readonly authenticate: Stage[];
  /** Authorization and access reviews: run after the limits. */
  readonly authorize: Stage[];
  /** Admission plugins that need the request's user. */
  readonly admission: AdmissionPlugin[];
  /** Links the authorizers to the watch cache and writes the default RBAC policy. */
  start(cache: WatchCache, rests: ReadonlyMap<string, ResourceRest>): Promise<void>;
  /** The decision for `user` (what access reviews and the authorization stage use). */
  decide(user: UserInfo, attributes: Attributes): Decision;
}

export function createSecurity(options: SecurityOptions): Security {
  const enabled = options.authentication !== undefined;
  const modes = options.authorizationModes ?? (enabled ? ['Node', 'RBAC'] : ['AlwaysAllow']);
  for (const mode of modes) {
    if (!authorizationModes.includes(mode)) {
      throw new Error(`unknown authorization mode "${mode}": use ${authorizationModes.join(', ')}`);
    }
  }
  let cache: WatchCache | undefined;
  const source = cacheRbacSource(() => cache);
  const rbac = new RbacAuthorizer(source);
  const chain: Authorizer[] = modes.map((mode): Authorizer => {
    if (mode === 'Node') return new NodeAuthorizer((namespace, name) => podNode(cache, namespace, name));
    if (mode === 'RBAC') return rbac;
    return { name: 'AlwaysAllow', authorize: () => allow };
  });
  const decide = (user: UserInfo, attributes: Attributes): Decision =>
    isSuperuser(user) ? allow : authorizeChain(chain, user, attributes);

  const authorizeStage: Stage = async (ctx, next) => {
    const user = requestUser();
    if (user && ctx.info) {
      const attributes = attributesOf(ctx.info, ctx.req.method ?? 'GET');
      const decision = decide(user, attributes);
      if (!decision.allowed) throw forbiddenError(user, attributes, decision.reason);
    }
    await next();
  };
  const everything: PolicyRule[] = [
    { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
    { verbs: ['*'], nonResourceURLs: ['*'] },
  ];
  const reviewer: Reviewer = {
    decide,
    rulesFor(user, namespace) {
      if (isSuperuser(user) || modes.includes('AlwaysAllow')) return { rules: everything, incomplete: false };
      const rules = modes.includes('RBAC') ? [...rbac.rulesFor(user, namespace)] : [];
      const node = modes.includes('Node') && nodeNameOf(user) !== undefined;
      // The Node authorizer's rights depend on which node and pod a request names: listed, but incomplete.
      if (node) rules.push(...nodeRules);
      return { rules, incomplete: node };
    },
  };
  const authenticate = enabled ? [authenticationStage(createAuthenticator(options.authentication!))] : [];
  const usesRbac = modes.includes('RBAC');
  return {
    enabled,
    authenticate,
    authorize: [
      ...(enabled ? [impersonationStage(decide), authorizeStage] : []),
      accessReviewStage(reviewer, options.maxRequestBodyBytes),
    ],
    admission: [
      ...(modes.includes('Node') ? [nodeRestriction] : []),
      ...(usesRbac ? [rbacEscalationCheck(rbac, source)] : []),
    ],
    async start(watchCache, rests) {
      cache = watchCache;
      const rbacNames = new Set(rbacResources.map((r) => r.name));
      watchCache.onChange((resource) => {
        if (rbacNames.has(resource)) rbac.invalidate();
      });
      watchCache.onReady(() => rbac.invalidate());
      if (usesRbac) await reconcileBootstrapPolicy(rests, options.logger);
    },
    decide,
  };
}

function podNode(cache: WatchCache | undefined, namespace: string, name: string): string | undefined {
  if (!cache || !name) return undefined;
  const pod = cache.cache('pods').objects.get(`/registry/pods/${namespace}/${name}`)?.object as
    | Pod
    | undefined;
  return pod ? (pod.spec?.nodeName ?? '') : undefined;
}

/** RBAC objects straight from the watch cache (already parsed; never mutated). */
function cacheRbacSource(cache: () => WatchCache | undefined): RbacSource {
  const resource = (name: string) => rbacResources.find((r) => r.name === name)!;
  const objects = <T>(name: string): T[] => {
    const c = cache();
    return c ? [...c.cache(name).objects.values()].map((o) => o.object as unknown as T) : [];
  };
  const one = <T>(name: string, namespace: string, objectName: string): T | undefined =>
    cache()
      ?.cache(name)
      .objects.get(storageKey(resource(name), namespace, objectName))?.object as T | undefined;
  return {
    clusterRoleBindings: () => objects<ClusterRoleBinding>('clusterrolebindings'),
    roleBindings: (namespace) =>
      objects<RoleBinding>('rolebindings').filter((b) => b.metadata.namespace === namespace),
    clusterRoles: () => objects<ClusterRole>('clusterroles'),
    clusterRole: (name) => one<ClusterRole>('clusterroles', '', name),
    role: (namespace, name) => one<Role>('roles', namespace, name),
  };
}
