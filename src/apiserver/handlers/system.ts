// Non-resource endpoints: version, health, metrics, discovery and the OpenAPI documents.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { ApiError } from '../../api/errors.js';
import { kubeliteVersion } from '../../api/version.js';
import {
  aggregatedDiscovery,
  aggregatedDiscoveryContentType,
  apiGroup,
  apiGroupList,
  apiVersions,
  coreApiResourceList,
  groupApiResourceList,
  namedGroups,
} from '../discovery.js';
import { writeJson, writeJsonText, writeText } from '../http/respond.js';
import { negotiateAccept } from '../negotiate.js';
import { openApiV3Document, openApiV3Paths, openApiV3Root } from '../openapi.js';

export interface SystemDeps {
  isReady(): boolean;
  /** host:port clients reach this server at (for serverAddressByClientCIDRs). */
  address(): string;
  registry: Registry;
}

export type SystemHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
) => void | Promise<void>;

export function systemRoutes(deps: SystemDeps): Map<string, SystemHandler> {
  const health =
    (check: () => boolean, what: string): SystemHandler =>
    (_req, res) => {
      if (check()) writeText(res, 200, 'ok');
      else writeText(res, 500, `[-]${what} failed: reason withheld\n${what} check failed`);
    };
  const discovery =
    (which: 'api' | 'apis', legacy: () => object): SystemHandler =>
    (req, res, query) => {
      const accept = negotiateAccept(req.headers.accept, query);
      if (accept.aggregatedDiscovery) {
        const body = JSON.stringify(aggregatedDiscovery(which, accept.aggregatedDiscovery));
        res.writeHead(200, {
          'Content-Type': aggregatedDiscoveryContentType(accept.aggregatedDiscovery),
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(body);
      } else writeJson(res, 200, legacy());
    };
  const routes = new Map<string, SystemHandler>([
    ['/version', (_req, res) => writeJson(res, 200, kubeliteVersion)],
    ['/healthz', health(() => true, 'ping')],
    ['/livez', health(() => true, 'ping')],
    ['/readyz', health(deps.isReady, 'informer-sync')],
    [
      '/metrics',
      async (_req, res) => {
        const text = await deps.registry.metrics();
        writeText(res, 200, text, deps.registry.contentType);
      },
    ],
    ['/api', discovery('api', () => apiVersions(deps.address()))],
    ['/apis', discovery('apis', apiGroupList)],
    ['/api/v1', (_req, res) => writeJson(res, 200, coreApiResourceList())],
    ['/openapi/v3', (_req, res) => writeJson(res, 200, openApiV3Root())],
  ]);
  for (const path of openApiV3Paths) {
    routes.set(`/openapi/v3/${path}`, (_req, res) => {
      const doc = openApiV3Document(path)!;
      res.setHeader('ETag', `"${doc.hash}"`);
      writeJsonText(res, 200, doc.body);
    });
  }
  for (const group of namedGroups()) {
    routes.set(`/apis/${group.name}`, (_req, res) =>
      writeJson(res, 200, apiGroup(group.name, group.version)),
    );
    routes.set(`/apis/${group.name}/${group.version}`, (_req, res) =>
      writeJson(res, 200, groupApiResourceList(group.name, group.version)),
    );
  }
  for (const path of ['/healthz', '/livez', '/readyz'])
    routes.set(
      `${path}/ping`,
      health(() => true, 'ping'),
    );
  return routes;
}

export function notFoundPath(path: string): ApiError {
  return new ApiError('NotFound', 'the server could not find the requested resource', {
    causes: [{ reason: 'UnexpectedServerResponse', message: `404 page not found: ${path}` }],
  });
}
