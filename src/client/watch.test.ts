import { describe, expect, it } from 'vitest';
import type { Pod, WatchEvent } from '../api/types.js';
import { isExpired } from './errors.js';
import { createClient } from './rest.js';
import { eventually } from './testing/eventually.js';
import { useFakeApiServer } from './testing/fixture.js';

function pod(name: string, labels: Record<string, string> = {}): Pod {
  return { metadata: { name, namespace: 'default', labels }, spec: { containers: [{ name: 'c' }] } };
}

const fx = useFakeApiServer();

const summary = (events: WatchEvent<Pod>[]) => events.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`);

describe('watch', () => {
  it('delivers exactly the changes after the given resourceVersion, in order, then live ones', async () => {
    fx.server.put('pods', pod('before'));
    const from = String(fx.server.revision());
    fx.server.put('pods', pod('a'));
    fx.server.put('pods', { ...pod('a'), metadata: { ...pod('a').metadata, labels: { v: '2' } } });
    const events: WatchEvent<Pod>[] = [];
    const w = fx.client.pods.watch({ namespace: 'default', resourceVersion: from }, (e) => events.push(e));
    await eventually(() => events.length).toBe(2);
    fx.server.remove('pods', 'default', 'a');
    await eventually(() => events.length).toBe(3);
    expect(summary(events)).toEqual(['ADDED a', 'MODIFIED a', 'DELETED a']);
    expect(fx.server.requests.at(-1)!.query.get('watch')).toBe('true');
    w.stop();
    const end = await w.done;
    expect(end.reason).toBe('stopped');
    expect(end.events).toBe(3);
    expect(end.resourceVersion).toBe(String(fx.server.revision()));
  });

  it('starts with synthetic ADDED events when no resourceVersion is given', async () => {
    fx.server.put('pods', pod('x'));
    fx.server.put('pods', pod('y'));
    const events: WatchEvent<Pod>[] = [];
    const w = fx.client.watch('pods', {}, (e) => events.push(e));
    await eventually(() => summary(events)).toEqual(['ADDED x', 'ADDED y']);
    w.stop();
    await w.done;
  });

  it('ends "closed" when the server closes the stream at timeoutSeconds', async () => {
    const w = fx.client.pods.watch(
      { timeoutSeconds: 1, resourceVersion: String(fx.server.revision()) },
      () => {},
    );
    const end = await w.done;
    expect(end.reason).toBe('closed');
    expect(fx.server.requests.at(-1)!.query.get('timeoutSeconds')).toBe('1');
  });

  it('ends "expired" with the Status when the server sends a 410 ERROR event', async () => {
    fx.server.put('pods', pod('a'));
    const old = '1';
    fx.server.compact();
    const handled: WatchEvent<Pod>[] = [];
    const end = await fx.client.pods.watch({ resourceVersion: old }, (e) => handled.push(e)).done;
    expect(end.reason).toBe('expired');
    if (end.reason !== 'expired') throw new Error('unreachable');
    expect(end.status.code).toBe(410);
    expect(end.status.reason).toBe('Expired');
    expect(handled).toEqual([]); // the ERROR event ends the watch; handlers never see it
  });

  it('ends "expired" when the server answers 410 before the stream starts', async () => {
    fx.server.failNext({ watch: true, code: 410, reason: 'Expired', message: 'too old' });
    const end = await fx.client.pods.watch({ resourceVersion: '5' }, () => {}).done;
    expect(end.reason).toBe('expired');
  });

  it('ends "error" with started=false and the ApiError when the watch cannot start', async () => {
    fx.server.failNext({ watch: true, code: 403, reason: 'Forbidden', message: 'no' });
    const end = await fx.client.pods.watch({}, () => {}).done;
    expect(end.reason).toBe('error');
    if (end.reason !== 'error') throw new Error('unreachable');
    expect(end.started).toBe(false);
    expect((end.error as Error).message).toBe('no');
    expect(isExpired(end.error)).toBe(false);
  });

  it('ends "error" with started=true when the connection breaks mid-stream', async () => {
    const w = fx.client.pods.watch({ resourceVersion: String(fx.server.revision()) }, () => {});
    await eventually(() => fx.server.openWatches()).toBe(1);
    fx.server.destroyWatches();
    const end = await w.done;
    expect(end.reason).toBe('error');
    if (end.reason !== 'error') throw new Error('unreachable');
    expect(end.started).toBe(true);
  });

  it('ends "error" with started=false when the server is unreachable', async () => {
    const unreachable = createClient({ server: 'http://127.0.0.1:1' });
    try {
      const end = await unreachable.pods.watch({}, () => {}).done;
      expect(end.reason).toBe('error');
      if (end.reason === 'error') expect(end.started).toBe(false);
    } finally {
      await unreachable.close();
    }
  });

  it('passes bookmarks to the handler and tracks their resourceVersion', async () => {
    const events: WatchEvent<Pod>[] = [];
    const w = fx.client.pods.watch(
      { allowWatchBookmarks: true, resourceVersion: String(fx.server.revision()) },
      (e) => events.push(e),
    );
    await eventually(() => fx.server.openWatches()).toBe(1);
    fx.server.put('nodes', { metadata: { name: 'n' } }); // advances the revision without a pod event
    fx.server.bookmark();
    await eventually(() => events.length).toBe(1);
    expect(events[0]!.type).toBe('BOOKMARK');
    expect(events[0]!.object.metadata.resourceVersion).toBe(String(fx.server.revision()));
    expect(fx.server.requests.at(-1)!.query.get('allowWatchBookmarks')).toBe('true');
    w.stop();
    expect((await w.done).resourceVersion).toBe(String(fx.server.revision()));
  });

  it('sends selectors and sees objects leave the selection as DELETED', async () => {
    const events: WatchEvent<Pod>[] = [];
    const w = fx.client.pods.watch(
      { namespace: 'default', labelSelector: 'app=web', fieldSelector: 'metadata.namespace=default' },
      (e) => events.push(e),
    );
    await eventually(() => fx.server.openWatches()).toBe(1);
    fx.server.put('pods', pod('other', { app: 'db' }));
    fx.server.put('pods', pod('w', { app: 'web' }));
    fx.server.put('pods', pod('w', { app: 'db' }));
    await eventually(() => summary(events)).toEqual(['ADDED w', 'DELETED w']);
    w.stop();
    await w.done;
  });

  it('stops through an AbortSignal, also one aborted before the start', async () => {
    const ac = new AbortController();
    const w = fx.client.pods.watch({ signal: ac.signal }, () => {});
    await eventually(() => fx.server.openWatches()).toBe(1);
    ac.abort();
    expect((await w.done).reason).toBe('stopped');
    const before = fx.server.requests.length;
    expect((await fx.client.pods.watch({ signal: ac.signal }, () => {}).done).reason).toBe('stopped');
    expect(fx.server.requests.length).toBe(before);
  });

  it('ends "error" when the handler throws, and stops delivering', async () => {
    fx.server.put('pods', pod('a'));
    fx.server.put('pods', pod('b'));
    let calls = 0;
    const end = await fx.client.pods.watch({}, () => {
      calls++;
      throw new Error('handler broke');
    }).done;
    expect(end.reason).toBe('error');
    if (end.reason === 'error') expect((end.error as Error).message).toBe('handler broke');
    expect(calls).toBe(1);
  });
});
