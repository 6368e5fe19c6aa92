// One watch request: `GET <collection>?watch=true&resourceVersion=…`, decoded as it streams, handed
// to the handler event by event. It ends once, for one stated reason: the server closed the stream
// (timeoutSeconds), the caller stopped it, the server said 410 Expired, or something failed.
import type { ResourceInfo } from '../api/resources.js';
import type { Status, WatchEvent } from '../api/types.js';
import { apiErrorFromStatus, isExpired, isStatus } from './errors.js';
import { resourcePath, withQuery } from './paths.js';
import type { Transport } from './transport.js';
import { WatchDecoder } from './watch-decoder.js';

export interface WatchOptions {
  /** Namespaced resources only; omitted = all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this version; unset or "0" = synthetic ADDED events for current objects first. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** The server closes the stream after this long (a normal end: reason "closed"). */
  timeoutSeconds?: number;
  /** Aborting stops the watch like stop(). */
  signal?: AbortSignal;
}

/** Receives ADDED, MODIFIED, DELETED and BOOKMARK events; an ERROR event ends the watch instead. */
export type WatchHandler<T> = (event: WatchEvent<T>) => void;

interface WatchEndCommon {
  /** Events handed to the handler. */
  events: number;
  /** The last resourceVersion seen (events and bookmarks), or the one the watch started from. */
  resourceVersion: string;
}

export type WatchEndReason =
  | { reason: 'closed' }
  | { reason: 'stopped' }
  | { reason: 'expired'; status: Status }
  | {
      reason: 'error';
      error: unknown;
      /** false: the request itself failed (no 2xx); true: the stream broke after it started. */
      started: boolean;
    };

export type WatchEnd = WatchEndCommon & WatchEndReason;

export interface Watch {
  /** Ends the watch (idempotent); `done` then resolves with reason "stopped". */
  stop(): void;
  readonly done: Promise<WatchEnd>;
}

export function startWatch<T>(
  transport: Transport,
  info: ResourceInfo,
  options: WatchOptions,
  handler: WatchHandler<T>,
): Watch {
  const abort = new AbortController();
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    abort.abort();
  };
  const external = options.signal;
  if (external?.aborted) stop();
  else external?.addEventListener('abort', stop, { once: true });

  const path = withQuery(resourcePath(info, options.namespace), {
    watch: 'true',
    resourceVersion: options.resourceVersion,
    allowWatchBookmarks: options.allowWatchBookmarks ? 'true' : undefined,
    timeoutSeconds: options.timeoutSeconds,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
  });

  async function run(): Promise<WatchEnd> {
    let events = 0;
    let resourceVersion = options.resourceVersion ?? '';
    const end = (why: WatchEndReason): WatchEnd => ({ ...why, events, resourceVersion });

    if (stopped) return end({ reason: 'stopped' });
    let response: Awaited<ReturnType<Transport['send']>>;
    try {
      response = await transport.send('GET', path, {
        signal: abort.signal,
        stream: true,
        idleTimeoutMs: options.allowWatchBookmarks ? transport.watchIdleTimeoutMs : 0,
      });
    } catch (error) {
      if (stopped) return end({ reason: 'stopped' });
      if (isExpired(error)) return end({ reason: 'expired', status: error.toStatus() });
      return end({ reason: 'error', error, started: false });
    }
    const body = response.body;
    return new Promise<WatchEnd>((resolve) => {
      let settled = false;
      const finish = (result: WatchEnd): void => {
        if (settled) return;
        settled = true;
        if (!body.destroyed) body.destroy();
        resolve(result);
      };
      const decoder = new WatchDecoder<WatchEvent<T>>((event) => {
        if (settled || stopped) return;
        if (event.type === 'ERROR') {
          const status = isStatus(event.object) ? event.object : undefined;
          const error = apiErrorFromStatus(status ?? { message: JSON.stringify(event.object) });
          finish(
            error.httpCode === 410
              ? end({ reason: 'expired', status: error.toStatus() })
              : end({ reason: 'error', error, started: true }),
          );
          return;
        }
        const version = (event.object as { metadata?: { resourceVersion?: string } } | undefined)?.metadata
          ?.resourceVersion;
        if (version) resourceVersion = version;
        events++;
        handler(event);
      });
      body.on('data', (chunk: Buffer) => {
        if (settled) return;
        try {
          decoder.write(chunk);
        } catch (error) {
          finish(stopped ? end({ reason: 'stopped' }) : end({ reason: 'error', error, started: true }));
        }
      });
      body.on('end', () => {
        try {
          decoder.end();
        } catch (error) {
          finish(end({ reason: 'error', error, started: true }));
          return;
        }
        finish(end({ reason: stopped ? 'stopped' : 'closed' }));
      });
      const broken = (error?: unknown): void =>
        finish(
          stopped
            ? end({ reason: 'stopped' })
            : end({ reason: 'error', error: error ?? new Error('watch stream closed'), started: true }),
        );
      body.on('error', broken);
      body.on('close', () => broken());
    });
  }

  const done = run().finally(() => external?.removeEventListener('abort', stop));
  return { stop, done };
}
