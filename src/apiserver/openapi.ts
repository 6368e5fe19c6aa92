// OpenAPI v3 for /api/v1. kubectl reads it for `explain`, to decide whether it may leave validation to
// the server (`fieldValidation=Strict` on create/apply) and, in apply, for strategic-merge metadata.
// The document is built and serialized once; its hash goes into the root's serverRelativeURL, which
// is also what clients key their cache on.
import { createHash } from 'node:crypto';
import { containerSchemas } from './openapi/container.js';
import { coreSchemas } from './openapi/core.js';
import { metaSchemas } from './openapi/meta.js';
import { coreV1Paths } from './openapi/paths.js';
import { podSchemas } from './openapi/pod.js';
import { volumeSchemas } from './openapi/volume.js';

export interface OpenApiDocument {
  body: Buffer;
  hash: string;
}

let coreV1: OpenApiDocument | undefined;

function sortedSchemas(): Record<string, unknown> {
  const all = { ...metaSchemas, ...podSchemas, ...containerSchemas, ...volumeSchemas, ...coreSchemas };
  return Object.fromEntries(
    Object.keys(all)
      .sort()
      .map((k) => [k, all[k]]),
  );
}

/** The document of `/openapi/v3/api/v1` as JSON bytes, and its hash (uppercase hex SHA-512, as Kubernetes). */
export function openApiV3CoreV1(): OpenApiDocument {
  if (!coreV1) {
    const doc = {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: 'v1.32.0' },
      paths: coreV1Paths(),
      components: {
        schemas: sortedSchemas(),
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
    coreV1 = { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
  }
  return coreV1;
}

/** `/openapi/v3`: where each group-version's document lives. */
export function openApiV3Root(): object {
  return { paths: { 'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${openApiV3CoreV1().hash}` } } };
}

/**
 * The document for a path under /openapi/v3/ ("api/v1"), or undefined (→ 404). The `hash` query
 * parameter may be ignored: an outdated hash gets the current document, as in Kubernetes.
 */
export function openApiV3Document(groupVersionPath: string): OpenApiDocument | undefined {
  return groupVersionPath.replace(/^\/+|\/+$/g, '') === 'api/v1' ? openApiV3CoreV1() : undefined;
}
