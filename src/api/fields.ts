// Field selectors with the grammar of k8s.io/apimachinery/pkg/fields: comma-joined `field=value`,
// `field==value` or `field!=value` terms; `\,` `\=` `\\` escape in values, empty values are allowed.
// Which fields each resource offers follows the field-label conversion functions of core/v1.
import { badRequest } from './errors.js';
import type { KubeObject } from './types.js';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: 'Equals' | 'NotEquals';
  readonly value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  matches(fields: Readonly<Record<string, string>>): boolean;
  isEmpty(): boolean;
  toString(): string;
  /** the value required by an `=` requirement on `field`, if any (for indexes: spec.nodeName=X) */
  requiredValue(field: string): string | undefined;
}

/** Escapes `\`, `,` and `=` so that a value survives inside a selector string. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (ch) => `\\${ch}`);
}

function unescapeFieldValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let inSlash = false;
  for (const ch of value) {
    if (inSlash) {
      if (ch !== '\\' && ch !== ',' && ch !== '=') {
        throw badRequest(`invalid field selector: invalid escape sequence: \\${ch}`);
      }
      out += ch;
      inSlash = false;
    } else if (ch === '\\') {
      inSlash = true;
    } else if (ch === ',' || ch === '=') {
      throw badRequest(`invalid field selector: unescaped character in value: ${ch}`);
    } else {
      out += ch;
    }
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not escaped; the escapes stay in the terms. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inSlash) inSlash = false;
    else if (ch === '\\') inSlash = true;
    else if (ch === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

// `==` is tried before `=` so that it does not leave a leading `=` in the value.
const termOperators = [
  ['!=', 'NotEquals'],
  ['==', 'Equals'],
  ['=', 'Equals'],
] as const;

function splitTerm(term: string): FieldRequirement | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const [op, operator] of termOperators) {
      if (term.startsWith(op, i)) {
        return { field: term.slice(0, i), operator, value: term.slice(i + op.length) };
      }
    }
  }
  return undefined;
}

class TermSelector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  matches(fields: Readonly<Record<string, string>>): boolean {
    for (const r of this.requirements) {
      const actual = fields[r.field] ?? '';
      if ((actual === r.value) !== (r.operator === 'Equals')) return false;
    }
    return true;
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  toString(): string {
    return this.requirements
      .map((r) => `${r.field}${r.operator === 'Equals' ? '=' : '!='}${escapeFieldValue(r.value)}`)
      .join(',');
  }

  requiredValue(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === 'Equals')?.value;
  }
}

/** Parses the syntax only ('' selects everything); throws ApiError BadRequest. */
export function parseFieldSelector(text: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  const terms = text === '' ? [] : splitTerms(text).sort();
  for (const term of terms) {
    if (term === '') continue;
    const parsed = splitTerm(term);
    if (!parsed) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    requirements.push({ ...parsed, value: unescapeFieldValue(parsed.value) });
  }
  return new TermSelector(requirements);
}

/** A field selector requiring each given field to equal its value (e.g. `{'spec.nodeName': 'n1'}`). */
export function fieldSelectorFromSet(set: Readonly<Record<string, string>>): FieldSelector {
  const requirements = Object.keys(set)
    .sort()
    .map((field): FieldRequirement => ({ field, operator: 'Equals', value: set[field]! }));
  return new TermSelector(requirements);
}

// ------------------------------------------------------------------ selectable fields per resource

type Obj = Record<string, any>;

const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);

const objectFieldsByResource: Partial<Record<string, (o: Obj) => Record<string, string>>> = {
  pods: (o) => {
    const podIPs = o.status?.podIPs;
    return {
      'spec.nodeName': str(o.spec?.nodeName),
      'spec.restartPolicy': str(o.spec?.restartPolicy),
      'spec.schedulerName': str(o.spec?.schedulerName),
      'spec.serviceAccountName': str(o.spec?.serviceAccountName),
      'spec.hostNetwork': String(o.spec?.hostNetwork === true),
      'status.phase': str(o.status?.phase),
      'status.podIP': Array.isArray(podIPs) && podIPs.length > 0 ? str(podIPs[0]?.ip) : str(o.status?.podIP),
      'status.nominatedNodeName': str(o.status?.nominatedNodeName),
    };
  },
  events: (o) => ({
    'involvedObject.kind': str(o.involvedObject?.kind),
    'involvedObject.namespace': str(o.involvedObject?.namespace),
    'involvedObject.name': str(o.involvedObject?.name),
    'involvedObject.uid': str(o.involvedObject?.uid),
    'involvedObject.apiVersion': str(o.involvedObject?.apiVersion),
    'involvedObject.resourceVersion': str(o.involvedObject?.resourceVersion),
    'involvedObject.fieldPath': str(o.involvedObject?.fieldPath),
    reason: str(o.reason),
    reportingComponent: str(o.reportingComponent),
    source: str(o.source?.component) || str(o.reportingComponent),
    type: str(o.type),
  }),
  nodes: (o) => ({ 'spec.unschedulable': String(o.spec?.unschedulable === true) }),
  namespaces: (o) => ({ 'status.phase': str(o.status?.phase) }),
  services: (o) => ({ 'spec.clusterIP': str(o.spec?.clusterIP), 'spec.type': str(o.spec?.type) }),
  replicationcontrollers: (o) => ({ 'status.replicas': String(o.status?.replicas ?? 0) }),
};

const clusterScoped = new Set(['nodes', 'namespaces']);

/** The selectable fields of an object of a resource (plural name), as strings. */
export function objectFields(resource: string, obj: KubeObject): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': str(obj.metadata?.name) };
  if (!clusterScoped.has(resource)) fields['metadata.namespace'] = str(obj.metadata?.namespace);
  const specific = objectFieldsByResource[resource];
  return specific ? Object.assign(fields, specific(obj as Obj)) : fields;
}

const supportedFields = new Map<string, ReadonlySet<string>>();

function supportedFieldsOf(resource: string): ReadonlySet<string> {
  let fields = supportedFields.get(resource);
  if (!fields) {
    fields = new Set(Object.keys(objectFields(resource, { metadata: {} })));
    supportedFields.set(resource, fields);
  }
  return fields;
}

/** Throws ApiError BadRequest ("field label not supported: x") for a field the resource does not support. */
export function checkFieldSelector(resource: string, selector: FieldSelector): void {
  const specific = objectFieldsByResource[resource];
  const supported = supportedFieldsOf(resource);
  for (const { field } of selector.requirements) {
    if (supported.has(field)) continue;
    // Kinds without their own conversion function answer with apimachinery's default message.
    throw badRequest(
      specific
        ? `field label not supported: ${field}`
        : `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
    );
  }
}
