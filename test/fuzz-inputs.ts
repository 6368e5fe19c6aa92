// Input generators of the apiserver fuzz test (test/fuzz-apiserver.test.ts): every choice comes from
// one seeded PRNG, so a seed names a reproducible stream of requests. Bodies are valid objects of
// every served kind mutated at a random field (wrong types, huge strings and numbers, deep nesting,
// unknown fields), then sometimes mutated again as text (duplicate keys, invalid UTF-8, truncation,
// flipped bytes), or sent as YAML or Kubernetes protobuf; paths, query strings and headers are drawn
// from the API's vocabulary with garbage mixed in; a few requests are raw, malformed HTTP.

export type Rng = () => number;

/** mulberry32: small, fast, and good enough to spread choices. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)]!;
const chance = (rng: Rng, p: number): boolean => rng() < p;

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Send as raw bytes over a socket (malformed HTTP). */
  raw?: Buffer;
  /** What produced it, for the failure report. */
  kind: string;
}

/** Collections the fuzzer writes into: [path prefix, resource, kind, apiVersion, namespaced]. */
const collections = [
  ['/api/v1', 'pods', 'Pod', 'v1', true],
  ['/api/v1', 'services', 'Service', 'v1', true],
  ['/api/v1', 'replicationcontrollers', 'ReplicationController', 'v1', true],
  ['/api/v1', 'endpoints', 'Endpoints', 'v1', true],
  ['/api/v1', 'events', 'Event', 'v1', true],
  ['/api/v1', 'nodes', 'Node', 'v1', false],
  ['/api/v1', 'namespaces', 'Namespace', 'v1', false],
  ['/apis/rbac.authorization.k8s.io/v1', 'roles', 'Role', 'rbac.authorization.k8s.io/v1', true],
  ['/apis/rbac.authorization.k8s.io/v1', 'rolebindings', 'RoleBinding', 'rbac.authorization.k8s.io/v1', true],
  [
    '/apis/rbac.authorization.k8s.io/v1',
    'clusterroles',
    'ClusterRole',
    'rbac.authorization.k8s.io/v1',
    false,
  ],
  ['/apis/coordination.k8s.io/v1', 'leases', 'Lease', 'coordination.k8s.io/v1', true],
] as const;

export const fuzzNamespaces = ['default', 'fuzz-a', 'fuzz-b'];
const subresources = ['status', 'scale', 'binding', 'log', 'finalize', 'exec', '', 'x'];

function name(rng: Rng): string {
  return `f${int(rng, 40)}`;
}

/** A valid object of a kind, as kubectl would send it. */
export function validObject(
  rng: Rng,
  kind: string,
  apiVersion: string,
  objectName: string,
): Record<string, any> {
  const metadata: Record<string, any> = { name: objectName, labels: { app: pick(rng, ['web', 'db']) } };
  const container = { name: 'c', image: 'busybox', ports: [{ containerPort: 80 }] };
  const specs: Record<string, Record<string, any>> = {
    Pod: { spec: { containers: [container], ...(chance(rng, 0.3) ? { nodeName: 'node-x' } : {}) } },
    Service: { spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    ReplicationController: {
      spec: {
        replicas: int(rng, 4),
        selector: { app: 'web' },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } },
      },
    },
    Endpoints: { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] },
    Event: {
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
      reason: 'Fuzz',
      message: 'fuzzed',
      type: 'Normal',
    },
    Node: { spec: {}, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] } },
    Namespace: {},
    Lease: {
      spec: { holderIdentity: 'node-x', leaseDurationSeconds: 40, renewTime: '2024-01-02T03:04:05.000000Z' },
    },
    Role: { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
    ClusterRole: { rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] },
    RoleBinding: {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
    },
  };
  return { apiVersion, kind, metadata, ...structuredClone(specs[kind] ?? {}) };
}

const hugeString = (rng: Rng) => 'x'.repeat(pick(rng, [254, 64, 70_000, 1_000_000]));

function randomValue(rng: Rng, depth = 0): unknown {
  switch (int(rng, 12)) {
    case 0:
      return pick(rng, ['', ' ', 'a'.repeat(300), '\u0000', '\ud800', '💥', '../..', '%00', '<script>', '-']);
    case 1:
      return hugeString(rng);
    case 2:
      return pick(rng, [0, -1, 1.5, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e-308, 4294967296]);
    case 3:
      return pick(rng, [true, false]);
    case 4:
      return null;
    case 5:
      return depth > 3 ? [] : Array.from({ length: int(rng, 4) }, () => randomValue(rng, depth + 1));
    case 6:
      return depth > 3
        ? {}
        : Object.fromEntries(
            Array.from({ length: int(rng, 4) }, (_, i) => [`k${i}`, randomValue(rng, depth + 1)]),
          );
    case 7:
      return { $patch: pick(rng, ['delete', 'replace', 'merge', 'bogus']) };
    default:
      return pick(rng, ['web', 'Always', 'TCP', 'ClusterIP', 'NodePort', 'Burstable', '80', 'None']);
  }
}

/** Every [container, key] pair in a JSON value, so any field can be hit. */
function slots(
  value: unknown,
  out: Array<[any, string | number]> = [],
  depth = 0,
): Array<[any, string | number]> {
  if (depth > 12 || value === null || typeof value !== 'object') return out;
  for (const key of Object.keys(value)) {
    const k = Array.isArray(value) ? Number(key) : key;
    out.push([value, k]);
    slots((value as any)[k], out, depth + 1);
  }
  return out;
}

/** Changes one field: a wrong type, a huge or odd value, removal, or an unknown sibling. */
export function mutateValue(rng: Rng, obj: Record<string, any>): void {
  const all = slots(obj);
  if (all.length === 0) return;
  const [holder, key] = pick(rng, all);
  switch (int(rng, 5)) {
    case 0:
      if (Array.isArray(holder)) holder.splice(Number(key), 1);
      else delete holder[key];
      break;
    case 1:
      if (!Array.isArray(holder)) holder[`unknown${int(rng, 9)}`] = randomValue(rng);
      break;
    default:
      holder[key] = randomValue(rng);
  }
}

const deepJson = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

/** Mutations of the JSON text itself. */
function mutateText(rng: Rng, text: string): Buffer {
  const bytes = Buffer.from(text);
  switch (int(rng, 10)) {
    case 0: // duplicate keys
      return Buffer.from(text.replace('"metadata":{', `"metadata":{"name":"dup${int(rng, 3)}",`));
    case 1: // huge numbers and non-JSON numerals
      return Buffer.from(
        text.replace(
          /\d+/,
          pick(rng, [
            '1e999',
            '123456789012345678901234567890',
            '-0',
            '0x10',
            'NaN',
            '1.7976931348623157e309',
          ]),
        ),
      );
    case 2: {
      // invalid UTF-8 inside a string
      const at = Math.max(1, text.indexOf('"name":"') + 8);
      const bad = pick(rng, [
        [0xff],
        [0xc0, 0x80],
        [0x80],
        [0xe2, 0x82],
        [0xed, 0xa0, 0x80],
        [0xf4, 0x90, 0x80, 0x80],
      ]);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at)]);
    }
    case 3: // truncated
      return bytes.subarray(0, int(rng, bytes.length));
    case 4: {
      // flipped bytes
      const copy = Buffer.from(bytes);
      for (let i = 0; i < 1 + int(rng, 4); i++) copy[int(rng, copy.length)] = int(rng, 256);
      return copy;
    }
    case 5: // deep nesting in an unknown field
      return Buffer.from(
        text.replace(/^\{/, `{"deep":${pick(rng, [deepJson(200), deepJson(20_000), deepArray(100_000)])},`),
      );
    case 6: // byte order mark and trailing garbage
      return Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        bytes,
        Buffer.from(pick(rng, ['', '}', ' x', '\u0000'])),
      ]);
    case 7:
      return Buffer.from(
        pick(rng, ['', 'null', '[]', '"str"', '42', 'true', '{}', '{"kind":null}', '{"metadata":[]}']),
      );
    case 8: // deep nesting as the whole body
      return Buffer.from(pick(rng, [deepJson(50_000), deepArray(500_000)]));
    default:
      return bytes;
  }
}

function toYaml(rng: Rng, obj: unknown): Buffer {
  const variants = [
    () => JSON.stringify(obj), // JSON is YAML
    () =>
      `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nkind: Pod\n`,
    () => `kind: Pod\napiVersion: v1\nmetadata:\n  name: y${int(rng, 9)}\n  name: dup\n`,
    () => `kind: !!js/function "function(){}"\nmetadata: {name: t}\n`,
    () => `${'- '.repeat(2000)}x\n`,
    () => `kind: Pod\nmetadata: {name: "\\xff\\ud800"}\nspec: !!binary aGVsbG8=\n`,
    () => `--- {}\n--- {}\n`,
    () => `{${'['.repeat(5000)}`,
    () => `kind: Namespace\napiVersion: v1\nmetadata:\n  name: yaml-${int(rng, 5)}\n`,
  ];
  return Buffer.from(pick(rng, variants)());
}

// ---------------------------------------------------------------- protobuf

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

const field = (num: number, bytes: Uint8Array) =>
  Buffer.from([...varint((num << 3) | 2), ...varint(bytes.length), ...bytes]);
const str = (num: number, text: string) => field(num, Buffer.from(text));

function protobufBody(rng: Rng): Buffer {
  const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
  const kind = pick(rng, [
    'Namespace',
    'Service',
    'Role',
    'RoleBinding',
    'DeleteOptions',
    'Pod',
    'SelfSubjectAccessReview',
    '',
  ]);
  const apiVersion = kind.startsWith('Role') ? 'rbac.authorization.k8s.io/v1' : pick(rng, ['v1', 'v2', '']);
  const meta = field(
    1,
    Buffer.concat([
      str(1, `pb${int(rng, 9)}`),
      ...(chance(rng, 0.3) ? [field(11, Buffer.concat([str(1, 'k'), str(2, 'v')]))] : []),
    ]),
  );
  let raw: Buffer = Buffer.concat([
    meta,
    ...(kind === 'Service' ? [field(2, field(1, Buffer.from([0x18, 0x50])))] : []),
  ]);
  switch (int(rng, 6)) {
    case 0:
      raw = Buffer.from(Array.from({ length: int(rng, 64) }, () => int(rng, 256)));
      break;
    case 1:
      raw = Buffer.concat([raw, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])]); // length past the end
      break;
    case 2:
      raw = Buffer.concat([raw, Buffer.from([0x08, ...Array(11).fill(0xff)])]); // overlong varint
      break;
    case 3: {
      let nested = Buffer.alloc(0);
      for (let i = 0; i < 2000; i++) nested = field(1, nested);
      raw = nested;
      break;
    }
    default:
      break;
  }
  const envelope = Buffer.concat([
    field(1, Buffer.concat([str(1, apiVersion), str(2, kind)])),
    field(2, raw),
  ]);
  if (chance(rng, 0.1))
    return Buffer.concat([magic, Buffer.from(Array.from({ length: int(rng, 40) }, () => int(rng, 256)))]);
  return Buffer.concat([chance(rng, 0.05) ? Buffer.from('k9s\0') : magic, envelope]);
}

// ---------------------------------------------------------------- paths, queries, headers

const queryKeys = [
  'labelSelector',
  'fieldSelector',
  'resourceVersion',
  'resourceVersionMatch',
  'limit',
  'continue',
  'timeoutSeconds',
  'allowWatchBookmarks',
  'dryRun',
  'fieldManager',
  'fieldValidation',
  'force',
  'propagationPolicy',
  'gracePeriodSeconds',
  'pretty',
  'container',
  'tailLines',
  'sinceSeconds',
  'sinceTime',
  'limitBytes',
  'previous',
  'timestamps',
  'timeout',
  'sendInitialEvents',
  'orphanDependents',
];
const queryValues = [
  '',
  'true',
  'false',
  '0',
  '-1',
  '1',
  '99999999999999999999',
  'All',
  'Strict',
  'Warn',
  'Ignore',
  'Background',
  'Orphan',
  'Foreground',
  'app=web',
  'app in (web,db)',
  'app notin (',
  '!app',
  'a=b,c!=d',
  'metadata.name=f1',
  'spec.nodeName=',
  'status.phase!=Running',
  'bogus.field=x',
  '=',
  '%',
  '%ZZ',
  '%00',
  '1s',
  '1h0m0s',
  'NotOlderThan',
  'Exact',
  'x'.repeat(5000),
  '\u00ff',
  'app=web,,',
  'a=' + 'b'.repeat(70),
];

function query(rng: Rng): string {
  const params: string[] = [];
  for (let i = 0; i < int(rng, 4); i++) {
    const key = pick(rng, queryKeys);
    const value = pick(rng, queryValues);
    params.push(`${key}=${chance(rng, 0.8) ? encodeURIComponent(value) : value.replace(/[ #]/g, '')}`);
  }
  return params.length ? `?${params.join('&')}` : '';
}

function collectionPath(c: (typeof collections)[number], namespace: string): string {
  const [prefix, resource, , , namespaced] = c;
  return namespaced ? `${prefix}/namespaces/${namespace}/${resource}` : `${prefix}/${resource}`;
}

function randomPath(rng: Rng): string {
  const segments = [
    'api',
    'apis',
    'v1',
    'v2',
    'namespaces',
    'default',
    'pods',
    'nodes',
    'watch',
    'status',
    'log',
    'rbac.authorization.k8s.io',
    'authorization.k8s.io',
    'selfsubjectaccessreviews',
    '..',
    '.',
    '%2e%2e',
    '%2F',
    '%ZZ',
    '%00',
    'x'.repeat(300),
    '',
    'openapi',
    'v3',
    'healthz',
    'metrics',
    'version',
    'readyz',
    'apidiscovery',
  ];
  const n = 1 + int(rng, 7);
  return `/${Array.from({ length: n }, () => pick(rng, segments)).join('/')}`;
}

const contentTypes = [
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'application/merge-patch+json',
  'application/json-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'text/plain',
  '',
  'application/json; charset=utf-16',
  'multipart/form-data; boundary=x',
  '*/*',
  'application/json;;;',
  'application/x-www-form-urlencoded',
];
const accepts = [
  'application/json',
  'application/json;as=Table;v=v1;g=meta.k8s.io',
  'application/vnd.kubernetes.protobuf',
  'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
  '*/*',
  'text/html',
  'application/yaml',
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'garbage/;;',
  'application/json;as=Table;v=v9',
];

function patchBody(rng: Rng, type: string, obj: Record<string, any>): Buffer {
  if (type === 'application/json-patch+json') {
    const ops = [
      { op: 'replace', path: '/spec/replicas', value: randomValue(rng) },
      { op: 'add', path: '/metadata/labels/x', value: 'y' },
      { op: 'remove', path: '/metadata/name' },
      { op: 'move', from: '/spec', path: '/spec/x' },
      { op: 'copy', from: '/metadata', path: '/metadata/annotations' },
      { op: 'test', path: '/kind', value: 'Pod' },
      { op: 'bogus', path: '' },
      { op: 'add', path: `/${'a/'.repeat(500)}x`, value: 1 },
      { op: 'replace', path: '/metadata/resourceVersion', value: '1' },
    ];
    return Buffer.from(JSON.stringify(Array.from({ length: 1 + int(rng, 3) }, () => pick(rng, ops))));
  }
  const patch: Record<string, any> = { metadata: { labels: { fuzz: String(int(rng, 9)) } } };
  if (chance(rng, 0.6)) {
    Object.assign(patch, structuredClone(obj));
    mutateValue(rng, patch);
  }
  if (chance(rng, 0.2)) patch['$setElementOrder/containers'] = [{ name: 'c' }, randomValue(rng)];
  if (chance(rng, 0.2))
    patch.spec = { containers: [{ name: 'c', $patch: pick(rng, ['delete', 'replace', 'x']) }] };
  return Buffer.from(JSON.stringify(patch));
}

/** One fuzzed request; `known` lists paths of objects that exist, so updates often hit real ones. */
export function generateRequest(rng: Rng, known: readonly string[]): FuzzRequest {
  const roll = rng();
  const c = pick(rng, collections);
  const [, , kind, apiVersion] = c;
  const namespace = pick(rng, fuzzNamespaces);
  const objectName = name(rng);
  const base = collectionPath(c, namespace);
  const headers: Record<string, string> = {};
  if (roll < 0.03) return rawRequest(rng, base);
  if (roll < 0.45) {
    // Writes of mutated objects: create, replace or patch.
    const obj = validObject(rng, kind, apiVersion, objectName);
    for (let i = int(rng, 3); i > 0; i--) mutateValue(rng, obj);
    const target = known.length > 0 && chance(rng, 0.5) ? pick(rng, known) : `${base}/${objectName}`;
    const verb = pick(rng, ['POST', 'POST', 'PUT', 'PATCH']);
    let body: Buffer = Buffer.from(JSON.stringify(obj));
    headers['content-type'] = 'application/json';
    if (verb === 'PATCH') {
      headers['content-type'] = pick(rng, contentTypes.slice(3, 7));
      body = patchBody(rng, headers['content-type'], obj);
    }
    if (chance(rng, 0.35)) body = mutateText(rng, body.toString());
    const path = verb === 'POST' ? base : chance(rng, 0.2) ? `${target}/${pick(rng, subresources)}` : target;
    return {
      method: verb,
      path: path + (chance(rng, 0.3) ? query(rng) : ''),
      headers,
      body,
      kind: `${verb.toLowerCase()} ${kind}`,
    };
  }
  if (roll < 0.52) {
    headers['content-type'] = pick(rng, ['application/yaml', 'application/apply-patch+yaml', 'text/yaml']);
    const obj = validObject(rng, kind, apiVersion, objectName);
    mutateValue(rng, obj);
    const method = headers['content-type'] === 'application/apply-patch+yaml' ? 'PATCH' : 'POST';
    const path = method === 'PATCH' ? `${base}/${objectName}?fieldManager=fuzz` : base;
    return { method, path, headers, body: toYaml(rng, obj), kind: 'yaml' };
  }
  if (roll < 0.58) {
    headers['content-type'] = 'application/vnd.kubernetes.protobuf';
    const path = chance(rng, 0.5) ? base : chance(rng, 0.5) ? '/api/v1/namespaces' : `${base}/${objectName}`;
    return {
      method: pick(rng, ['POST', 'PUT', 'DELETE']),
      path,
      headers,
      body: protobufBody(rng),
      kind: 'protobuf',
    };
  }
  if (roll < 0.7) {
    const method = pick(rng, ['GET', 'GET', 'GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND']);
    return { method, path: randomPath(rng) + query(rng), headers, kind: 'path' };
  }
  if (roll < 0.85) {
    const target = known.length > 0 && chance(rng, 0.5) ? pick(rng, known) : base;
    const sub = chance(rng, 0.2) ? `/${pick(rng, subresources)}` : '';
    const q = query(rng);
    const method = pick(rng, ['GET', 'GET', 'GET', 'DELETE']);
    return { method, path: target + sub + q, headers, kind: 'query' };
  }
  // Header garbage on reads and writes.
  headers.accept = pick(rng, accepts);
  headers['content-type'] = pick(rng, contentTypes);
  if (chance(rng, 0.2)) headers['x-large'] = 'h'.repeat(pick(rng, [100, 8000, 15_000]));
  if (chance(rng, 0.2))
    headers.authorization = pick(rng, ['Bearer ', 'Bearer x', 'Basic Zm9vOmJhcg==', 'garbage']);
  if (chance(rng, 0.2)) headers['impersonate-user'] = 'system:admin';
  const method = pick(rng, ['GET', 'POST', 'PUT', 'PATCH']);
  const body =
    method === 'GET'
      ? undefined
      : mutateText(rng, JSON.stringify(validObject(rng, kind, apiVersion, objectName)));
  return {
    method,
    path: base + (method === 'GET' ? '' : method === 'POST' ? '' : `/${objectName}`) + query(rng),
    headers,
    body,
    kind: 'headers',
  };
}

/** Malformed HTTP that no client library would send. */
function rawRequest(rng: Rng, path: string): FuzzRequest {
  const variants = [
    `GET ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    `GET ${path} HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n`,
    `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    `GARBAGE\r\n\r\n`,
    `GET ${path} HTTP/9.9\r\nHost: x\r\n\r\n`,
    `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
    `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"a":`,
    `GET ${path} HTTP/1.1\r\n${'X-H: v\r\n'.repeat(3000)}\r\n`,
    `GET ${path}\u00ff HTTP/1.1\r\nHost: x\r\n\r\n`,
  ];
  return { method: 'RAW', path, headers: {}, raw: Buffer.from(pick(rng, variants), 'latin1'), kind: 'raw' };
}
