// Reading and writing kubeconfig files (the format kubectl uses), so components and `kubelite up`
// share credentials with kubectl. Inline `*-data` fields (base64) and file paths (relative to the
// kubeconfig's folder, as kubectl resolves them) are both understood.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ClientOptions } from './transport.js';

export interface Kubeconfig {
  /** The context the values came from. */
  context: string;
  server: string;
  token?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipVerify?: boolean;
  tlsServerName?: string;
  /** The context's default namespace, if any. */
  namespace?: string;
}

/** `$KUBECONFIG` (its first entry) or `~/.kube/config`. */
export function defaultKubeconfigPath(): string {
  const fromEnv = process.env.KUBECONFIG?.split(':').find(Boolean);
  return fromEnv ?? join(homedir(), '.kube', 'config');
}

function pick<T>(list: unknown, name: string, field: string, what: string, file: string): T {
  const entry = Array.isArray(list)
    ? (list as Array<Record<string, unknown> | null>).find((e) => e?.name === name)
    : undefined;
  const value = entry?.[field] as T | undefined;
  if (!value) throw new Error(`kubeconfig ${file}: ${what} "${name}" not found`);
  return value;
}

/** Loads the server and credentials of one context (default: current-context). Reads files synchronously. */
export function loadKubeconfig(path = defaultKubeconfigPath(), context?: string): Kubeconfig {
  const doc = (parse(readFileSync(path, 'utf8')) ?? {}) as Record<string, unknown>;
  const base = dirname(resolve(path));
  const contextName = context ?? (doc['current-context'] as string | undefined);
  if (!contextName) throw new Error(`kubeconfig ${path}: no context given and no current-context set`);
  const ctx = pick<Record<string, string>>(doc.contexts, contextName, 'context', 'context', path);
  const cluster = pick<Record<string, unknown>>(doc.clusters, ctx.cluster ?? '', 'cluster', 'cluster', path);
  const user = ctx.user
    ? pick<Record<string, unknown>>(doc.users, ctx.user, 'user', 'user', path)
    : ({} as Record<string, unknown>);

  const fileOrData = (entry: Record<string, unknown>, fileKey: string): Buffer | undefined => {
    const data = entry[`${fileKey}-data`];
    if (typeof data === 'string' && data) return Buffer.from(data, 'base64');
    const file = entry[fileKey];
    if (typeof file === 'string' && file) return readFileSync(isAbsolute(file) ? file : join(base, file));
    return undefined;
  };

  const server = cluster.server;
  if (typeof server !== 'string' || !server) throw new Error(`kubeconfig ${path}: cluster has no server`);
  let token = typeof user.token === 'string' && user.token ? user.token : undefined;
  if (!token && typeof user.tokenFile === 'string' && user.tokenFile) {
    const file = user.tokenFile;
    token = readFileSync(isAbsolute(file) ? file : join(base, file), 'utf8').trim();
  }
  const out: Kubeconfig = { context: contextName, server };
  if (token) out.token = token;
  const ca = fileOrData(cluster, 'certificate-authority');
  if (ca) out.ca = ca;
  const cert = fileOrData(user, 'client-certificate');
  if (cert) out.cert = cert;
  const key = fileOrData(user, 'client-key');
  if (key) out.key = key;
  if (cluster['insecure-skip-tls-verify'] === true) out.insecureSkipVerify = true;
  if (typeof cluster['tls-server-name'] === 'string') out.tlsServerName = cluster['tls-server-name'];
  if (ctx.namespace) out.namespace = ctx.namespace;
  return out;
}

/** createClient options for a loaded kubeconfig. */
export function clientOptionsFromKubeconfig(config: Kubeconfig): ClientOptions {
  const tls =
    config.ca || config.cert || config.key || config.insecureSkipVerify || config.tlsServerName
      ? {
          ca: config.ca,
          cert: config.cert,
          key: config.key,
          insecureSkipVerify: config.insecureSkipVerify,
          serverName: config.tlsServerName,
        }
      : undefined;
  return { server: config.server, token: config.token, ...(tls ? { tls } : {}) };
}

export interface WriteKubeconfigOptions {
  server: string;
  token?: string;
  /** PEM contents (not paths): written inline as *-data. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  insecureSkipVerify?: boolean;
  /** Names of the user, cluster and context entries. Default "admin", "kubelite", "kubelite". */
  user?: string;
  cluster?: string;
  context?: string;
  namespace?: string;
}

/** Writes a one-context kubeconfig (mode 0600, folders created) that kubectl and loadKubeconfig read. */
export function writeKubeconfig(path: string, options: WriteKubeconfigOptions): void {
  const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64');
  const userName = options.user ?? 'admin';
  const clusterName = options.cluster ?? 'kubelite';
  const contextName = options.context ?? 'kubelite';
  const cluster: Record<string, unknown> = { server: options.server };
  if (options.ca) cluster['certificate-authority-data'] = b64(options.ca);
  if (options.insecureSkipVerify) cluster['insecure-skip-tls-verify'] = true;
  const user: Record<string, unknown> = {};
  if (options.token) user.token = options.token;
  if (options.cert) user['client-certificate-data'] = b64(options.cert);
  if (options.key) user['client-key-data'] = b64(options.key);
  const context: Record<string, unknown> = { cluster: clusterName, user: userName };
  if (options.namespace) context.namespace = options.namespace;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster }],
    users: [{ name: userName, user }],
    contexts: [{ name: contextName, context }],
    'current-context': contextName,
    preferences: {},
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, stringify(doc), { mode: 0o600 });
  chmodSync(path, 0o600);
}
