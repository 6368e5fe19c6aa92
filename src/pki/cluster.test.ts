import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { issueCertificate } from './certificate.js';
import { apiserverServingNames, ensureClusterPki } from './cluster.js';

const root = mkdtempSync(join(tmpdir(), 'kubelite-cluster-pki-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `pki-${++dirs}`);

/** The SANs as X509Certificate prints them: ["DNS:kubernetes", "IP Address:127.0.0.1", …]. */
function sansOf(certFile: string): string[] {
  return (new X509Certificate(readFileSync(certFile)).subjectAltName ?? '').split(', ');
}

const inClusterNames = [
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
];

describe('the apiserver serving certificate', () => {
  it('names localhost, the host, the in-cluster names and the default range first IP', () => {
    const pki = ensureClusterPki({ dir: freshDir(), server: 'https://127.0.0.1:6443', nodes: [] });
    const sans = sansOf(pki.apiserver.cert);
    expect(sans).toEqual(
      expect.arrayContaining([
        ...inClusterNames,
        'DNS:localhost',
        `DNS:${hostname()}`,
        'IP Address:127.0.0.1',
        'IP Address:0:0:0:0:0:0:0:1',
        'IP Address:127.10.0.1',
      ]),
    );
  });

  it('takes the addresses, service range and cluster domain it is given', () => {
    const names = apiserverServingNames({
      apiserverAddresses: ['10.0.0.10', 'master.example', '127.0.0.1'],
      serviceClusterIpRange: '10.96.0.0/12',
      clusterDomain: 'corp.internal',
    });
    expect(names.ipAddresses).toEqual(['10.0.0.10', '127.0.0.1', '10.96.0.1']);
    expect(names.dnsNames).toEqual([
      'master.example',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.corp.internal',
    ]);
    expect(() => apiserverServingNames({ serviceClusterIpRange: 'not-a-cidr' })).toThrow(
      /invalid service cluster IP range/,
    );
  });

  it('is reissued with the CA kept when an older one lacks the in-cluster names; a fitting one is kept', () => {
    const dir = freshDir();
    const options = {
      dir,
      server: 'https://127.0.0.1:6443',
      serviceClusterIpRange: '127.77.0.0/24',
      nodes: [],
    };
    const pki = ensureClusterPki(options);
    const ca = readFileSync(pki.caFile, 'utf8');
    // What kubelite up wrote before: loopback names only.
    const old = issueCertificate(
      { cert: ca, key: readFileSync(join(dir, 'ca.key'), 'utf8') },
      {
        subject: { commonName: 'kube-apiserver' },
        usages: ['serverAuth'],
        ipAddresses: ['127.0.0.1', '::1'],
        dnsNames: ['localhost'],
      },
    );
    writeFileSync(pki.apiserver.cert, old.cert);
    writeFileSync(pki.apiserver.key, old.key);
    const adminBefore = readFileSync(pki.kubeconfigs.admin, 'utf8');

    ensureClusterPki(options);
    const reissued = readFileSync(pki.apiserver.cert, 'utf8');
    expect(reissued).not.toBe(old.cert);
    expect(sansOf(pki.apiserver.cert)).toEqual(
      expect.arrayContaining([...inClusterNames, 'IP Address:127.77.0.1']),
    );
    expect(readFileSync(pki.caFile, 'utf8')).toBe(ca);
    expect(new X509Certificate(reissued).verify(new X509Certificate(ca).publicKey)).toBe(true);
    // Kubeconfigs trust the same CA, so copies handed out earlier keep working.
    const caOf = (kubeconfig: string) => parse(kubeconfig).clusters[0].cluster['certificate-authority-data'];
    expect(caOf(readFileSync(pki.kubeconfigs.admin, 'utf8'))).toBe(caOf(adminBefore));

    ensureClusterPki(options);
    expect(readFileSync(pki.apiserver.cert, 'utf8')).toBe(reissued);
  });

  it('passes TLS verification against the CA for servername kubernetes.default.svc', async () => {
    const pki = ensureClusterPki({ dir: freshDir(), server: 'https://127.0.0.1:6443', nodes: [] });
    const server = createServer(
      { cert: readFileSync(pki.apiserver.cert), key: readFileSync(pki.apiserver.key) },
      (socket) => socket.end('ok'),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const attempt = (servername: string) =>
        new Promise<string>((done, fail) => {
          const socket = connect({ host: '127.0.0.1', port, servername, ca: readFileSync(pki.caFile) });
          socket.once('secureConnect', () => {
            socket.destroy();
            done('verified');
          });
          socket.once('error', fail);
        });
      for (const name of ['kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost']) {
        expect(await attempt(name)).toBe('verified');
      }
      await expect(attempt('other.example')).rejects.toThrow(/altnames/i);
    } finally {
      server.close();
    }
  });
});
