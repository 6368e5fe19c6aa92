// OpenAPI v3 for /api/v1, /apis/rbac.authorization.k8s.io/v1 and /apis/coordination.k8s.io/v1. kubectl
// reads it for `explain`, to decide whether it may leave validation to the server
// (`fieldValidation=Strict` on create/apply) and, in apply, for strategic-merge metadata.
// The document is built and serialized once; its hash goes into the root's serverRelativeURL, which
// is also what clients key their cache on.
import { createHash } from 'node:crypto';
import { coordinationResources, rbacResources } from '../api/resources.js';
import { containerSchemas } from './openapi/container.js';
import { coordinationSchemas, coordinationV1 } from './openapi/coordination.js';
import { coreSchemas } from './openapi/core.js';
import { metaSchemas } from './openapi/meta.js';
import { coreV1Paths, groupVersionPaths } from './openapi/paths.js';
import { podSchemas } from './openapi/pod.js';
import { rbacSchemas, rbacV1 } from './openapi/rbac.js';
import { volumeSchemas } from './openapi/volume.js';

export interface OpenApiDocument {
  body: Buffer;
  hash: string;
}

function sorted(all: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(all)
      .sort()
      .map((k) => [k, all[k]]),
  );
}

/** One group version's document as JSON bytes, and its hash (uppercase hex SHA-512, as Kubernetes). */
function buildDocument(paths: Record<string, unknown>, schemas: Record<string, unknown>): OpenApiDocument {
  const doc = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: {
      schemas: sorted(schemas),
      securitySchemes: {
        BearerToken: {
          type: 'apiKey',
          description: 'Bearer Token authentication',
          name: 'authorization',
          in: 'header',
        },
      },
    },
    security: [{ BearerToken: [] }],
  };
  const body = Buffer.from(JSON.stringify(doc));
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
}

/** Path under /openapi/v3/ → its document, each built on first use. */
const builders: Record<string, () => OpenApiDocument> = {
  'api/v1': () =>
    buildDocument(coreV1Paths(), {
      ...metaSchemas,
      ...podSchemas,
      ...containerSchemas,
      ...volumeSchemas,
      ...coreSchemas,
    }),
  'apis/rbac.authorization.k8s.io/v1': () =>
    buildDocument(
      groupVersionPaths(rbacResources, rbacV1, { id: 'RbacAuthorizationV1', tag: 'rbacAuthorization_v1' }),
      { ...metaSchemas, ...rbacSchemas },
    ),
  'apis/coordination.k8s.io/v1': () =>
    buildDocument(
      groupVersionPaths(coordinationResources, coordinationV1, {
        id: 'CoordinationV1',
        tag: 'coordination_v1',
      }),
      { ...metaSchemas, ...coordinationSchemas },
    ),
};
const built = new Map<string, OpenApiDocument>();

/** The document of `/openapi/v3/api/v1`. */
export function openApiV3CoreV1(): OpenApiDocument {
  return openApiV3Document('api/v1')!;
}

/** `/openapi/v3`: where each group-version's document lives. */
export function openApiV3Root(): object {
  return {
    paths: Object.fromEntries(
      Object.keys(builders).map((path) => [
        path,
        { serverRelativeURL: `/openapi/v3/${path}?hash=${openApiV3Document(path)!.hash}` },
      ]),
    ),
  };
}

/** The paths under /openapi/v3/ that have a document ("api/v1", "apis/rbac.authorization.k8s.io/v1", …). */
export const openApiV3Paths: readonly string[] = Object.keys(builders);

/**
 * The document for a path under /openapi/v3/ ("api/v1"), or undefined (→ 404). The `hash` query
 * parameter may be ignored: an outdated hash gets the current document, as in Kubernetes.
 */
export function openApiV3Document(groupVersionPath: string): OpenApiDocument | undefined {
  const path = groupVersionPath.replace(/^\/+|\/+$/g, '');
  const build = Object.hasOwn(builders, path) ? builders[path] : undefined;
  if (!build) return undefined;
  let doc = built.get(path);
  if (!doc) built.set(path, (doc = build()));
  return doc;
}
