// Who is asking: the authenticated identity every later stage (limits, authorization, admission)
// decides on, and the request-scoped slot it travels in. Admission plugins run deep inside the write
// path, which knows nothing of requests; AsyncLocalStorage carries the user there without threading
// it through every handler. Writes the apiserver makes on its own (bootstrap, namespace purge, event
// expiry) run outside any request and see no user.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface UserInfo {
  readonly name: string;
  readonly uid?: string;
  readonly groups: readonly string[];
}

export const groups = {
  /** Every authenticated user. */
  authenticated: 'system:authenticated',
  /** The anonymous user, when anonymous requests are enabled. */
  unauthenticated: 'system:unauthenticated',
  /** Superusers: bound to cluster-admin, and never refused by RBAC. */
  masters: 'system:masters',
  /** Kubelets (user system:node:<nodeName>). */
  nodes: 'system:nodes',
} as const;

export const anonymousUser: UserInfo = { name: 'system:anonymous', groups: [groups.unauthenticated] };

export const nodeUserPrefix = 'system:node:';

/** The node a kubelet identity speaks for (`system:node:<name>` in group system:nodes), or undefined. */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.groups.includes(groups.nodes) || !user.name.startsWith(nodeUserPrefix)) return undefined;
  const name = user.name.slice(nodeUserPrefix.length);
  return name === '' ? undefined : name;
}

export function isSuperuser(user: UserInfo): boolean {
  return user.groups.includes(groups.masters);
}

/** An authenticated identity with system:authenticated added once. */
export function authenticatedUser(name: string, userGroups: readonly string[], uid?: string): UserInfo {
  const all = userGroups.includes(groups.authenticated)
    ? [...userGroups]
    : [...userGroups, groups.authenticated];
  return uid ? { name, uid, groups: all } : { name, groups: all };
}

const current = new AsyncLocalStorage<UserInfo>();

/** Runs `fn` with `user` as the request's user. */
export function runAs<T>(user: UserInfo, fn: () => T): T {
  return current.run(user, fn);
}

/** The user of the request being served, or undefined for the apiserver's own writes. */
export function requestUser(): UserInfo | undefined {
  return current.getStore();
}
