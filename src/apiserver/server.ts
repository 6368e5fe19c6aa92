// createApiServer: the Kubernetes v1 REST API over plain node:http. Owns the watch cache, the
// per-resource write paths, the namespace purger, event expiry, service allocators and the
// `default/kubernetes` service; storage is passed in (or opened from a URL and then owned).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { ApiError, badRequest, methodNotAllowed } from '../api/errors.js';
import { storedResources } from '../api/resources.js';
import { createListener, createSecurity, schemeOf } from './auth/index.js';
import { rbacStrategies } from './auth/rbac/strategies.js';
import type { RequestContext, ServerCore } from './handlers/context.js';
import { routeResource } from './handlers/route.js';
import { notFoundPath, type SystemHandler, systemRoutes } from './handlers/system.js';
import { type ResourceVerb, resolveRequestInfo } from './http/request-info.js';
import { writeError } from './http/respond.js';
import { createLimits } from './limits/limits.js';
import { malformedRequestResponse } from './limits/malformed.js';
import { type ApiServerMetrics, createApiServerMetrics } from './metrics.js';
import { negotiateAccept } from './negotiate.js';
import { type ApiServerOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { compose, type PipelineContext, type Stage } from './pipeline.js';
import type { AdmissionPlugin } from './registry/admission.js';
import { EventExpiry } from './registry/event-expiry.js';
import { KubernetesServiceController } from './registry/kubernetes-service-controller.js';
import { MasterLeases } from './registry/master-leases.js';
import { bootstrapNamespaces, NamespaceLifecycle, NamespacePurger } from './registry/namespaces.js';
import { ObjectStore } from './registry/object-store.js';
import type { WriteHooks } from './registry/reservation.js';
import { ResourceRest } from './registry/rest.js';
import { createServiceAllocators, type ServiceAllocators } from './registry/services.js';
import { strategies } from './registry/strategies.js';
import type { OpenStorageOptions } from './storage/index.js';
import type { Storage } from './storage/types.js';
import { WatchCache } from './watchcache/watch-cache.js';

export type { ApiServerOptions } from './options.js';

export interface ApiServer {
  /** http://host:port once started. */
  readonly url: string;
  readonly metricsRegistry: Registry;
  readonly watchCache: WatchCache;
  readonly storage: Storage;
  readonly allocators: ServiceAllocators;
  /** Ready: caches synced and system namespaces present (what /readyz reports). */
  readonly ready: boolean;
  /** Opens storage, syncs the watch cache, bootstraps namespaces and listens. */
  start(): Promise<void>;
  /** start(), then serve until `signal` aborts, then close(). */
  run(signal: AbortSignal): Promise<void>;
  /** Stops listening, ends watches and open connections, closes storage it opened. */
  close(): Promise<void>;
}

const allowedMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

export function createApiServer(input: ApiServerOptions): ApiServer {
  const options: ResolvedOptions = resolveOptions(input);
  const { clock, logger } = options;
  const metrics: ApiServerMetrics = createApiServerMetrics(options.metricsRegistry);
  const allocators = createServiceAllocators({
    clusterIPRange: options.serviceClusterIPRange,
    nodePortRange: options.serviceNodePortRange,
    allPorts: options.nodePortsForAllServices,
  });
  let storage: Storage | undefined = typeof options.storage === 'string' ? undefined : options.storage;
  const ownsStorage = typeof options.storage === 'string';
  let watchCache: WatchCache | undefined;
  let core: ServerCore | undefined;
  let eventExpiry: EventExpiry | undefined;
  let kubernetesService: KubernetesServiceController | undefined;
  let httpServer: Server | undefined;
  let url = '';
  let ready = false;
  let started: Promise<void> | undefined;

  const system = systemRoutes({
    isReady: () => ready && !!watchCache?.ready,
    address: () => url.replace(/^https?:\/\//, ''),
    registry: options.metricsRegistry,
  });

  const instrument: Stage = async (ctx, next) => {
    const start = performance.now();
    try {
      if (!allowedMethods.has(ctx.req.method ?? '')) throw methodNotAllowed();
      await next();
    } catch (e) {
      const status = writeError(ctx.res, e);
      if (!(e instanceof ApiError)) logger.error({ err: e, path: ctx.url.pathname }, 'request failed');
      ctx.res.statusCode = status.code;
    } finally {
      const info = ctx.info;
      if (info?.kind === 'resource') {
        const labels = {
          verb: metricVerb(info.verb, ctx.req.headers['content-type']),
          resource: info.resource.name,
          subresource: info.subresource,
        };
        const code = String(ctx.res.statusCode);
        metrics.requests.inc({ ...labels, code });
        if (info.verb !== 'watch')
          metrics.requestDuration.observe(labels, (performance.now() - start) / 1000);
      }
    }
  };

  const resolve: Stage = async (ctx, next) => {
    ctx.info = resolveRequestInfo(ctx.req.method ?? 'GET', ctx.url.pathname, ctx.url.searchParams);
    await next();
  };

  const dispatch: Stage = async (ctx) => {
    const info = ctx.info!;
    if (info.kind === 'nonResource') {
      const handler: SystemHandler | undefined = system.get(trimSlash(info.path));
      if (!handler) throw notFoundPath(info.path);
      if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') throw methodNotAllowed();
      await handler(ctx.req, ctx.res, ctx.url.searchParams);
      return;
    }
    // Lists and watches need a synced cache (at start, and while it resyncs after a broken store watch).
    const needsCache = info.verb === 'list' || info.verb === 'watch' || info.verb === 'deletecollection';
    if (!core || (needsCache && !watchCache?.ready)) {
      throw new ApiError('ServiceUnavailable', 'the watch cache is not synced yet; retry shortly', {
        retryAfterSeconds: 1,
      });
    }
    const request: RequestContext = {
      req: ctx.req,
      res: ctx.res,
      query: ctx.url.searchParams,
      info,
      accept: negotiateAccept(ctx.req.headers.accept, ctx.url.searchParams),
      core,
    };
    await routeResource(request);
  };

  // Authentication, then the in-flight limits (unauthenticated requests take no slot), then
  // authorization and access reviews, as in Kubernetes' handler chain.
  const security = createSecurity({
    authentication: options.authentication,
    authorizationModes: options.authorizationModes,
    maxRequestBodyBytes: options.maxRequestBodyBytes,
    logger,
  });
  const limits = createLimits(options.limits, options.metricsRegistry);
  const handle = compose([
    instrument,
    resolve,
    ...security.authenticate,
    limits.stage,
    ...security.authorize,
    ...(input.stages ?? []),
    dispatch,
  ]);

  async function start(): Promise<void> {
    const store: Storage =
      storage ??
      (await openStorageUrl(options.storage as string, {
        compaction: { intervalMs: options.compactionIntervalMs, clock, logger },
      }));
    storage = store;
    const cache = new WatchCache({
      storage: store,
      resources: storedResources,
      capacity: options.watchCacheCapacity,
      clock,
      metrics,
      logger,
      bookmarkIntervalMs: options.bookmarkIntervalMs,
      waitTimeoutMs: options.cacheWaitTimeoutMs,
    });
    watchCache = cache;
    const rests = new Map<string, ResourceRest>();
    const lifecycle = new NamespaceLifecycle(cache, () => rests.get('namespaces')!);
    const admission: AdmissionPlugin[] = [lifecycle, ...security.admission];
    const hooks: Record<string, WriteHooks> = { services: allocators.hooks, namespaces: lifecycle.hooks };
    for (const [name, strategy] of [...strategies, ...rbacStrategies]) {
      const objects = new ObjectStore(store, strategy.resource);
      rests.set(
        name,
        new ResourceRest(objects, strategy, {
          clock,
          admission,
          hooks: hooks[name],
        }),
      );
    }
    core = { options, storage: store, watchCache: cache, rests, metrics, clock, logger };
    const purger = new NamespacePurger(cache, rests, logger);
    const expiry = new EventExpiry(rests.get('events')!.store, clock, options.eventTtlMs, logger);
    eventExpiry = expiry;
    cache.onChange((resource, event) => {
      purger.observe(resource, event.object.object, event.type);
      if (resource === 'events') expiry.observe(event.object, event.type);
    });
    await cache.start();
    allocators.restore([...cache.cache('services').objects.values()].map((o) => o.object));
    expiry.restore(cache.cache('events').objects.values());
    await bootstrapNamespaces(rests.get('namespaces')!);
    await security.start(cache, rests);
    purger.resume();

    const listenerOptions = {
      keepAliveTimeout: 65_000,
      requestTimeout: 0,
      maxHeaderSize: options.maxHeaderBytes,
    };
    const server = createListener(options.tls, listenerOptions, (req, res) => {
      const url = requestUrl(req.url);
      if (!url) {
        writeError(res, badRequest(`malformed request URL`));
        return;
      }
      const ctx: PipelineContext = { req, res, url, info: undefined, user: undefined };
      handle(ctx).catch((e: unknown) => {
        logger.error({ err: e }, 'unhandled request failure');
        if (!res.headersSent) writeError(res, e);
        else res.destroy();
      });
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      // Requests Node's HTTP parser refuses (bad request line, header bytes, sizes) still get a Status.
      if (socket.writable) socket.end(malformedRequestResponse(err.code));
      else socket.destroy();
    });
    httpServer = server;
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      // Node's default backlog (511) overflowed when 5,000 kubelets connected at once (bench/cluster-scale):
      // the kernel caps this at net.core.somaxconn, as for Go servers.
      server.listen({ port: options.port, host: options.host, backlog: 4096 }, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    url = `${schemeOf(options.tls)}://${host}:${address.port}`;
    // Once the port is known (port 0 picks one): the Service and Endpoints pods find us by.
    kubernetesService = new KubernetesServiceController({
      cache,
      services: rests.get('services')!,
      endpoints: rests.get('endpoints')!,
      leases: new MasterLeases(store, clock, options.masterLeaseTtlMs),
      self: { ip: options.advertiseAddress, port: address.port, portName: schemeOf(options.tls) },
      clusterIP: allocators.kubernetesServiceIP,
      intervalMs: options.endpointReconcileIntervalMs,
      clock,
      logger,
    });
    await kubernetesService.start();
    ready = true;
    logger.info({ url }, 'apiserver ready');
  }

  async function close(): Promise<void> {
    ready = false;
    await kubernetesService?.stop();
    watchCache?.stop();
    eventExpiry?.stop();
    const server = httpServer;
    httpServer = undefined;
    if (server) {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    }
    if (ownsStorage && storage) await storage.close();
  }

  return {
    get url() {
      return url;
    },
    metricsRegistry: options.metricsRegistry,
    get watchCache() {
      if (!watchCache) throw new Error('apiserver not started');
      return watchCache;
    },
    get storage() {
      if (!storage) throw new Error('apiserver not started');
      return storage;
    },
    allocators,
    get ready() {
      return ready && !!watchCache?.ready;
    },
    start() {
      started ??= start();
      return started;
    },
    async run(signal: AbortSignal) {
      await this.start();
      if (!signal.aborted)
        await new Promise<void>((done) => signal.addEventListener('abort', () => done(), { once: true }));
      await close();
    },
    close,
  };
}

async function openStorageUrl(url: string, storageOptions: OpenStorageOptions): Promise<Storage> {
  const { openStorage } = await import('./storage/index.js');
  return openStorage(url, storageOptions);
}

/** Kubernetes' reported verb: the HTTP method, except LIST, WATCH and APPLY (server-side apply). */
function metricVerb(verb: ResourceVerb, contentType: string | undefined): string {
  switch (verb) {
    case 'list':
    case 'watch':
      return verb.toUpperCase();
    case 'create':
      return 'POST';
    case 'update':
      return 'PUT';
    case 'patch':
      return contentType?.startsWith('application/apply-patch') ? 'APPLY' : 'PATCH';
    case 'get':
      return 'GET';
    default:
      return 'DELETE';
  }
}

/**
 * The request target as a URL. Appended to a fixed origin, never resolved against it: a target
 * such as `//host/…` must stay a path (and an unparsable one is a 400, not a thrown exception).
 */
function requestUrl(target: string | undefined): URL | undefined {
  const path = target ?? '/';
  try {
    return new URL(`http://apiserver${path.startsWith('/') ? '' : '/'}${path}`);
  } catch {
    return undefined;
  }
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
