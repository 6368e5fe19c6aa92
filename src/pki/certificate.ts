// Issuing X.509 v3 certificates with node:crypto alone: keys from generateKeyPairSync, the
// TBSCertificate written in DER (der.ts) and signed with crypto.sign. Enough for a cluster's own CA,
// serving certificates (SANs for DNS names and IPs) and client certificates (CN = user, O = groups),
// which Go (kubectl), Node's TLS and openssl all accept. Reading certificates is X509Certificate's job.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { isIP } from 'node:net';
import {
  bitStringBytes,
  boolean,
  explicit,
  implicitPrimitive,
  integer,
  namedBits,
  nullValue,
  objectId,
  octetString,
  sequence,
  set,
  time,
  utf8String,
} from './der.js';

export interface Subject {
  /** CN: the user name of a client certificate. */
  commonName: string;
  /** O: the groups of a client certificate, one RDN each. */
  organizations?: readonly string[];
}

export type ExtendedUsage = 'serverAuth' | 'clientAuth';

export interface CertificateRequest {
  subject: Subject;
  /** A CA may sign certificates; leaves may not. */
  isCA?: boolean;
  usages?: readonly ExtendedUsage[];
  /** Subject alternative names of a serving certificate. */
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  /** Validity; default one year (a CA: ten years). */
  validityDays?: number;
  /** Start of validity; default now minus five minutes (clock skew between machines). */
  notBefore?: Date;
}

/** PEM text of a certificate and its private key (PKCS#8). */
export interface CertificateAndKey {
  cert: string;
  key: string;
}

const oids = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

const keyUsageBits = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

/** A fresh ECDSA P-256 key pair (small, fast, accepted by Go's and Node's TLS). */
export function generateKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

/** A self-signed certificate authority. */
export function createCertificateAuthority(commonName: string, validityDays = 3650): CertificateAndKey {
  const { privateKey, publicKey } = generateKey();
  const cert = buildCertificate({ subject: { commonName }, isCA: true, validityDays }, publicKey, {
    subject: { commonName },
    privateKey,
    publicKey,
  });
  return { cert, key: exportKey(privateKey) };
}

/** A new key and a certificate for it, signed by `ca`. */
export function issueCertificate(ca: CertificateAndKey, request: CertificateRequest): CertificateAndKey {
  const caCert = new X509Certificate(ca.cert);
  if (!caCert.ca) throw new Error('pki: the issuing certificate is not a CA');
  const caKey = createPrivateKey(ca.key);
  const { privateKey, publicKey } = generateKey();
  const cert = buildCertificate(request, publicKey, {
    subject: subjectOf(caCert),
    privateKey: caKey,
    publicKey: caCert.publicKey,
    rawSubject: rawSubjectOf(caCert),
  });
  return { cert, key: exportKey(privateKey) };
}

interface Issuer {
  subject: Subject;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The issuer's subject exactly as encoded in its certificate (chain building compares bytes). */
  rawSubject?: Buffer;
}

function buildCertificate(request: CertificateRequest, publicKey: KeyObject, issuer: Issuer): string {
  const isCA = request.isCA ?? false;
  const days = request.validityDays ?? (isCA ? 3650 : 365);
  const notBefore = request.notBefore ?? new Date(Date.now() - 5 * 60_000);
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const signatureAlgorithm = algorithmOf(issuer.privateKey);
  const extensions = [
    extension(oids.basicConstraints, true, isCA ? sequence(boolean(true)) : sequence()),
    extension(
      oids.keyUsage,
      true,
      namedBits(
        isCA
          ? [keyUsageBits.digitalSignature, keyUsageBits.keyCertSign, keyUsageBits.cRLSign]
          : [keyUsageBits.digitalSignature, keyUsageBits.keyEncipherment],
      ),
    ),
    extension(oids.subjectKeyId, false, octetString(keyId(spki))),
  ];
  if (!isCA) {
    extensions.push(
      extension(
        oids.authorityKeyId,
        false,
        sequence(implicitPrimitive(0, keyId(issuer.publicKey.export({ type: 'spki', format: 'der' })))),
      ),
    );
  }
  const usages = request.usages ?? [];
  if (usages.length > 0) {
    extensions.push(extension(oids.extKeyUsage, false, sequence(...usages.map((u) => objectId(oids[u])))));
  }
  const altNames = [
    ...(request.dnsNames ?? []).map((name) => implicitPrimitive(2, Buffer.from(name, 'ascii'))),
    ...(request.ipAddresses ?? []).map((ip) => implicitPrimitive(7, ipBytes(ip))),
  ];
  if (altNames.length > 0) extensions.push(extension(oids.subjectAltName, false, sequence(...altNames)));

  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and never zero
  const tbs = sequence(
    explicit(0, integer(2n)), // v3
    integer(serial),
    signatureAlgorithm.identifier,
    issuer.rawSubject ?? encodeName(issuer.subject),
    sequence(time(notBefore), time(notAfter)),
    encodeName(request.subject),
    spki,
    explicit(3, sequence(...extensions)),
  );
  const signature = sign(signatureAlgorithm.hash, tbs, issuer.privateKey);
  const der = sequence(tbs, signatureAlgorithm.identifier, bitStringBytes(signature));
  return toPem('CERTIFICATE', der);
}

function algorithmOf(key: KeyObject): { identifier: Buffer; hash: string } {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return { identifier: sequence(objectId(oids.ecdsaWithSha256)), hash: 'sha256' };
    case 'rsa':
      return { identifier: sequence(objectId(oids.sha256WithRsa), nullValue()), hash: 'sha256' };
    default:
      throw new Error(`pki: cannot sign with a ${key.asymmetricKeyType} key (use EC or RSA)`);
  }
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(objectId(id), boolean(true), octetString(value))
    : sequence(objectId(id), octetString(value));
}

/** RDNs in the order Kubernetes tooling writes them: O=… (one per group), then CN. */
function encodeName(subject: Subject): Buffer {
  const rdn = (id: string, value: string) => set(sequence(objectId(id), utf8String(value)));
  return sequence(
    ...(subject.organizations ?? []).map((o) => rdn(oids.organization, o)),
    rdn(oids.commonName, subject.commonName),
  );
}

/** A key identifier: SHA-1 of the SubjectPublicKeyInfo (RFC 5280 §4.2.1.2 allows any unique method). */
function keyId(spki: Buffer): Buffer {
  return createHash('sha1').update(spki).digest();
}

function ipBytes(ip: string): Buffer {
  const family = isIP(ip);
  if (family === 4) return Buffer.from(ip.split('.').map(Number));
  if (family === 6) return ipv6Bytes(ip);
  throw new Error(`pki: "${ip}" is not an IP address`);
}

function ipv6Bytes(ip: string): Buffer {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  const all = [...left, ...fill, ...right];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => {
    out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  });
  return out;
}

function exportKey(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** CN and O of a certificate's subject ("CN=x\nO=a\nO=b" as X509Certificate prints it). */
export function subjectOf(cert: X509Certificate): Subject {
  const organizations: string[] = [];
  let commonName = '';
  for (const line of cert.subject.split('\n')) {
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === 'CN') commonName = value;
    else if (key === 'O') organizations.push(value);
  }
  return { commonName, organizations };
}

/** The DER Name of a certificate's subject, as stored (found by walking the outer structure). */
function rawSubjectOf(cert: X509Certificate): Buffer {
  const tbs = children(children(cert.raw)[0]!);
  // tbs: [0] version, serial, algorithm, issuer, validity, subject, …
  const offset = tbs[0]![0] === 0xa0 ? 1 : 0;
  return tbs[offset + 4]!;
}

/** The TLVs inside a constructed DER value. */
function children(value: Buffer): Buffer[] {
  const out: Buffer[] = [];
  const { start, end } = header(value, 0);
  for (let at = start; at < end; ) {
    const child = header(value, at);
    out.push(value.subarray(at, child.end));
    at = child.end;
  }
  return out;
}

function header(buf: Buffer, at: number): { start: number; end: number } {
  let length = buf[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[start + i]!;
    start += count;
  }
  return { start, end: start + length };
}

/** True when `cert` was signed by `ca` and is valid for at least `marginMs` more. */
export function isIssuedAndCurrent(cert: string, ca: string, marginMs = 30 * 86_400_000): boolean {
  try {
    const c = new X509Certificate(cert);
    const authority = new X509Certificate(ca);
    return (
      c.checkIssued(authority) &&
      c.verify(authority.publicKey) &&
      Date.parse(c.validTo) - Date.now() > marginMs
    );
  } catch {
    return false;
  }
}

/** True when `key` (PEM) is the private key of `cert` (PEM). */
export function keyMatches(cert: string, key: string): boolean {
  try {
    const fromKey = createPublicKey(createPrivateKey(key)).export({ type: 'spki', format: 'der' });
    const fromCert = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
    return Buffer.compare(fromKey, fromCert) === 0;
  } catch {
    return false;
  }
}
