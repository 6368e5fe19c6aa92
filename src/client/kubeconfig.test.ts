import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOptionsFromKubeconfig, loadKubeconfig, writeKubeconfig } from './kubeconfig.js';
import { createClient } from './rest.js';
import { createTestPki, type TestPki } from './testing/tls.js';

let dir: string;
let pki: TestPki;
let https: Server;
let httpsUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelite-kubeconfig-'));
  pki = createTestPki();
  // Answers every request with the client certificate's CN and the Authorization header it saw.
  https = createServer(
    { cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ cn: peer?.subject?.CN ?? null, authorization: req.headers.authorization ?? null }),
      );
    },
  );
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  httpsUrl = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => https.close(() => resolve()));
  pki.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubeconfig', () => {
  it('writes a file (mode 0600) that kubectl reads and loadKubeconfig loads back', () => {
    const path = join(dir, 'nested', 'admin.kubeconfig');
    // Nothing listens there: kubectl's version dispatcher fails fast instead of waiting for a reply.
    const server = 'https://127.0.0.1:1';
    writeKubeconfig(path, {
      server,
      token: 'tok',
      ca: pki.ca,
      cert: pki.clientCert,
      key: pki.clientKey,
      namespace: 'prod',
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const viewed = JSON.parse(
      execFileSync('kubectl', ['config', 'view', '--raw', '-o', 'json', '--kubeconfig', path], {
        encoding: 'utf8',
      }),
    );
    expect(viewed['current-context']).toBe('kubelite');
    expect(viewed.clusters[0].cluster.server).toBe(server);
    expect(viewed.users[0].name).toBe('admin');

    const loaded = loadKubeconfig(path);
    expect(loaded).toMatchObject({ context: 'kubelite', server, token: 'tok', namespace: 'prod' });
    expect(loaded.ca?.toString()).toBe(pki.ca);
    expect(loaded.cert?.toString()).toBe(pki.clientCert);
    expect(loaded.key?.toString()).toBe(pki.clientKey);
  });

  it('reads file paths relative to the kubeconfig, tokenFile, and a chosen context', () => {
    writeFileSync(join(dir, 'ca.crt'), pki.ca);
    writeFileSync(join(dir, 'token'), 'from-file\n');
    const path = join(dir, 'multi.yaml');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: one',
        'clusters:',
        '- name: c1',
        '  cluster: { server: "https://127.0.0.1:1", certificate-authority: ca.crt }',
        '- name: c2',
        '  cluster: { server: "https://127.0.0.1:2", insecure-skip-tls-verify: true, tls-server-name: api.local }',
        'users:',
        '- name: u1',
        '  user: { tokenFile: token }',
        'contexts:',
        '- name: one',
        '  context: { cluster: c1, user: u1 }',
        '- name: two',
        '  context: { cluster: c2, user: u1, namespace: kube-system }',
        '',
      ].join('\n'),
    );
    const one = loadKubeconfig(path);
    expect(one.server).toBe('https://127.0.0.1:1');
    expect(one.ca?.toString()).toBe(pki.ca);
    expect(one.token).toBe('from-file');
    const two = loadKubeconfig(path, 'two');
    expect(two).toMatchObject({
      server: 'https://127.0.0.1:2',
      insecureSkipVerify: true,
      tlsServerName: 'api.local',
      namespace: 'kube-system',
    });
    expect(() => loadKubeconfig(path, 'three')).toThrow(/context "three" not found/);
  });

  it('gives createClient options that verify the server with the CA and present the client certificate', async () => {
    const path = join(dir, 'tls.kubeconfig');
    writeKubeconfig(path, {
      server: httpsUrl,
      ca: pki.ca,
      cert: pki.clientCert,
      key: pki.clientKey,
      token: 't',
    });
    const client = createClient(clientOptionsFromKubeconfig(loadKubeconfig(path)));
    try {
      expect(await client.raw('GET', '/whoami')).toEqual({ cn: 'admin', authorization: 'Bearer t' });
    } finally {
      await client.close();
    }
  });

  it('refuses a server certificate from an unknown CA unless insecureSkipVerify is set', async () => {
    const strict = createClient({ server: httpsUrl, tls: {} });
    const lax = createClient({ server: httpsUrl, tls: { insecureSkipVerify: true } });
    try {
      await expect(strict.raw('GET', '/')).rejects.toThrow(/certificate/i);
      expect(await lax.raw('GET', '/')).toEqual({ cn: null, authorization: null });
    } finally {
      await strict.close();
      await lax.close();
    }
  });
});
