// GET …?watch=true (and /api/v1/watch/…): a chunked stream of newline-delimited watch events from the
// watch cache. Headers are flushed at once; the stream ends at timeoutSeconds (default: a random
// 30–60 min, as Kubernetes spreads reconnects) or when the client goes away.

import type { ServerResponse } from 'node:http';
import { ApiError, expired } from '../../api/errors.js';
import { checkFieldSelector } from '../../api/fields.js';
import { parseListQuery, parseResourceVersion } from '../http/query.js';
import { isTrue } from '../http/request-info.js';
import { toTable } from '../table.js';
import type { CachedObject } from '../watchcache/cached-object.js';
import { jsonFormat, type WatchFormat } from '../watchcache/event.js';
import type { ObjectFilter } from '../watchcache/filter.js';
import { bookmarkBytes } from '../watchcache/watch-cache.js';
import { Watcher, type WatchSink } from '../watchcache/watcher.js';
import { indexKeyOf } from '../watchcache/watcher-index.js';
import type { RequestContext } from './context.js';

export async function handleWatch(ctx: RequestContext): Promise<void> {
  const { info, core, res, req } = ctx;
  const query = parseListQuery(ctx.query);
  checkFieldSelector(info.resource.name, query.fieldSelector);
  const filter: ObjectFilter = {
    namespace: info.namespace,
    name: info.name,
    labelSelector: query.labelSelector,
    fieldSelector: query.fieldSelector,
  };
  const cache = core.watchCache;
  let from: number | undefined;
  if (query.resourceVersion === undefined) {
    try {
      await cache.waitUntilFresh();
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'Timeout')) throw e;
    }
  } else if (query.resourceVersion !== '0') {
    from = parseResourceVersion(query.resourceVersion);
    if (from > cache.revision) await cache.waitForRevision(from);
  }
  if (req.destroyed) return;

  const resourceCache = cache.cache(info.resource.name);
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache',
  });
  res.flushHeaders();
  const watcher = new Watcher(
    {
      resource: info.resource.name,
      filter,
      format: formatFor(ctx),
      allowBookmarks: query.allowWatchBookmarks,
      maxBufferBytes: core.options.maxWatcherBufferBytes,
      indexKey: indexKeyOf(info.resource.name, filter),
    },
    watchSink(res),
  );
  if (!resourceCache.addWatcher(watcher, from, cache.revision)) {
    const status = expired(
      `too old resource version: ${from} (${resourceCache.ring.oldestResumableRevision})`,
    ).toStatus();
    res.end(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
    return;
  }
  if (from === undefined && query.allowWatchBookmarks && isTrue(ctx.query.get('sendInitialEvents'))) {
    watcher.write(
      bookmarkBytes(info.resource, cache.bookmarkRevision(watcher), { 'k8s.io/initial-events-end': 'true' }),
      core.clock.now(),
    );
  }
  const timeoutMs =
    query.timeoutSeconds !== undefined && query.timeoutSeconds > 0
      ? query.timeoutSeconds * 1000
      : core.options.minWatchTimeoutMs * (1 + Math.random());
  // A watch that ends on its timeout first tells bookmark-aware clients how far it got, so they resume
  // from there without a relist (Kubernetes sends the same end-of-watch bookmark).
  const timer = core.clock.setTimeout(() => {
    if (query.allowWatchBookmarks)
      watcher.write(bookmarkBytes(info.resource, cache.bookmarkRevision(watcher)), core.clock.now());
    watcher.close('timeout');
  }, timeoutMs);
  const onGone = () => watcher.close('client');
  res.on('close', onGone);
  watcher.onClose(() => {
    timer.cancel();
    res.off('close', onGone);
  });
}

/**
 * The watch stream's sink. Once the chunked head is out, the cache's pre-framed chunks go straight to
 * the socket: one write per event and watcher, no per-watcher framing, and res.end() still writes
 * the terminating chunk after them. Anything else (a HEAD request, whose body Node drops) goes
 * through the response as bare JSON lines.
 */
export function watchSink(res: ServerResponse): WatchSink {
  const socket = res.socket;
  if (!res.chunkedEncoding || socket === null || res.req.method === 'HEAD') {
    return {
      write: (event) => void res.write(event.line),
      get writableLength() {
        return res.writableLength;
      },
      end: () => res.end(),
      destroy: () => res.destroy(),
    };
  }
  return {
    write: (event) => void socket.write(event.chunk),
    get writableLength() {
      return socket.writableLength;
    },
    cork: () => socket.cork(),
    uncork: () => socket.uncork(),
    end: () => res.end(),
    destroy: () => res.destroy(),
  };
}

function formatFor(ctx: RequestContext): WatchFormat {
  const { accept, info, core } = ctx;
  if (!accept.table) return jsonFormat;
  const includeObject = accept.tableIncludeObject;
  return {
    key: `table:${includeObject}`,
    encode: (object: CachedObject) =>
      JSON.stringify(
        toTable(info.resource.name, [object.object], {
          nowMs: core.clock.now(),
          includeObject,
          resourceVersion: String(object.revision),
        }),
      ),
  };
}
