// What every resource handler receives: the request, its parsed route, the negotiated response form,
// and the apiserver's shared parts (storage, watch cache, per-resource write paths).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/log.js';
import type { ResourceRequest } from '../http/request-info.js';
import type { ApiServerMetrics } from '../metrics.js';
import type { Negotiated } from '../negotiate.js';
import type { ResolvedOptions } from '../options.js';
import type { ResourceRest } from '../registry/rest.js';
import type { Storage } from '../storage/types.js';
import type { WatchCache } from '../watchcache/watch-cache.js';

export interface ServerCore {
  readonly options: ResolvedOptions;
  readonly storage: Storage;
  readonly watchCache: WatchCache;
  readonly rests: ReadonlyMap<string, ResourceRest>;
  readonly metrics: ApiServerMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly query: URLSearchParams;
  readonly info: ResourceRequest;
  readonly accept: Negotiated;
  readonly core: ServerCore;
}

export function restOf(ctx: RequestContext): ResourceRest {
  const rest = ctx.core.rests.get(ctx.info.resource.name);
  if (!rest) throw new Error(`no registry for ${ctx.info.resource.name}`);
  return rest;
}
