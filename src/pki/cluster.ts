// A cluster's certificates, as `kubelite up` keeps them in its data dir (kubeadm's layout, smaller):
// one CA; the apiserver's serving certificate and its client certificate towards kubelets; a serving
// certificate per kubelet; a client certificate and kubeconfig per component (scheduler,
// controller-manager, kube-proxy, each node's kubelet) and for the admin (group system:masters).
// Run again on the same dir, it keeps what is still right (signed by the CA, the same identity and
// addresses, 30+ days left) and reissues the rest; kubeconfigs are rewritten for the current server.
// The apiserver's serving certificate also names what pods reach it by (Service default/kubernetes),
// so a serving certificate of an older kubelite, without those names, is reissued (the CA stays).
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { defaultServiceClusterIPRange } from '../apiserver/options.js';
import { formatIPv4, ipRangeAllocator } from '../apiserver/registry/allocator.js';
import { writeKubeconfig } from '../client/kubeconfig.js';
import {
  type CertificateAndKey,
  type CertificateRequest,
  createCertificateAuthority,
  isIssuedAndCurrent,
  issueCertificate,
  keyMatches,
  type Subject,
  subjectOf,
} from './certificate.js';

export interface ClusterPkiOptions {
  /** Where certificates, keys and component kubeconfigs go (e.g. <data-dir>/pki). */
  dir: string;
  /** The apiserver URL written into kubeconfigs, e.g. https://127.0.0.1:6443. */
  server: string;
  /**
   * IP addresses and DNS names the apiserver is reached at (its advertise address among them);
   * default 127.0.0.1, ::1, localhost and this machine's host name. The in-cluster names are added.
   */
  apiserverAddresses?: readonly string[];
  /** The apiserver's --service-cluster-ip-range: its first address is default/kubernetes's. */
  serviceClusterIpRange?: string;
  /** The cluster's DNS domain (kubernetes.default.svc.<domain>); default cluster.local. */
  clusterDomain?: string;
  /** Each node's name and address (its kubelet's serving certificate is for that address). */
  nodes: ReadonlyArray<{ name: string; address: string }>;
  /** Where the admin kubeconfig goes; default <dir>/admin.kubeconfig. */
  adminKubeconfig?: string;
}

export interface CertFiles {
  cert: string;
  key: string;
}

export interface ClusterPki {
  /** The CA certificate: clients verify the apiserver and kubelets with it, servers verify clients. */
  caFile: string;
  apiserver: CertFiles;
  /** The apiserver's client certificate for kubelet APIs (CN kube-apiserver-kubelet-client). */
  apiserverKubeletClient: CertFiles;
  /** Kubeconfigs (server, CA, client certificate inline) by component. */
  kubeconfigs: {
    admin: string;
    scheduler: string;
    controllerManager: string;
    proxy: string;
    /** By node name: the kubelet's identity system:node:<name> in system:nodes. */
    nodes: Record<string, string>;
  };
  /** Each kubelet's serving certificate, by node name. */
  kubeletServing: Record<string, CertFiles>;
  /** A client certificate in group system:monitoring: reads /metrics of the apiserver and kubelets. */
  monitoring: CertFiles;
}

/** The user name kubelets authenticate as, and the apiserver's identity towards kubelets. */
export const kubeletApiClientUser = 'kube-apiserver-kubelet-client';

/** Where ensureClusterPki puts everything, without creating anything (for command lines). */
export function clusterPkiPaths(
  dir: string,
  nodeNames: readonly string[],
  adminKubeconfig = join(dir, 'admin.kubeconfig'),
): ClusterPki {
  const pair = (name: string): CertFiles => ({
    cert: join(dir, `${name}.crt`),
    key: join(dir, `${name}.key`),
  });
  const kubeconfig = (name: string) => join(dir, `${name}.kubeconfig`);
  return {
    caFile: join(dir, 'ca.crt'),
    apiserver: pair('apiserver'),
    apiserverKubeletClient: pair('apiserver-kubelet-client'),
    kubeconfigs: {
      admin: adminKubeconfig,
      scheduler: kubeconfig('scheduler'),
      controllerManager: kubeconfig('controller-manager'),
      proxy: kubeconfig('proxy'),
      nodes: Object.fromEntries(nodeNames.map((n) => [n, kubeconfig(`kubelet-${n}`)])),
    },
    kubeletServing: Object.fromEntries(nodeNames.map((n) => [n, pair(`kubelet-${n}`)])),
    monitoring: pair('monitoring'),
  };
}

export function ensureClusterPki(options: ClusterPkiOptions): ClusterPki {
  const dir = options.dir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const paths = clusterPkiPaths(
    dir,
    options.nodes.map((n) => n.name),
    options.adminKubeconfig,
  );
  const ca = ensureCa(dir);
  const issue = (name: string, request: CertificateRequest): CertFiles => ensureLeaf(dir, name, ca, request);
  const client = (name: string, subject: Subject) => issue(name, { subject, usages: ['clientAuth'] });
  issue('apiserver', {
    subject: { commonName: 'kube-apiserver' },
    usages: ['serverAuth'],
    ...apiserverServingNames(options),
  });
  client('apiserver-kubelet-client', { commonName: kubeletApiClientUser });
  client('monitoring', { commonName: 'kubelite-monitoring', organizations: ['system:monitoring'] });
  const kubeconfig = (path: string, name: string, files: CertFiles) =>
    writeKubeconfig(path, {
      server: options.server,
      ca: ca.cert,
      cert: readFileSync(files.cert),
      key: readFileSync(files.key),
      user: name,
    });
  for (const node of options.nodes) {
    const identity = `system:node:${node.name}`;
    kubeconfig(
      paths.kubeconfigs.nodes[node.name]!,
      identity,
      client(`kubelet-${node.name}-client`, { commonName: identity, organizations: ['system:nodes'] }),
    );
    issue(`kubelet-${node.name}`, {
      subject: { commonName: identity },
      usages: ['serverAuth'],
      ipAddresses: isIpAddress(node.address) ? [node.address] : [],
      dnsNames: [node.name, ...(isIpAddress(node.address) ? [] : [node.address])],
    });
  }
  const admin = client('admin', { commonName: 'kubernetes-admin', organizations: ['system:masters'] });
  kubeconfig(paths.kubeconfigs.admin, 'admin', admin);
  const scheduler = client('scheduler', { commonName: 'system:kube-scheduler' });
  kubeconfig(paths.kubeconfigs.scheduler, 'system:kube-scheduler', scheduler);
  const manager = client('controller-manager', { commonName: 'system:kube-controller-manager' });
  kubeconfig(paths.kubeconfigs.controllerManager, 'system:kube-controller-manager', manager);
  kubeconfig(
    paths.kubeconfigs.proxy,
    'system:kube-proxy',
    client('proxy', { commonName: 'system:kube-proxy' }),
  );
  return paths;
}

/** 127.0.0.1, ::1, localhost and the host name (when it is a valid DNS name). */
export function defaultApiserverAddresses(): string[] {
  const host = hostname();
  const local = ['127.0.0.1', '::1', 'localhost'];
  return /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(host) && !local.includes(host) ? [...local, host] : local;
}

/**
 * The apiserver certificate's SANs, as Kubernetes has them: where it is reached (apiserverAddresses),
 * and for clients in pods kubernetes, kubernetes.default, kubernetes.default.svc,
 * kubernetes.default.svc.<domain> and the service range's first IP.
 */
export function apiserverServingNames(
  options: Pick<ClusterPkiOptions, 'apiserverAddresses' | 'serviceClusterIpRange' | 'clusterDomain'>,
): { ipAddresses: string[]; dnsNames: string[] } {
  const range = ipRangeAllocator(options.serviceClusterIpRange ?? defaultServiceClusterIPRange);
  const svc = 'kubernetes.default.svc';
  const names = new Set([
    ...(options.apiserverAddresses ?? defaultApiserverAddresses()),
    formatIPv4(range.base),
    'kubernetes',
    'kubernetes.default',
    svc,
    `${svc}.${options.clusterDomain ?? 'cluster.local'}`,
  ]);
  return {
    ipAddresses: [...names].filter(isIpAddress),
    dnsNames: [...names].filter((a) => !isIpAddress(a)),
  };
}

/** A client certificate signed by the cluster CA in `dir` (for new users: CN = user, O = groups). */
export function issueClientCertificate(dir: string, subject: Subject): CertificateAndKey {
  return issueCertificate(readPair(join(dir, 'ca')), { subject, usages: ['clientAuth'] });
}

function ensureCa(dir: string): CertificateAndKey {
  const base = join(dir, 'ca');
  if (existsSync(`${base}.crt`) && existsSync(`${base}.key`)) {
    const pair = readPair(base);
    if (keyMatches(pair.cert, pair.key) && new X509Certificate(pair.cert).ca) return pair;
  }
  const ca = createCertificateAuthority('kubelite-ca');
  writePair(base, ca);
  return ca;
}

function ensureLeaf(
  dir: string,
  name: string,
  ca: CertificateAndKey,
  request: CertificateRequest,
): CertFiles {
  const base = join(dir, name);
  const files = { cert: `${base}.crt`, key: `${base}.key` };
  if (existsSync(files.cert) && existsSync(files.key)) {
    const pair = readPair(base);
    if (
      isIssuedAndCurrent(pair.cert, ca.cert) &&
      keyMatches(pair.cert, pair.key) &&
      fits(pair.cert, request)
    ) {
      return files;
    }
  }
  writePair(base, issueCertificate(ca, request));
  return files;
}

/** Same subject and every wanted address present. */
function fits(pem: string, request: CertificateRequest): boolean {
  const cert = new X509Certificate(pem);
  const subject = subjectOf(cert);
  if (subject.commonName !== request.subject.commonName) return false;
  if ((subject.organizations ?? []).join('\n') !== (request.subject.organizations ?? []).join('\n'))
    return false;
  return (
    (request.ipAddresses ?? []).every((ip) => cert.checkIP(ip) !== undefined) &&
    (request.dnsNames ?? []).every((name) => cert.checkHost(name) !== undefined)
  );
}

function readPair(base: string): CertificateAndKey {
  return { cert: readFileSync(`${base}.crt`, 'utf8'), key: readFileSync(`${base}.key`, 'utf8') };
}

function writePair(base: string, pair: CertificateAndKey): void {
  writeFileSync(`${base}.crt`, pair.cert, { mode: 0o644 });
  writeFileSync(`${base}.key`, pair.key, { mode: 0o600 });
  chmodSync(`${base}.key`, 0o600);
}

function isIpAddress(text: string): boolean {
  return isIP(text) !== 0;
}
