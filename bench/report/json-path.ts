// A small path language to pick figures out of benchmark JSON without knowing its exact shape in
// code, so a benchmark whose output changes yields "missing" instead of a crash. Segments:
//   key  or  ["key with spaces"]   a property
//   [3]  or  [-1]                  an array element (negative counts from the end)
//   [k=v,k2=*]                     the array elements (or object values) whose fields match; `*`
//                                  matches anything and binds the field's value under its name
//   {name}  or  {name:a|b}         every property (or element) of an object, binding its key as
//                                  `name` (optionally only the listed keys)
// A resolution yields every match with its bindings; bindings fill `{name}` in labels and in a
// second path (a peer's figure that belongs to the same scenario).

export type Bindings = Record<string, string>;

export interface Match {
  value: unknown;
  bindings: Bindings;
}

type Segment =
  | { kind: 'key'; key: string }
  | { kind: 'index'; index: number }
  | { kind: 'filter'; fields: [string, string][] }
  | { kind: 'each'; name: string; only?: string[] };

export class PathSyntaxError extends Error {}

function parse(path: string): Segment[] {
  const segments: Segment[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new PathSyntaxError(`bad path "${path}" at ${i}: ${why}`);
  };
  while (i < path.length) {
    const c = path[i]!;
    if (c === '.') {
      i++;
      continue;
    }
    if (c === '[') {
      const end = path[i + 1] === '"' ? path.indexOf('"]', i + 2) + 1 : path.indexOf(']', i);
      if (end <= 0) fail('unclosed [');
      const inner = path.slice(i + 1, end);
      i = end + 1;
      if (inner.startsWith('"')) segments.push({ kind: 'key', key: inner.slice(1, -1) });
      else if (/^-?\d+$/.test(inner)) segments.push({ kind: 'index', index: Number(inner) });
      else if (inner === '*') segments.push({ kind: 'each', name: '' });
      else {
        const fields = inner.split(',').map((part): [string, string] => {
          const eq = part.indexOf('=');
          if (eq <= 0) fail(`expected k=v in [${inner}]`);
          return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
        });
        segments.push({ kind: 'filter', fields });
      }
      continue;
    }
    if (c === '{') {
      const end = path.indexOf('}', i);
      if (end < 0) fail('unclosed {');
      const [name, list] = path.slice(i + 1, end).split(':') as [string, string | undefined];
      segments.push({ kind: 'each', name, only: list?.split('|') });
      i = end + 1;
      continue;
    }
    let end = i;
    while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
    segments.push({ kind: 'key', key: path.slice(i, end) });
    i = end;
  }
  return segments;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function entries(value: unknown): [string, unknown][] {
  if (Array.isArray(value)) return value.map((v, i) => [String(i), v]);
  return isObject(value) ? Object.entries(value) : [];
}

function step(match: Match, segment: Segment): Match[] {
  const { value, bindings } = match;
  switch (segment.kind) {
    case 'key':
      return isObject(value) && segment.key in value
        ? [{ value: (value as Record<string, unknown>)[segment.key], bindings }]
        : [];
    case 'index': {
      if (!Array.isArray(value)) return [];
      const i = segment.index < 0 ? value.length + segment.index : segment.index;
      return i >= 0 && i < value.length ? [{ value: value[i], bindings }] : [];
    }
    case 'each':
      return entries(value)
        .filter(([key]) => !segment.only || segment.only.includes(key))
        .map(([key, v]) => ({
          value: v,
          bindings: segment.name ? { ...bindings, [segment.name]: key } : bindings,
        }));
    case 'filter': {
      const out: Match[] = [];
      for (const [, element] of entries(value)) {
        if (!isObject(element)) continue;
        const bound: Bindings = { ...bindings };
        const ok = segment.fields.every(([k, want]) => {
          const got = (element as Record<string, unknown>)[k];
          if (got === undefined || isObject(got)) return false;
          if (want === '*') {
            bound[k] = String(got);
            return true;
          }
          return String(got) === want;
        });
        if (ok) out.push({ value: element, bindings: bound });
      }
      return out;
    }
  }
}

/** Replaces `{name}` (and `{name:…}`) by bound values; unbound placeholders stay. */
export function fill(template: string, bindings: Bindings): string {
  return template.replace(/\{(\w+)(?::[^}]*)?\}/g, (whole, name: string) => bindings[name] ?? whole);
}

/** Every value at `path` in `root`, with the bindings that led there (pre-filled from `given`). */
export function resolve(root: unknown, path: string, given: Bindings = {}): Match[] {
  let matches: Match[] = [{ value: root, bindings: { ...given } }];
  for (const segment of parse(fill(path, given))) {
    matches = matches.flatMap((m) => step(m, segment));
    if (matches.length === 0) break;
  }
  return matches;
}

/** The single number at `path`, or undefined when it is absent or not a finite number. */
export function numberAt(root: unknown, path: string, given: Bindings = {}): number | undefined {
  const [first] = resolve(root, path, given);
  return typeof first?.value === 'number' && Number.isFinite(first.value) ? first.value : undefined;
}
