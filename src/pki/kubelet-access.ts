// Who may use a kubelet's API when it serves HTTPS with a client CA: /healthz is open; pod lists and
// container logs only for the apiserver (its kubelet client certificate) and admins
// (system:masters); /metrics also for monitoring (system:monitoring). Everyone else: 401 without a
// verified certificate, 403 with one.
import type { IncomingMessage } from 'node:http';
import { kubeletApiClientUser } from './cluster.js';
import { peerIdentity } from './peer-identity.js';

export interface KubeletAccessOptions {
  /** Users allowed everywhere; default the apiserver's kubelet client (kube-apiserver-kubelet-client). */
  users?: readonly string[];
  /** Groups allowed everywhere; default system:masters. */
  groups?: readonly string[];
  /** Groups allowed to read /metrics too; default system:monitoring. */
  metricsGroups?: readonly string[];
}

export function kubeletApiAccess(options: KubeletAccessOptions = {}) {
  const users = new Set(options.users ?? [kubeletApiClientUser]);
  const groups = new Set(options.groups ?? ['system:masters']);
  const metricsGroups = new Set(options.metricsGroups ?? ['system:monitoring']);
  return (req: IncomingMessage, path: string): 'allow' | 401 | 403 => {
    if (path === '/healthz') return 'allow';
    const identity = peerIdentity(req);
    if (!identity?.verified) return 401;
    if (users.has(identity.user) || identity.groups.some((g) => groups.has(g))) return 'allow';
    if (path === '/metrics' && identity.groups.some((g) => metricsGroups.has(g))) return 'allow';
    return 403;
  };
}
