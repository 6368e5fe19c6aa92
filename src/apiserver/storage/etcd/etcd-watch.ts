// One Storage watch on etcd. etcd3's Watcher reconnects by itself, but resumes from the revision in
// the last response header, which can skip events of a watcher that was still catching up; so this
// watch resumes from the last revision it delivered and drops anything at or below it.
import type { Etcd3, IEvent, IWatchResponse, Watcher } from 'etcd3';
import { deleteEvent, putEvent } from '../events.js';
import { StorageError, type StorageEvent, type StorageWatch, type WatchHandlers } from '../types.js';
import type { EtcdKeys } from './etcd-keys.js';

const empty = new Uint8Array(0);

export interface EtcdWatchContext {
  client: Etcd3;
  keys: EtcdKeys;
  /** Whether history at `revision` is gone (so a watch from it must end as Expired). */
  isCompacted(revision: number): Promise<boolean>;
}

export interface OpenWatch extends StorageWatch {
  /** Ends the watch with `error` (the store is closing). */
  end(error: Error): void;
}

export async function openEtcdWatch(
  ctx: EtcdWatchContext,
  prefix: string,
  fromRevision: number,
  handlers: WatchHandlers,
  onEnded: (watch: OpenWatch) => void,
): Promise<OpenWatch> {
  // Listeners go on before the watch is connected: its first events may follow the creation at once.
  const watcher: Watcher = ctx.client
    .watch()
    .inRange(ctx.keys.range(prefix))
    .startRevision(String(fromRevision + 1))
    .withPreviousKV()
    .watcher();
  let delivered = fromRevision;
  let ended = false;

  const end = (error: Error | undefined) => {
    if (ended) return;
    ended = true;
    watcher.removeAllListeners('data');
    watcher.cancel().catch(() => undefined);
    onEnded(handle);
    if (error) {
      try {
        handlers.onError(error);
      } catch {
        // handlers must not throw
      }
    }
  };
  const handle: OpenWatch = { close: () => end(undefined), end };

  watcher.on('data', (res: IWatchResponse) => {
    if (ended || res.events.length === 0) return;
    // All events of one revision arrive in one response, so everything above `floor` is new.
    const floor = delivered;
    const events: StorageEvent[] = [];
    for (const ev of res.events) {
      const revision = Number(ev.kv.mod_revision);
      if (revision <= floor) continue;
      events.push(toEvent(ctx.keys.name(ev.kv.key), revision, ev));
      delivered = Math.max(delivered, revision);
    }
    if (events.length === 0) return;
    try {
      handlers.onEvents(events);
    } catch (err) {
      end(err instanceof Error ? err : new Error(String(err)));
    }
  });
  watcher.on('disconnected', () => {
    // Resume exactly after what was delivered (the client would use the last header revision).
    watcher.request.start_revision = String(delivered + 1);
  });
  const failure = async (err: Error, at: number): Promise<Error> => {
    const compacted = await ctx.isCompacted(at).catch(() => false);
    if (compacted)
      return new StorageError('Expired', `watch cannot continue after revision ${at}: compacted`);
    return new StorageError('Unavailable', `watch ended: ${err.message}`);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      watcher.once('connected', () => resolve());
      watcher.once('error', reject);
    });
  } catch (err) {
    ended = true;
    watcher.cancel().catch(() => undefined);
    throw await failure(err as Error, fromRevision);
  }
  watcher.removeAllListeners('error');
  watcher.on('error', (err: Error) => {
    if (!ended) void failure(err, delivered).then(end);
  });
  return handle;
}

function toEvent(key: string, revision: number, ev: IEvent): StorageEvent {
  const p = ev.prev_kv;
  const prev = p ? { value: p.value, modRevision: Number(p.mod_revision) } : undefined;
  if (ev.type === 'Delete') {
    return deleteEvent(
      key,
      revision,
      p ? Number(p.create_revision) : 0,
      prev ?? { value: empty, modRevision: 0 },
    );
  }
  const created = ev.kv.version === '1';
  return putEvent(key, revision, Number(ev.kv.create_revision), ev.kv.value, created ? undefined : prev);
}
