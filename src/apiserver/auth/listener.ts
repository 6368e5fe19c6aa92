// The apiserver's listening socket: HTTPS with the serving certificate (and client certificates
// requested, verified against the client CA, when one is configured), or plain HTTP without TLS
// options. Verification failures do not end the handshake: the authenticator turns them into 401s,
// so a client with a bad certificate gets a Status rather than a TLS alert.
import {
  createServer as createHttpServer,
  type RequestListener,
  type Server,
  type ServerOptions,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

export interface ServingTls {
  /** PEM certificate (chain) and private key the server presents. */
  cert: string | Buffer;
  key: string | Buffer;
  /** PEM CA bundle that signs client certificates; enables client-certificate authentication. */
  clientCA?: string | Buffer;
}

export function createListener(
  tls: ServingTls | undefined,
  options: ServerOptions,
  handler: RequestListener,
): Server {
  if (!tls) return createHttpServer(options, handler);
  return createHttpsServer(
    {
      ...options,
      cert: tls.cert,
      key: tls.key,
      minVersion: 'TLSv1.2',
      ...(tls.clientCA ? { ca: tls.clientCA, requestCert: true, rejectUnauthorized: false } : {}),
    },
    handler,
  ) as unknown as Server;
}

export function schemeOf(tls: ServingTls | undefined): 'http' | 'https' {
  return tls ? 'https' : 'http';
}
