// `kubelite up`'s apiserver certificate as a client in a pod sees it: TLS to the apiserver verified
// against the cluster CA for servername kubernetes.default.svc, and the default/kubernetes Service's
// cluster IP on the certificate. A data dir from before those names (a serving certificate with
// loopback names only) gets its certificate reissued on the next up, under the same CA, so client
// credentials handed out earlier keep working.
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { issueCertificate } from '../src/pki/certificate.js';
import { createUpCluster, type UpCluster } from './up-harness.js';

const clusters: UpCluster[] = [];
afterEach(async () => {
  await Promise.all(clusters.splice(0).map((c) => c.cleanup()));
});

interface Credentials {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** GET `path` from the apiserver at 127.0.0.1:<port>, the certificate verified for kubernetes.default.svc. */
function getAsPod(
  port: number,
  path: string,
  credentials: Credentials,
): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request(
      { host: '127.0.0.1', port, path, servername: 'kubernetes.default.svc', agent: false, ...credentials },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', fail);
    req.end();
  });
}

describe('kubelite up apiserver certificate', () => {
  it('is verified as kubernetes.default.svc, names the kubernetes service IP, and is reissued for an old data dir', async () => {
    const c = createUpCluster();
    clusters.push(c);
    const pki = join(c.dataDir, 'pki');
    const read = (name: string) => readFileSync(join(pki, name));
    const portOf = () =>
      Number(new URL(parse(readFileSync(c.kubeconfig, 'utf8')).clusters[0].cluster.server).port);
    const credentials = (): Credentials => ({
      ca: read('ca.crt'),
      cert: read('admin.crt'),
      key: read('admin.key'),
    });
    const kubernetesService = '/api/v1/namespaces/default/services/kubernetes';

    const first = c.up(['--nodes', '0', '--runtime', 'fake']);
    await first.waitFor(/Ctrl-C stops the cluster/);
    const answer = await getAsPod(portOf(), kubernetesService, credentials());
    expect(answer.status).toBe(200);
    const clusterIP: string = JSON.parse(answer.body).spec.clusterIP;
    expect(new X509Certificate(read('apiserver.crt')).checkIP(clusterIP)).toBe(clusterIP);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);

    // The data dir as an older kubelite left it: the same CA, a serving certificate for loopback only.
    const before = credentials();
    const old = issueCertificate(
      { cert: before.ca.toString(), key: read('ca.key').toString() },
      {
        subject: { commonName: 'kube-apiserver' },
        usages: ['serverAuth'],
        ipAddresses: ['127.0.0.1', '::1'],
        dnsNames: ['localhost'],
      },
    );
    writeFileSync(join(pki, 'apiserver.crt'), old.cert);
    writeFileSync(join(pki, 'apiserver.key'), old.key);

    const again = c.up(['--nodes', '0']);
    await again.waitFor(/Ctrl-C stops the cluster/);
    expect(read('ca.crt').equals(before.ca)).toBe(true);
    const reissued = new X509Certificate(read('apiserver.crt'));
    expect(reissued.checkHost('kubernetes.default.svc')).toBe('kubernetes.default.svc');
    expect(reissued.checkIP(clusterIP)).toBe(clusterIP);
    // The CA and admin credentials from before the restart still reach it.
    const later = await getAsPod(portOf(), kubernetesService, before);
    expect(later.status).toBe(200);
    expect(JSON.parse(later.body).spec.clusterIP).toBe(clusterIP);
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  });
});
