// Fuzz test: a bounded, seeded stream of hostile requests (test/fuzz-inputs.ts) against a live
// apiserver child process over the embedded store. Pass: the process stays up and /healthz answers;
// no answer is a 5xx; every error is a well-formed Status with the HTTP code; and the store is
// consistent afterwards: a full list of every resource parses and holds exactly the objects the
// accepted writes left (writes are serialized and each is checked against a read of what it wrote).
// KUBELITE_FUZZ_SEED reproduces a run; KUBELITE_FUZZ_MS and KUBELITE_FUZZ_MAX bound it.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, type FuzzRequest, fuzzNamespaces, generateRequest, int } from './fuzz-inputs.js';
import { type SpawnedApiServer, spawnApiServer } from './harness/apiserver.js';

const seed = Number(process.env.KUBELITE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const budgetMs = Number(process.env.KUBELITE_FUZZ_MS ?? 45_000);
const maxInputs = Number(process.env.KUBELITE_FUZZ_MAX ?? 20_000);
const workers = 6;

/** Resources listed at the end: [list path, resource, namespaced]. */
const stored = [
  ['/api/v1/pods', 'pods'],
  ['/api/v1/services', 'services'],
  ['/api/v1/replicationcontrollers', 'replicationcontrollers'],
  ['/api/v1/endpoints', 'endpoints'],
  ['/api/v1/events', 'events'],
  ['/api/v1/nodes', 'nodes'],
  ['/api/v1/namespaces', 'namespaces'],
  ['/apis/rbac.authorization.k8s.io/v1/roles', 'roles'],
  ['/apis/rbac.authorization.k8s.io/v1/rolebindings', 'rolebindings'],
  ['/apis/rbac.authorization.k8s.io/v1/clusterroles', 'clusterroles'],
  ['/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', 'clusterrolebindings'],
  ['/apis/coordination.k8s.io/v1/leases', 'leases'],
] as const;
const storedNames = new Set<string>(stored.map(([, r]) => r));

let dir: string;
let api: SpawnedApiServer;
let pool: Pool;
let stderr = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelite-fuzz-'));
  api = await spawnApiServer({ storage: `embedded://${dir}`, args: ['--request-timeout', '20s'] });
  api.child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-6000);
  });
  pool = new Pool(api.url, { connections: workers + 2 });
}, 60_000);

afterAll(async () => {
  await pool?.close();
  await api?.kill();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

async function send(req: FuzzRequest): Promise<Answer> {
  const streaming = /[?&]watch=(true|1)|\/watch\/|[?&]follow=/.test(req.path);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), streaming ? 2000 : 30_000);
  try {
    const res = await pool.request({
      method: req.method as 'GET',
      path: req.path,
      headers: req.headers,
      body: req.body,
      signal: abort.signal,
      headersTimeout: 30_000,
    });
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of res.body) chunks.push(chunk as Buffer);
    } catch (e) {
      if (!(streaming && abort.signal.aborted)) throw e;
    }
    return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
  } finally {
    clearTimeout(timer);
  }
}

/** Raw bytes over a socket; resolves with the status line (or '' if the server just closed). */
function sendRaw(bytes: Buffer): Promise<string> {
  const { hostname, port } = new URL(api.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let text = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text.split('\r\n')[0] ?? '');
    };
    const timer = setTimeout(done, 2000);
    socket.on('data', (d) => {
      text += d.toString('latin1');
      if (text.includes('\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}

// ---------------------------------------------------------------- what the store must hold

/** `resource/namespace/name` → the object the last accepted write left (null: deleted). */
const expected = new Map<string, Record<string, any> | null>();
/**
 * Objects no URL reaches (lone surrogates, names longer than a request head may be), and the
 * `default/kubernetes` Service and Endpoints, which the apiserver rewrites itself: not compared.
 */
const unverifiable = new Set<string>(['services/default/kubernetes', 'endpoints/default/kubernetes']);
const knownPaths = new Set<string>();

function objectPath(resource: string, namespace: string, name: string): string {
  const group =
    resource.startsWith('role') || resource.startsWith('cluster')
      ? '/apis/rbac.authorization.k8s.io/v1'
      : resource === 'leases'
        ? '/apis/coordination.k8s.io/v1'
        : '/api/v1';
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${group}${ns}/${resource}/${encodeURIComponent(name)}`;
}

/** A name no URL can carry (a lone UTF-16 surrogate has no UTF-8 form): reachable only by listing. */
function urlSafe(name: string): boolean {
  try {
    encodeURIComponent(name);
    return true;
  } catch {
    return false;
  }
}

/** Which stored resource a URL addresses, and the object when it names one. */
function target(path: string): { resource: string; namespace: string; name?: string } | undefined {
  let parts: string[];
  try {
    // Appended, never resolved, as the apiserver does: `//api/v1/…` is still an API path.
    parts = new URL(`http://x${path}`).pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (parts[0] === 'api' && parts[1] === 'v1') parts = parts.slice(2);
  else if (
    parts[0] === 'apis' &&
    (parts[1] === 'rbac.authorization.k8s.io' || parts[1] === 'coordination.k8s.io') &&
    parts[2] === 'v1'
  )
    parts = parts.slice(3);
  else return undefined;
  let namespace = '';
  // A namespace's own subresources (`namespaces/{name}/status`, `/finalize`) write the namespace.
  if (parts[0] === 'namespaces' && parts.length === 3 && ['status', 'finalize'].includes(parts[2]!))
    return { resource: 'namespaces', namespace: '', name: parts[1]! };
  if (parts[0] === 'namespaces' && parts.length > 2) {
    namespace = parts[1]!;
    parts = parts.slice(2);
  }
  const resource = parts[0] ?? '';
  if (!storedNames.has(resource)) return undefined;
  if (resource === 'namespaces' && parts.length === 2 && namespace)
    return { resource, namespace: '', name: namespace };
  return { resource, namespace, ...(parts[1] !== undefined ? { name: parts[1] } : {}) };
}

const keyOf = (resource: string, obj: Record<string, any>) =>
  `${resource}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;

/** After an accepted write: read what it left (storage, not the cache) and remember it. */
async function record(
  resource: string,
  namespace: string,
  name: string,
  written?: Record<string, any>,
): Promise<string[]> {
  const problems: string[] = [];
  const key = `${resource}/${namespace}/${name}`;
  const path = urlSafe(name) && urlSafe(namespace) ? objectPath(resource, namespace, name) : '';
  if (path === '' || path.length > 8000 || unverifiable.has(key)) {
    unverifiable.add(key);
    return problems;
  }
  const now = await send({ method: 'GET', path, headers: {}, kind: 'verify' });
  if (now.status === 404) {
    expected.set(key, null);
    knownPaths.delete(path);
  } else if (now.status === 200) {
    const obj = JSON.parse(now.body.toString());
    if (written && written.metadata?.resourceVersion !== obj.metadata?.resourceVersion) {
      problems.push(
        `${key}: the write answered rv ${written.metadata?.resourceVersion}, storage has ${obj.metadata?.resourceVersion}`,
      );
    }
    expected.set(key, obj);
    knownPaths.add(path);
  } else problems.push(`${key}: reading back answered ${now.status}`);
  return problems;
}

/** Runs mutating requests one at a time, so each can be checked against what storage then holds. */
let writeChain: Promise<unknown> = Promise.resolve();
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const run = writeChain.then(fn, fn);
  writeChain = run.catch(() => {});
  return run;
}

function isDryRun(path: string): boolean {
  try {
    return new URL(`http://x${path}`).searchParams.getAll('dryRun').some((v) => v === 'All');
  } catch {
    return false;
  }
}

/** Checks one answer; returns what is wrong with it. */
function judge(req: FuzzRequest, answer: Answer): string[] {
  const problems: string[] = [];
  const text = answer.body.toString();
  // The two 5xx Kubernetes itself answers to bad input: logs of a pod whose kubelet cannot be reached
  // (503), and a resourceVersion newer than the store's after waiting for it (504 ResourceVersionTooLarge).
  const expected5xx =
    (answer.status === 503 && /\/log(\?|$)/.test(req.path)) ||
    (answer.status === 504 && text.includes('"ResourceVersionTooLarge"'));
  if (answer.status >= 500 && !expected5xx) problems.push(`answered ${answer.status}: ${text.slice(0, 200)}`);
  if (answer.status >= 400 && req.method !== 'HEAD') {
    let status: any;
    try {
      status = JSON.parse(text);
    } catch {
      problems.push(`${answer.status} without a JSON Status: ${text.slice(0, 120)}`);
      return problems;
    }
    const wellFormed =
      status?.kind === 'Status' &&
      status.apiVersion === 'v1' &&
      status.status === 'Failure' &&
      status.code === answer.status &&
      typeof status.reason === 'string' &&
      typeof status.message === 'string';
    if (!wellFormed) problems.push(`malformed Status: ${text.slice(0, 200)}`);
  }
  return problems;
}

async function runOne(req: FuzzRequest): Promise<string[]> {
  if (req.raw) {
    const line = await sendRaw(req.raw);
    const code = Number(/^HTTP\/1\.1 (\d{3})/.exec(line)?.[1] ?? 0);
    return code >= 500 ? [`raw request answered ${line}`] : [];
  }
  const addressed = target(req.path);
  // Deleting a namespace purges its contents in the background: no request-by-request model for that.
  if (req.method === 'DELETE' && addressed?.resource === 'namespaces') req.method = 'GET';
  const mutating = !['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND'].includes(req.method);
  if (!mutating || !addressed) {
    // Nothing stored can change: a read, or a path outside the stored resources.
    return judge(req, await send(req));
  }
  return serialized(async () => {
    const answer = await send(req);
    const problems = judge(req, answer);
    if (answer.status >= 300 || isDryRun(req.path) || problems.length > 0) return problems;
    let body: any;
    try {
      body = JSON.parse(answer.body.toString());
    } catch {
      return [...problems, `accepted write answered non-JSON: ${answer.body.toString().slice(0, 100)}`];
    }
    const { resource, namespace, name } = addressed;
    if (Array.isArray(body?.items)) {
      // deletecollection: each item deleted or pending deletion.
      for (const item of body.items)
        problems.push(...(await record(resource, item.metadata?.namespace ?? '', item.metadata?.name ?? '')));
    } else if (body?.kind === 'Status' || (name !== undefined && /\/(binding|scale)(\?|$)/.test(req.path))) {
      problems.push(...(await record(resource, namespace, name ?? '')));
    } else if (body?.metadata?.name !== undefined) {
      const objNamespace = body.metadata.namespace ?? '';
      const deleting = req.method === 'DELETE';
      problems.push(
        ...(await record(resource, objNamespace, body.metadata.name, deleting ? undefined : body)),
      );
    } else
      problems.push(`accepted write answered without an object: ${answer.body.toString().slice(0, 100)}`);
    return problems;
  });
}

async function listAll(): Promise<Map<string, Record<string, any>>> {
  const out = new Map<string, Record<string, any>>();
  for (const [path, resource] of stored) {
    const answer = await send({ method: 'GET', path, headers: {}, kind: 'list' });
    expect(answer.status, `${path} answered ${answer.status}`).toBe(200);
    const list = JSON.parse(answer.body.toString());
    expect(Array.isArray(list.items)).toBe(true);
    for (const item of list.items) out.set(keyOf(resource, item), item);
  }
  return out;
}

/** JSON with sorted keys, to compare objects regardless of key order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

describe('apiserver fuzz', () => {
  it(
    'survives a seeded stream of hostile requests with only 4xx Statuses and a consistent store',
    async () => {
      process.stdout.write(`fuzz: seed ${seed} (KUBELITE_FUZZ_SEED=${seed} reproduces the inputs)\n`);
      // Namespaces to write into, and the objects the server made at start.
      for (const ns of fuzzNamespaces.slice(1)) {
        await send({
          method: 'POST',
          path: '/api/v1/namespaces',
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })),
          kind: 'setup',
        });
      }
      for (const [key, obj] of await listAll()) {
        expected.set(key, obj);
        const [resource, namespace, name] = key.split('/') as [string, string, string];
        if (urlSafe(name)) knownPaths.add(objectPath(resource, namespace, name));
      }
      const rng = createRng(seed);
      const failures: string[] = [];
      const counts = new Map<string, number>();
      const codes = new Map<number, number>();
      let tried = 0;
      const deadline = Date.now() + budgetMs;
      const inputs: FuzzRequest[] = [];
      const nextInput = (): FuzzRequest | undefined => {
        if (tried >= maxInputs || Date.now() > deadline || failures.length >= 20) return undefined;
        tried++;
        const req = generateRequest(rng, [...knownPaths]);
        inputs.push(req);
        counts.set(req.kind, (counts.get(req.kind) ?? 0) + 1);
        return req;
      };
      await Promise.all(
        Array.from({ length: workers }, async () => {
          for (let req = nextInput(); req; req = nextInput()) {
            try {
              const problems = await runOne(req);
              for (const p of problems)
                failures.push(`${req.method} ${req.path.slice(0, 200)} [${req.kind}]: ${p}`);
            } catch (e) {
              failures.push(
                `${req.method} ${req.path.slice(0, 200)} [${req.kind}]: ${e instanceof Error ? e.message : e}`,
              );
            }
            if (api.child.exitCode !== null || api.child.signalCode !== null) {
              failures.push(
                `the apiserver died (exit ${api.child.exitCode}, signal ${api.child.signalCode}) after ` +
                  `${inputs
                    .slice(-3)
                    .map(
                      (r) =>
                        `${r.method} ${r.path.slice(0, 120)} [${r.kind}] ${(r.body ?? r.raw ?? '').toString().slice(0, 200)}`,
                    )
                    .join(' | ')}\n${stderr}`,
              );
              return;
            }
            if (int(rng, 200) === 0) {
              const health = await send({ method: 'GET', path: '/healthz', headers: {}, kind: 'health' });
              codes.set(health.status, (codes.get(health.status) ?? 0) + 1);
            }
          }
        }),
      );
      await writeChain;
      process.stdout.write(
        `fuzz: ${tried} inputs in ${((budgetMs - Math.max(0, deadline - Date.now())) / 1000).toFixed(0)} s ` +
          `(${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}), seed ${seed}, ${failures.length} failures\n`,
      );
      expect(failures, `seed ${seed}:\n${failures.join('\n')}`).toEqual([]);
      expect(tried).toBeGreaterThan(1000);
      expect(api.child.exitCode).toBeNull();
      expect((await send({ method: 'GET', path: '/healthz', headers: {}, kind: 'health' })).status).toBe(200);

      // The store: every listed object is one an accepted write left, and every such object is listed.
      const listed = await listAll();
      const mismatches: string[] = [];
      for (const key of unverifiable) {
        expected.delete(key);
        listed.delete(key);
      }
      for (const [key, obj] of listed) {
        const want = expected.get(key);
        if (!want)
          mismatches.push(
            `${key} listed (rv ${obj.metadata?.resourceVersion}) but no accepted write left it`,
          );
        else if (canonical(want) !== canonical(obj)) {
          mismatches.push(
            `${key}: listed rv ${obj.metadata?.resourceVersion}, written rv ${want.metadata?.resourceVersion}`,
          );
        }
      }
      for (const [key, want] of expected) {
        if (want && !listed.has(key))
          mismatches.push(`${key} written (rv ${want.metadata?.resourceVersion}) but not listed`);
      }
      expect(mismatches, `seed ${seed}:\n${mismatches.slice(0, 30).join('\n')}`).toEqual([]);
      process.stdout.write(`fuzz: store consistent, ${listed.size} objects\n`);
    },
    budgetMs + 90_000,
  );
});
