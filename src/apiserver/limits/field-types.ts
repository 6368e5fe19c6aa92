// The JSON types of a body's known fields, checked against the published OpenAPI schemas before
// anything reads them — what Kubernetes' typed decoder does ("json: cannot unmarshal number into Go
// struct field ObjectMeta.metadata.name of type string"). Without it a `"addresses": 5` in a Node
// would be stored and break every reader (tables, the scheduler, kubelets) later. Unknown fields are
// not type-checked here (fieldValidation decides about them); null is every type's zero value.
import { badRequest } from '../../api/errors.js';
import type { ResourceInfo } from '../../api/resources.js';
import { containerSchemas } from '../openapi/container.js';
import { coreSchemas } from '../openapi/core.js';
import { metaSchemas } from '../openapi/meta.js';
import { podSchemas } from '../openapi/pod.js';
import type { Schema } from '../openapi/schema.js';
import { volumeSchemas } from '../openapi/volume.js';

const schemas: Record<string, Schema> = {
  ...metaSchemas,
  ...podSchemas,
  ...containerSchemas,
  ...volumeSchemas,
  ...coreSchemas,
};

const refPrefix = '#/components/schemas/';

function resolve(schema: Schema): { schema: Schema; name?: string } {
  let current = schema;
  let name: string | undefined;
  for (let hops = 0; hops < 8; hops++) {
    const ref =
      (current.$ref as string | undefined) ??
      ((current.allOf as Schema[] | undefined)?.[0]?.$ref as string | undefined);
    if (!ref?.startsWith(refPrefix)) break;
    name = ref.slice(refPrefix.length);
    const next = schemas[name];
    if (!next) break;
    current = next;
  }
  return { schema: current, name };
}

const jsonType = (v: unknown): string =>
  Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v;

interface Mismatch {
  path: string;
  actual: string;
  expected: string;
}

function check(raw: Schema, value: unknown, path: string): Mismatch | undefined {
  if (value === null || value === undefined) return undefined;
  const { schema, name } = resolve(raw);
  const wrong = (expected: string): Mismatch => ({ path, actual: jsonType(value), expected });
  const oneOf = schema.oneOf as Schema[] | undefined;
  if (oneOf)
    return oneOf.some((s) => check(s, value, path) === undefined) ? undefined : wrong(shortName(name));
  switch (schema.type) {
    case 'string':
      if (schema.format === 'int-or-string') {
        return typeof value === 'string' || Number.isInteger(value) ? undefined : wrong('intstr.IntOrString');
      }
      return typeof value === 'string' ? undefined : wrong('string');
    case 'integer':
      return Number.isInteger(value) ? undefined : wrong(String(schema.format ?? 'int'));
    case 'number':
      return typeof value === 'number' ? undefined : wrong('float64');
    case 'boolean':
      return typeof value === 'boolean' ? undefined : wrong('bool');
    case 'array': {
      if (!Array.isArray(value)) return wrong(`[]${shortName(resolve((schema.items as Schema) ?? {}).name)}`);
      const items = (schema.items as Schema | undefined) ?? {};
      for (let i = 0; i < value.length; i++) {
        const m = check(items, value[i], `${path}[${i}]`);
        if (m) return m;
      }
      return undefined;
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return wrong(shortName(name) || 'object');
      const properties = schema.properties as Record<string, Schema> | undefined;
      const additional = schema.additionalProperties as Schema | undefined;
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        const childSchema = properties?.[key] ?? (typeof additional === 'object' ? additional : undefined);
        if (!childSchema) continue;
        const m = check(childSchema, child, path ? `${path}.${key}` : key);
        if (m) return m;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function shortName(name: string | undefined): string {
  if (!name) return 'object';
  const parts = name.split('.');
  return `${parts.at(-2) ?? ''}.${parts.at(-1) ?? ''}`;
}

/** Throws BadRequest, worded like Kubernetes' decoder, when a known field has the wrong JSON type. */
export function checkFieldTypes(resource: ResourceInfo, obj: unknown): void {
  if (resource.group !== '') return; // RBAC objects: validation checks their few fields' types
  const schema = schemas[`io.k8s.api.core.${resource.version}.${resource.kind}`];
  if (!schema) return;
  const m = check(schema, obj, '');
  if (!m) return;
  throw badRequest(
    `${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: ` +
      `json: cannot unmarshal ${m.actual} into Go struct field ${m.path} of type ${m.expected}`,
  );
}
