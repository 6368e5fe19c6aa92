// Who is at the other end of a TLS connection: the subject of a client certificate the server
// verified against its client CA (CN = user name, each O = a group). Shared by the apiserver's
// authenticator and the kubelet API's access check.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export type PeerIdentity =
  | { readonly verified: true; readonly user: string; readonly groups: readonly string[] }
  | { readonly verified: false; readonly reason: string };

/** The verified identity, a failure for a presented-but-rejected certificate, or undefined for none. */
export function peerIdentity(req: IncomingMessage): PeerIdentity | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return undefined;
  if (!socket.authorized) {
    return {
      verified: false,
      reason: `x509: certificate rejected: ${String(socket.authorizationError ?? 'unknown authority')}`,
    };
  }
  const subject = (cert.subject ?? {}) as unknown as Record<string, string | string[] | undefined>;
  const cn = Array.isArray(subject.CN) ? subject.CN[0] : subject.CN;
  if (!cn) return { verified: false, reason: 'x509: the client certificate has no common name' };
  const groups = subject.O === undefined ? [] : Array.isArray(subject.O) ? subject.O : [subject.O];
  return { verified: true, user: cn, groups };
}
