// Authentication, as Kubernetes' union of request authenticators: a TLS client certificate verified
// against the client CA (CN = user, each O = a group), then a bearer token from the token file. A
// credential that is presented but wrong is a 401 even when anonymous requests are allowed; a request
// without any credential is anonymous (system:anonymous, group system:unauthenticated) only when
// enabled, else 401 too. Every authenticated user also gets the group system:authenticated.
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../api/errors.js';
import { peerIdentity } from '../../pki/peer-identity.js';
import type { Stage } from '../pipeline.js';
import { loadTokenFile, type TokenTable } from './token-file.js';
import { anonymousUser, authenticatedUser, runAs, type UserInfo } from './user.js';

export interface AuthenticationOptions {
  /** Bearer tokens (a parsed token file). */
  tokens?: TokenTable;
  /** Path of a token file in Kubernetes' --token-auth-file format; read once at start. */
  tokenAuthFile?: string;
  /** Requests without credentials run as system:anonymous instead of getting 401. Default false. */
  anonymous?: boolean;
}

export type AuthenticationResult =
  | { readonly ok: true; readonly user: UserInfo }
  | { readonly ok: false; readonly message: string };

export type Authenticate = (req: IncomingMessage) => AuthenticationResult;

export function createAuthenticator(options: AuthenticationOptions): Authenticate {
  const tokens: TokenTable =
    options.tokens ?? (options.tokenAuthFile ? loadTokenFile(options.tokenAuthFile) : new Map());
  const anonymous = options.anonymous ?? false;
  return (req) => {
    const fromCertificate = certificateUser(req);
    if (fromCertificate) return fromCertificate;
    const header = req.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const user = match ? tokens.get(match[1]!) : undefined;
      if (user) return { ok: true, user };
      return { ok: false, message: 'invalid bearer token' };
    }
    return anonymous ? { ok: true, user: anonymousUser } : { ok: false, message: 'no credentials' };
  };
}

/** The user of a verified client certificate; an unverified one is a failure; none is undefined. */
function certificateUser(req: IncomingMessage): AuthenticationResult | undefined {
  const identity = peerIdentity(req);
  if (!identity) return undefined;
  if (!identity.verified) return { ok: false, message: identity.reason };
  return { ok: true, user: authenticatedUser(identity.user, identity.groups) };
}

/** Kubernetes answers every authentication failure with the same bare 401 Status. */
export function unauthorized(): ApiError {
  return new ApiError('Unauthorized', 'Unauthorized');
}

/** The pipeline stage: sets ctx.user and runs the rest of the request as that user. */
export function authenticationStage(authenticate: Authenticate): Stage {
  return async (ctx, next) => {
    const result = authenticate(ctx.req);
    if (!result.ok) throw unauthorized();
    ctx.user = { name: result.user.name, groups: [...result.user.groups] };
    await runAs(result.user, next);
  };
}
