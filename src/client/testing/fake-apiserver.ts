// A small, in-memory stand-in for the apiserver, for the client library's own tests (never shipped
// to components). It speaks the parts of the Kubernetes v1 REST API the client uses: list, watch
// (chunked JSON lines, resourceVersion replay, 410 Expired as an ERROR event, bookmarks, selector
// transitions), CRUD, status/scale/binding subresources and pod logs; plus levers the real server does
// not have, to drive the reflector through its failure paths (compaction, closed or reset watches,
// injected errors) and a log of every request to count lists and watches.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fastJsonPatch from 'fast-json-patch';
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  expired,
  notFound,
  staleObjectMessage,
  successStatus,
  toStatus,
} from '../../api/errors.js';
import { type ResourceInfo, resourceByName } from '../../api/resources.js';
import type { KubeObject, ObjectMeta, Status } from '../../api/types.js';

type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface Change {
  rev: number;
  resource: string;
  type: ChangeType;
  object: KubeObject;
  old?: KubeObject;
}

interface Watcher {
  res: ServerResponse;
  info: ResourceInfo;
  namespace: string | undefined;
  matches: (obj: KubeObject) => boolean;
  bookmarks: boolean;
  timer?: NodeJS.Timeout;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: URLSearchParams;
  resource?: string;
  watch: boolean;
  contentType?: string;
  body?: unknown;
}

export interface FailureRule {
  method?: string;
  resource?: string;
  /** true: only watch requests; false: only non-watch requests; unset: both. */
  watch?: boolean;
  code: number;
  reason?: string;
  message?: string;
}

export interface FakeApiServerOptions {
  /** When set, every request must carry `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
}

export interface FakeApiServer {
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RequestRecord[];
  /** While true, watch requests have their connection destroyed (a transport failure, not a Status). */
  refuseWatches: boolean;
  revision(): number;
  /** Creates or replaces an object as if a client wrote it (watchers see ADDED or MODIFIED). */
  put<T extends { metadata: ObjectMeta }>(resource: string, obj: T): T;
  /** Deletes an object (watchers see DELETED); false when it did not exist. */
  remove(resource: string, namespace: string | undefined, name: string): boolean;
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Forgets the change history: watches from any earlier resourceVersion get 410 Expired. */
  compact(): void;
  /** Ends every open watch normally (as a server-side timeout does). */
  closeWatches(): void;
  /** Resets every open watch connection (a broken connection). */
  destroyWatches(): void;
  /** Sends a BOOKMARK at the current revision to every watcher that allowed bookmarks. */
  bookmark(): void;
  openWatches(): number;
  /** The next `times` requests matching the rule fail with a Status of `code`. */
  failNext(rule: FailureRule, times?: number): void;
  count(filter: { method?: string; resource?: string; watch?: boolean }): number;
  /** Appends to a pod's log; followers receive it at once. */
  appendLog(namespace: string, pod: string, text: string): void;
  close(): Promise<void>;
}

function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

/** Equality-based selectors, enough for the client's tests: k=v, k==v, k!=v, k, !k. */
function selectorMatcher(labelSelector: string, fieldSelector: string): (obj: KubeObject) => boolean {
  const tests: Array<(obj: KubeObject) => boolean> = [];
  for (const term of labelSelector.split(',').filter(Boolean)) {
    const m = /^(!?)([^!=]+?)\s*(?:(==|=|!=)\s*(.*))?$/.exec(term.trim());
    if (!m) throw badRequest(`unable to parse requirement: ${term}`);
    const [, not, key, op, value] = m;
    const labelOf = (obj: KubeObject) => obj.metadata.labels?.[key!];
    if (!op) tests.push(not ? (o) => labelOf(o) === undefined : (o) => labelOf(o) !== undefined);
    else if (op === '!=') tests.push((o) => labelOf(o) !== value);
    else tests.push((o) => labelOf(o) === value);
  }
  for (const term of fieldSelector.split(',').filter(Boolean)) {
    const m = /^([^!=]+?)(==|=|!=)(.*)$/.exec(term.trim());
    if (!m) throw badRequest(`invalid field selector: ${term}`);
    const [, field, op, value] = m;
    tests.push(op === '!=' ? (o) => fieldValue(o, field!) !== value : (o) => fieldValue(o, field!) === value);
  }
  return (obj) => tests.every((t) => t(obj));
}

/** RFC 7386 JSON merge patch (the fake applies strategic and apply patches the same way). */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

interface Route {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function parseRoute(pathname: string): Route | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'api' || parts[1] !== 'v1') return undefined;
  let rest = parts.slice(2);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const info = resourceByName(rest[0] ?? '');
  if (!info) return undefined;
  return { info, namespace, name: rest[1], subresource: rest[2] };
}

export async function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  let rev = 1;
  let compactedRev = 0;
  const stores = new Map<string, Map<string, KubeObject>>();
  const history: Change[] = [];
  const watchers = new Set<Watcher>();
  const failures: Array<FailureRule & { times: number }> = [];
  const logs = new Map<string, { text: string; followers: Set<ServerResponse> }>();
  const requests: RequestRecord[] = [];

  const storeOf = (resource: string): Map<string, KubeObject> => {
    let s = stores.get(resource);
    if (!s) stores.set(resource, (s = new Map()));
    return s;
  };

  function watchLine(type: string, object: unknown): string {
    return `${JSON.stringify({ type, object })}\n`;
  }

  function endWatch(w: Watcher): void {
    watchers.delete(w);
    clearTimeout(w.timer);
    w.res.end();
  }

  function deliver(change: Change): void {
    for (const w of watchers) {
      const line = eventFor(w, change);
      if (line) w.res.write(line);
    }
  }

  /** The event a watcher sees for a change, given its namespace and selectors (transitions included). */
  function eventFor(w: Watcher, change: Change): string | undefined {
    if (w.info.name !== change.resource) return undefined;
    if (w.namespace && change.object.metadata.namespace !== w.namespace) return undefined;
    const now = w.matches(change.object);
    const before = change.old ? w.matches(change.old) : false;
    if (change.type === 'MODIFIED') {
      if (now && before) return watchLine('MODIFIED', change.object);
      if (now) return watchLine('ADDED', change.object);
      if (before) return watchLine('DELETED', change.object);
      return undefined;
    }
    return now ? watchLine(change.type, change.object) : undefined;
  }

  function commit(resource: string, type: ChangeType, object: KubeObject, old?: KubeObject): void {
    const change: Change = { rev, resource, type, object, old };
    history.push(change);
    deliver(change);
  }

  function write(info: ResourceInfo, obj: KubeObject, dryRun = false): { obj: KubeObject; created: boolean } {
    const store = storeOf(info.name);
    const key = objectKey(info.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name!);
    const old = store.get(key);
    const stored: KubeObject = {
      ...obj,
      kind: info.kind,
      apiVersion: 'v1',
      metadata: {
        ...obj.metadata,
        uid: old?.metadata.uid ?? obj.metadata.uid ?? randomUUID(),
        creationTimestamp:
          old?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        resourceVersion: String(dryRun ? rev : rev + 1),
      },
    };
    if (dryRun) return { obj: stored, created: !old };
    rev++;
    store.set(key, stored);
    commit(info.name, old ? 'MODIFIED' : 'ADDED', stored, old);
    return { obj: stored, created: !old };
  }

  function removeObject(info: ResourceInfo, key: string): KubeObject | undefined {
    const store = storeOf(info.name);
    const old = store.get(key);
    if (!old) return undefined;
    store.delete(key);
    rev++;
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(rev) } };
    commit(info.name, 'DELETED', gone);
    return gone;
  }

  function takeFailure(
    req: IncomingMessage,
    route: Route | undefined,
    isWatch: boolean,
  ): FailureRule | undefined {
    const i = failures.findIndex(
      (f) =>
        (f.method === undefined || f.method === req.method) &&
        (f.resource === undefined || f.resource === route?.info.name) &&
        (f.watch === undefined || f.watch === isWatch),
    );
    if (i === -1) return undefined;
    const rule = failures[i]!;
    if (--rule.times <= 0) failures.splice(i, 1);
    return rule;
  }

  function serveWatch(res: ServerResponse, route: Route, query: URLSearchParams): void {
    const matches = selectorMatcher(query.get('labelSelector') ?? '', query.get('fieldSelector') ?? '');
    const namespace = route.info.namespaced ? route.namespace : undefined;
    const rv = query.get('resourceVersion') ?? '';
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    if (rv !== '' && rv !== '0' && Number(rv) < compactedRev) {
      res.end(watchLine('ERROR', expired(`too old resource version: ${rv} (${compactedRev})`).toStatus()));
      return;
    }
    const w: Watcher = {
      res,
      info: route.info,
      namespace,
      matches,
      bookmarks: query.get('allowWatchBookmarks') === 'true',
    };
    if (rv === '' || rv === '0') {
      for (const obj of storeOf(route.info.name).values()) {
        if ((!namespace || obj.metadata.namespace === namespace) && matches(obj))
          res.write(watchLine('ADDED', obj));
      }
    } else {
      for (const change of history) {
        if (change.rev <= Number(rv)) continue;
        const line = eventFor(w, change);
        if (line) res.write(line);
      }
    }
    watchers.add(w);
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
    if (timeoutSeconds > 0) w.timer = setTimeout(() => endWatch(w), timeoutSeconds * 1000);
    res.on('close', () => {
      clearTimeout(w.timer);
      watchers.delete(w);
    });
  }

  function serveList(res: ServerResponse, route: Route, query: URLSearchParams): void {
    const matches = selectorMatcher(query.get('labelSelector') ?? '', query.get('fieldSelector') ?? '');
    const namespace = route.info.namespaced ? route.namespace : undefined;
    const items: unknown[] = [];
    for (const obj of storeOf(route.info.name).values()) {
      if ((namespace && obj.metadata.namespace !== namespace) || !matches(obj)) continue;
      // Like Kubernetes, list items carry no kind/apiVersion.
      const { kind: _k, apiVersion: _a, ...item } = obj;
      items.push(item);
    }
    sendJson(res, 200, {
      kind: route.info.listKind,
      apiVersion: 'v1',
      metadata: { resourceVersion: String(rev) },
      items,
    });
  }

  function servePodLog(res: ServerResponse, route: Route, query: URLSearchParams): void {
    if (!storeOf('pods').has(objectKey(route.namespace, route.name!))) throw notFound('pods', route.name!);
    const key = objectKey(route.namespace, route.name!);
    let log = logs.get(key);
    if (!log) logs.set(key, (log = { text: '', followers: new Set() }));
    res.writeHead(200, { 'content-type': 'text/plain' });
    if (query.get('follow') !== 'true') {
      res.end(log.text);
      return;
    }
    res.write(log.text);
    const entry = log;
    entry.followers.add(res);
    res.on('close', () => entry.followers.delete(res));
  }

  function scaleOf(rc: KubeObject): unknown {
    const spec = rc.spec as { replicas?: number; selector?: Record<string, string> };
    const status = rc.status as { replicas?: number } | undefined;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: rc.metadata.name,
        namespace: rc.metadata.namespace,
        resourceVersion: rc.metadata.resourceVersion,
      },
      spec: { replicas: spec.replicas ?? 0 },
      status: {
        replicas: status?.replicas ?? 0,
        selector: Object.entries(spec.selector ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = url.searchParams;
    const route = parseRoute(url.pathname);
    const isWatch = query.get('watch') === 'true' || query.get('watch') === '1';
    const text = await readBody(req);
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      resource: route?.info.name,
      watch: isWatch,
      contentType: req.headers['content-type'],
    };
    requests.push(record);

    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
      throw new ApiError('Unauthorized', 'Unauthorized');
    }
    const failure = takeFailure(req, route, isWatch);
    if (failure) {
      const status: Status = {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: failure.message ?? `injected failure ${failure.code}`,
        reason: failure.reason ?? 'InternalError',
        code: failure.code,
      };
      sendJson(res, failure.code, status);
      return;
    }
    if (!route) throw notFound('paths', url.pathname);
    if (isWatch && server.refuseWatches) {
      req.socket.destroy();
      return;
    }

    const { info, name, subresource } = route;
    const namespace = info.namespaced ? route.namespace : undefined;
    let body: any;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        throw badRequest('request body is not JSON');
      }
      record.body = body;
    }
    const dryRun = query.get('dryRun') === 'All';
    const store = storeOf(info.name);
    const method = req.method ?? 'GET';

    if (name === undefined) {
      if (method === 'GET') return isWatch ? serveWatch(res, route, query) : serveList(res, route, query);
      if (method === 'POST') {
        const meta = { ...body.metadata };
        if (!meta.name && meta.generateName) meta.name = meta.generateName + randomUUID().slice(0, 5);
        if (!meta.name) throw badRequest('name or generateName is required');
        if (info.namespaced) meta.namespace = namespace ?? meta.namespace;
        if (store.has(objectKey(meta.namespace, meta.name))) throw alreadyExists(info.name, meta.name);
        sendJson(res, 201, write(info, { ...body, metadata: meta }, dryRun).obj);
        return;
      }
      if (method === 'DELETE') {
        const matches = selectorMatcher(query.get('labelSelector') ?? '', query.get('fieldSelector') ?? '');
        const items: KubeObject[] = [];
        for (const [key, obj] of [...store]) {
          if ((namespace && obj.metadata.namespace !== namespace) || !matches(obj)) continue;
          items.push(dryRun ? obj : removeObject(info, key)!);
        }
        sendJson(res, 200, {
          kind: info.listKind,
          apiVersion: 'v1',
          metadata: { resourceVersion: String(rev) },
          items,
        });
        return;
      }
      throw new ApiError('MethodNotAllowed', `${method} is not allowed on a collection`);
    }

    if (info.name === 'pods' && subresource === 'log' && method === 'GET')
      return servePodLog(res, route, query);
    const key = objectKey(namespace, name);
    const current = store.get(key);
    if (info.name === 'pods' && subresource === 'binding' && method === 'POST') {
      if (!current) throw notFound('pods', name);
      const spec = current.spec as { nodeName?: string };
      if (spec.nodeName)
        throw conflict('pods/binding', name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
      if (!dryRun) write(info, { ...current, spec: { ...spec, nodeName: body.target.name } });
      sendJson(res, 201, successStatus(undefined, 201));
      return;
    }
    if (!current) throw notFound(info.name, name);

    if (method === 'GET') {
      sendJson(res, 200, subresource === 'scale' ? scaleOf(current) : current);
      return;
    }
    if (method === 'DELETE') {
      sendJson(res, 200, dryRun ? current : removeObject(info, key));
      return;
    }
    let next: KubeObject;
    if (method === 'PUT') {
      next = body;
    } else if (method === 'PATCH') {
      const base = subresource === 'scale' ? scaleOf(current) : current;
      const ct = req.headers['content-type'] ?? '';
      next = ct.startsWith('application/json-patch+json')
        ? (fastJsonPatch.applyPatch(structuredClone(base), body).newDocument as KubeObject)
        : (mergePatch(base, body) as KubeObject);
    } else {
      throw new ApiError('MethodNotAllowed', `${method} is not allowed on an object`);
    }
    const wantRv = next.metadata?.resourceVersion;
    if (wantRv && wantRv !== current.metadata.resourceVersion)
      throw conflict(info.name, name, staleObjectMessage);
    let updated: KubeObject;
    if (subresource === 'status') updated = { ...current, status: next.status };
    else if (subresource === 'scale') {
      const replicas = (next.spec as { replicas?: number }).replicas;
      updated = { ...current, spec: { ...(current.spec as object), replicas } };
    } else updated = { ...next, status: current.status, metadata: { ...next.metadata, namespace, name } };
    const saved = write(info, updated, dryRun).obj;
    sendJson(res, 200, subresource === 'scale' ? scaleOf(saved) : saved);
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = toStatus(e);
      sendJson(res, status.code, status);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;

  const server: FakeApiServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    refuseWatches: false,
    revision: () => rev,
    put<T extends { metadata: ObjectMeta }>(resource: string, obj: T): T {
      const info = resourceByName(resource)!;
      return write(info, obj as unknown as KubeObject).obj as unknown as T;
    },
    remove(resource, namespace, name) {
      const info = resourceByName(resource)!;
      return removeObject(info, objectKey(info.namespaced ? namespace : undefined, name)) !== undefined;
    },
    get(resource, namespace, name) {
      const info = resourceByName(resource)!;
      return storeOf(resource).get(objectKey(info.namespaced ? namespace : undefined, name));
    },
    compact() {
      compactedRev = rev;
      history.length = 0;
    },
    closeWatches() {
      for (const w of watchers) endWatch(w);
    },
    destroyWatches() {
      for (const w of watchers) w.res.socket?.destroy();
    },
    bookmark() {
      for (const w of watchers) {
        if (!w.bookmarks) continue;
        w.res.write(
          watchLine('BOOKMARK', {
            kind: w.info.kind,
            apiVersion: 'v1',
            metadata: { resourceVersion: String(rev) },
          }),
        );
      }
    },
    openWatches: () => watchers.size,
    failNext(rule, times = 1) {
      failures.push({ ...rule, times });
    },
    count(filter) {
      return requests.filter(
        (r) =>
          (filter.method === undefined || r.method === filter.method) &&
          (filter.resource === undefined || r.resource === filter.resource) &&
          (filter.watch === undefined || r.watch === filter.watch),
      ).length;
    },
    appendLog(namespace, pod, text) {
      const key = objectKey(namespace, pod);
      let log = logs.get(key);
      if (!log) logs.set(key, (log = { text: '', followers: new Set() }));
      log.text += text;
      for (const f of log.followers) f.write(text);
    },
    async close() {
      for (const w of watchers) w.res.socket?.destroy();
      for (const log of logs.values()) for (const f of log.followers) f.socket?.destroy();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  return server;
}
