// The security and limit flags of `kubelite apiserver` (Kubernetes' names), turned into
// createApiServer options. Files are read here, once, at start-up. Without an authenticator the
// server is open, which it only allows on a loopback address: serving an unauthenticated (or
// plain-HTTP) API to the network is refused.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ApiServerOptions } from '../options.js';
import { type AuthorizationMode, authorizationModes } from './index.js';

export const securityFlags = {
  'tls-cert-file': { type: 'string' },
  'tls-private-key-file': { type: 'string' },
  'client-ca-file': { type: 'string' },
  'token-auth-file': { type: 'string' },
  'anonymous-auth': { type: 'boolean', default: false },
  'authorization-mode': { type: 'string' },
  'kubelet-client-certificate': { type: 'string' },
  'kubelet-client-key': { type: 'string' },
  'kubelet-certificate-authority': { type: 'string' },
  'max-requests-inflight': { type: 'string', default: '400' },
  'max-mutating-requests-inflight': { type: 'string', default: '200' },
  'request-timeout': { type: 'string', default: '60s' },
  'max-watches-per-user': { type: 'string', default: '1000' },
  'max-request-header-bytes': { type: 'string', default: String(16 * 1024) },
} as const;

export type SecurityFlag = keyof typeof securityFlags;

export const securityUsage = `Security (docs/security.md):
  --tls-cert-file FILE              serve HTTPS with this certificate (PEM)
  --tls-private-key-file FILE       … and this key
  --client-ca-file FILE             accept client certificates signed by this CA (CN = user, O = groups)
  --token-auth-file FILE            bearer tokens, CSV: token,user,uid,"group1,group2"
  --anonymous-auth                  requests without credentials run as system:anonymous (else 401)
  --authorization-mode LIST         Node,RBAC with an authenticator, else AlwaysAllow
  --kubelet-client-certificate FILE client certificate for kubelet APIs (pod logs over https)
  --kubelet-client-key FILE         … its key
  --kubelet-certificate-authority F CA of the kubelets' serving certificates
Limits:
  --max-requests-inflight N         read-only requests at once, 0 = unlimited   [400]
  --max-mutating-requests-inflight N  mutating requests at once, 0 = unlimited  [200]
  --request-timeout DURATION        deadline of non-long-running requests     [60s]
  --max-watches-per-user N          open watches per authenticated user       [1000]
  --max-request-header-bytes N      larger request heads get 431              [16384]
`;

type FlagValue = (name: SecurityFlag) => string | boolean | undefined;

export function securityOptionsFromFlags(
  pick: FlagValue,
  bindAddress: string,
  parseDurationMs: (text: string) => number,
): SecurityServerOptions {
  const text = (name: SecurityFlag) => {
    const value = pick(name);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const file = (name: SecurityFlag) => {
    const path = text(name);
    return path === undefined ? undefined : readFileSync(path);
  };
  const count = (name: SecurityFlag) => {
    const value = text(name) ?? '';
    if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a non-negative integer, got "${value}"`);
    return Number(value);
  };
  const cert = file('tls-cert-file');
  const key = file('tls-private-key-file');
  if (!cert !== !key) throw new Error('--tls-cert-file and --tls-private-key-file go together');
  const clientCA = file('client-ca-file');
  if (clientCA && !cert)
    throw new Error('--client-ca-file needs TLS (--tls-cert-file, --tls-private-key-file)');
  const tokenAuthFile = text('token-auth-file');
  const anonymous = pick('anonymous-auth') === true;
  const authenticated = !!clientCA || tokenAuthFile !== undefined || anonymous;
  const modes = (text('authorization-mode') ?? (authenticated ? 'Node,RBAC' : 'AlwaysAllow'))
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean) as AuthorizationMode[];
  for (const mode of modes) {
    if (!authorizationModes.includes(mode)) {
      throw new Error(`--authorization-mode: unknown mode "${mode}" (use ${authorizationModes.join(', ')})`);
    }
  }
  if (!isLoopback(bindAddress) && (!cert || !authenticated)) {
    throw new Error(
      `refusing to serve ${cert ? 'an unauthenticated' : 'a plain-HTTP'} API on ${bindAddress}: ` +
        'give --tls-cert-file/--tls-private-key-file and --client-ca-file or --token-auth-file, or bind to 127.0.0.1',
    );
  }
  if (modes.some((m) => m !== 'AlwaysAllow') && !authenticated) {
    throw new Error(
      `--authorization-mode ${modes.join(',')} needs an authenticator (--client-ca-file or --token-auth-file)`,
    );
  }
  const kubeletCert = file('kubelet-client-certificate');
  const kubeletKey = file('kubelet-client-key');
  const kubeletCA = file('kubelet-certificate-authority');
  return {
    ...(cert && key ? { tls: { cert, key, ...(clientCA ? { clientCA } : {}) } } : {}),
    ...(authenticated ? { authentication: { tokenAuthFile, anonymous } } : {}),
    authorizationModes: modes,
    ...(kubeletCert || kubeletKey || kubeletCA
      ? { kubeletClientTls: { cert: kubeletCert, key: kubeletKey, ca: kubeletCA } }
      : {}),
    limits: {
      maxRequestsInflight: count('max-requests-inflight'),
      maxMutatingRequestsInflight: count('max-mutating-requests-inflight'),
      requestTimeoutMs: parseDurationMs(text('request-timeout') ?? '60s'),
      maxWatchesPerUser: count('max-watches-per-user'),
    },
    maxHeaderBytes: count('max-request-header-bytes'),
  };
}

export type SecurityServerOptions = Pick<
  ApiServerOptions,
  'tls' | 'authentication' | 'authorizationModes' | 'kubeletClientTls' | 'limits' | 'maxHeaderBytes'
>;

export function isLoopback(address: string): boolean {
  if (address === 'localhost' || address === '::1') return true;
  return isIP(address) === 4 && address.startsWith('127.');
}
