import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createCertificateAuthority,
  isIssuedAndCurrent,
  issueCertificate,
  keyMatches,
  subjectOf,
} from './certificate.js';
import { integer, namedBits, objectId, time } from './der.js';

const ca = createCertificateAuthority('kubelite-ca');
const serving = issueCertificate(ca, {
  subject: { commonName: 'kube-apiserver' },
  usages: ['serverAuth'],
  dnsNames: ['localhost'],
  ipAddresses: ['127.0.0.1', '::1'],
});
const client = issueCertificate(ca, {
  subject: { commonName: 'alice', organizations: ['system:masters', 'dev team'] },
  usages: ['clientAuth'],
});
const dir = mkdtempSync(join(tmpdir(), 'kubelite-pki-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('DER encoding', () => {
  it('writes minimal positive integers, OIDs, named bits and times', () => {
    expect(integer(0n).toString('hex')).toBe('020100');
    expect(integer(127n).toString('hex')).toBe('02017f');
    expect(integer(128n).toString('hex')).toBe('02020080');
    expect(integer(Buffer.from([0, 0, 1])).toString('hex')).toBe('020101');
    expect(objectId('2.5.4.3').toString('hex')).toBe('0603550403');
    expect(objectId('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302');
    // digitalSignature + keyEncipherment = 0xa0 with 5 unused bits, as openssl writes KeyUsage.
    expect(namedBits([0, 2]).toString('hex')).toBe('030205a0');
    expect(time(new Date('2030-01-02T03:04:05Z')).toString('latin1').slice(2)).toBe('300102030405Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1').slice(2)).toBe('20500101000000Z');
  });
});

describe('issuing certificates', () => {
  it('makes a CA and leaves that X509Certificate and openssl accept', () => {
    const authority = new X509Certificate(ca.cert);
    expect(authority.ca).toBe(true);
    const server = new X509Certificate(serving.cert);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(authority)).toBe(true);
    expect(server.verify(authority.publicKey)).toBe(true);
    expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(subjectOf(new X509Certificate(client.cert))).toEqual({
      commonName: 'alice',
      organizations: ['system:masters', 'dev team'],
    });
    writeFileSync(join(dir, 'ca.crt'), ca.cert);
    writeFileSync(join(dir, 'server.crt'), serving.cert);
    writeFileSync(join(dir, 'client.crt'), client.cert);
    const verified = execFileSync(
      'openssl',
      ['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'server.crt'), join(dir, 'client.crt')],
      { encoding: 'utf8' },
    );
    expect(verified).toContain('server.crt: OK');
    expect(verified).toContain('client.crt: OK');
    const purpose = execFileSync('openssl', ['x509', '-in', join(dir, 'client.crt'), '-noout', '-purpose'], {
      encoding: 'utf8',
    });
    expect(purpose).toContain('SSL client : Yes');
    expect(purpose).toContain('SSL server : No');
  });

  it('checks issuer, validity and key pairs', () => {
    const other = createCertificateAuthority('other');
    expect(isIssuedAndCurrent(serving.cert, ca.cert)).toBe(true);
    expect(isIssuedAndCurrent(serving.cert, other.cert)).toBe(false);
    const shortLived = issueCertificate(ca, { subject: { commonName: 'x' }, validityDays: 1 });
    expect(isIssuedAndCurrent(shortLived.cert, ca.cert)).toBe(false); // inside the 30-day margin
    expect(keyMatches(serving.cert, serving.key)).toBe(true);
    expect(keyMatches(serving.cert, client.key)).toBe(false);
    expect(() => issueCertificate(serving, { subject: { commonName: 'y' } })).toThrow(/not a CA/);
  });

  it('completes a mutual TLS handshake with the issued pair', async () => {
    const server = createServer(
      { cert: serving.cert, key: serving.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true },
      (socket) => {
        const peer = socket.getPeerCertificate();
        socket.end(JSON.stringify({ cn: peer.subject.CN, o: peer.subject.O }));
      },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const socket: TLSSocket = connect({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        ca: ca.cert,
        cert: client.cert,
        key: client.key,
      });
      let text = '';
      socket.on('data', (d) => {
        text += d;
      });
      await once(socket, 'end');
      expect(socket.authorized).toBe(true);
      expect(JSON.parse(text)).toEqual({ cn: 'alice', o: ['system:masters', 'dev team'] });
    } finally {
      server.close();
    }
  });
});
