// Field-level validation causes with the reasons and messages of k8s.io/apimachinery's field.Error,
// plus typed readers for untyped JSON: a value of the wrong JSON type becomes a cause (Kubernetes
// rejects it while decoding), never an exception, so that every problem is reported at once.
import type { StatusCause } from '../types.js';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object items of a JSON array with their indexes, silently skipping anything else. */
export function objectItems(v: unknown): Array<[number, Json]> {
  if (!Array.isArray(v)) return [];
  const out: Array<[number, Json]> = [];
  v.forEach((item, i) => {
    if (isObject(item)) out.push([i, item]);
  });
  return out;
}

export function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

/** A value printed as Go's %#v prints it (maps and slices of strings), for messages that show them. */
export class GoValue {
  constructor(readonly text: string) {}
}

export function goStringMap(m: Readonly<Record<string, string>> | undefined): GoValue {
  if (!m) return new GoValue('map[string]string(nil)');
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`);
  return new GoValue(`map[string]string{${entries.join(', ')}}`);
}

export function goStringSlice(values: readonly string[]): GoValue {
  return new GoValue(`[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`);
}

/** Go's rendering of a bad value: %q for strings, %v for numbers and booleans, "null" for nothing. */
export function formatValue(value: unknown): string {
  if (value instanceof GoValue) return value.text;
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value);
}

const withDetail = (head: string, detail: string) => (detail ? `${head}: ${detail}` : head);

export function required(field: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', message: withDetail('Required value', detail), field };
}

export function invalid(field: string, value: unknown, detail: string): StatusCause {
  return {
    reason: 'FieldValueInvalid',
    message: withDetail(`Invalid value: ${formatValue(value)}`, detail),
    field,
  };
}

export function duplicate(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${formatValue(value)}`, field };
}

export function notFound(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueNotFound', message: `Not found: ${formatValue(value)}`, field };
}

export function notSupported(field: string, value: unknown, supported: readonly string[]): StatusCause {
  const detail =
    supported.length > 0 ? `supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return {
    reason: 'FieldValueNotSupported',
    message: withDetail(`Unsupported value: ${formatValue(value)}`, detail),
    field,
  };
}

export function forbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: withDetail('Forbidden', detail), field };
}

export function tooLong(field: string, maxLength: number): StatusCause {
  const unit = maxLength === 1 ? 'byte' : 'bytes';
  return {
    reason: 'FieldValueTooLong',
    message: `Too long: may not be more than ${maxLength} ${unit}`,
    field,
  };
}

export function tooMany(field: string, actual: number, max: number): StatusCause {
  return {
    reason: 'FieldValueTooMany',
    message: `Too many: ${actual}: must have at most ${max} items`,
    field,
  };
}

export function typeInvalid(field: string, value: unknown, expected: string): StatusCause {
  return {
    reason: 'FieldValueTypeInvalid',
    message: `Invalid value: ${formatValue(typeof value === 'object' ? typeOfJson(value) : value)}: must be of type ${expected}`,
    field,
  };
}

function typeOfJson(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

export const isNegativeErrorMsg = 'must be greater than or equal to 0';
export const fieldImmutableErrorMsg = 'field is immutable';

/**
 * Collects causes while reading untyped JSON. Each reader returns the value when it has the expected
 * type, undefined when absent (or null), and records a FieldValueTypeInvalid cause otherwise.
 */
export class Causes {
  readonly list: StatusCause[] = [];

  add(...causes: StatusCause[]): void {
    this.list.push(...causes);
  }

  private typed<T>(
    o: Json | undefined,
    name: string,
    path: string,
    expected: string,
    ok: (v: unknown) => boolean,
  ): T | undefined {
    const v = o?.[name];
    if (v === undefined || v === null) return undefined;
    if (ok(v)) return v as T;
    this.list.push(typeInvalid(child(path, name), v, expected));
    return undefined;
  }

  string(o: Json | undefined, name: string, path: string): string | undefined {
    return this.typed<string>(o, name, path, 'string', (v) => typeof v === 'string');
  }

  integer(o: Json | undefined, name: string, path: string): number | undefined {
    return this.typed<number>(o, name, path, 'integer', (v) => Number.isInteger(v));
  }

  boolean(o: Json | undefined, name: string, path: string): boolean | undefined {
    return this.typed<boolean>(o, name, path, 'boolean', (v) => typeof v === 'boolean');
  }

  object(o: Json | undefined, name: string, path: string): Json | undefined {
    return this.typed<Json>(o, name, path, 'object', isObject);
  }

  array(o: Json | undefined, name: string, path: string): unknown[] | undefined {
    return this.typed<unknown[]>(o, name, path, 'array', Array.isArray);
  }

  /** An array whose items must be objects; others are reported and skipped (their index is kept). */
  objects(o: Json | undefined, name: string, path: string): Array<[number, Json]> {
    const items = this.array(o, name, path) ?? [];
    const out: Array<[number, Json]> = [];
    items.forEach((item, i) => {
      if (isObject(item)) out.push([i, item]);
      else this.list.push(typeInvalid(index(child(path, name), i), item, 'object'));
    });
    return out;
  }

  strings(o: Json | undefined, name: string, path: string): string[] {
    const items = this.array(o, name, path) ?? [];
    return items.filter((item, i) => {
      if (typeof item === 'string') return true;
      this.list.push(typeInvalid(index(child(path, name), i), item, 'string'));
      return false;
    }) as string[];
  }

  /** A map of strings (labels, annotations, selectors); non-string values are reported and dropped. */
  stringMap(o: Json | undefined, name: string, path: string): Record<string, string> | undefined {
    const m = this.object(o, name, path);
    if (!m) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(m)) {
      if (typeof v === 'string') out[k] = v;
      else this.list.push(typeInvalid(key(child(path, name), k), v, 'string'));
    }
    return out;
  }
}
