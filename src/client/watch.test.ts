import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pod, WatchEvent } from '../api/types.js';
import { isExpired } from './errors.js';
import { createClient, type KubeClient } from './rest.js';
import { eventually } from './testing/eventually.js';
import { type FakeApiServer, startFakeApiServer } from './testing/fake-apiserver.js';

function pod(name: string, labels: Record<string, string> = {}): Pod {
  return { metadata: { name, namespace: 'default', labels }, spec: { containers: [{ name: 'c' }] } };
}

let server: FakeApiServer;
let client: KubeClient;

beforeEach(async () => {
  server = await startFakeApiServer();
  client = createClient({ server: server.url });
});

afterEach(async () => {
  await client.close();
  await server.close();
});

const summary = (events: WatchEvent<Pod>[]) => events.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`);

describe('watch', () => {
  it('delivers exactly the changes after the given resourceVersion, in order, then live ones', async () => {
    server.put('pods', pod('before'));
    const from = String(server.revision());
    server.put('pods', pod('a'));
    server.put('pods', { ...pod('a'), metadata: { ...pod('a').metadata, labels: { v: '2' } } });
    const events: WatchEvent<Pod>[] = [];
    const w = client.pods.watch({ namespace: 'default', resourceVersion: from }, (e) => events.push(e));
    await eventually(() => events.length).toBe(2);
    server.remove('pods', 'default', 'a');
    await eventually(() => events.length).toBe(3);
    expect(summary(events)).toEqual(['ADDED a', 'MODIFIED a', 'DELETED a']);
    expect(server.requests.at(-1)!.query.get('watch')).toBe('true');
    w.stop();
    const end = await w.done;
    expect(end.reason).toBe('stopped');
    expect(end.events).toBe(3);
    expect(end.resourceVersion).toBe(String(server.revision()));
  });

  it('starts with synthetic ADDED events when no resourceVersion is given', async () => {
    server.put('pods', pod('x'));
    server.put('pods', pod('y'));
    const events: WatchEvent<Pod>[] = [];
    const w = client.watch('pods', {}, (e) => events.push(e));
    await eventually(() => summary(events)).toEqual(['ADDED x', 'ADDED y']);
    w.stop();
    await w.done;
  });

  it('ends "closed" when the server closes the stream at timeoutSeconds', async () => {
    const w = client.pods.watch({ timeoutSeconds: 1, resourceVersion: String(server.revision()) }, () => {});
    const end = await w.done;
    expect(end.reason).toBe('closed');
    expect(server.requests.at(-1)!.query.get('timeoutSeconds')).toBe('1');
  });

  it('ends "expired" with the Status when the server sends a 410 ERROR event', async () => {
    server.put('pods', pod('a'));
    const old = '1';
    server.compact();
    const handled: WatchEvent<Pod>[] = [];
    const end = await client.pods.watch({ resourceVersion: old }, (e) => handled.push(e)).done;
    expect(end.reason).toBe('expired');
    if (end.reason !== 'expired') throw new Error('unreachable');
    expect(end.status.code).toBe(410);
    expect(end.status.reason).toBe('Expired');
    expect(handled).toEqual([]); // the ERROR event ends the watch; handlers never see it
  });

  it('ends "expired" when the server answers 410 before the stream starts', async () => {
    server.failNext({ watch: true, code: 410, reason: 'Expired', message: 'too old' });
    const end = await client.pods.watch({ resourceVersion: '5' }, () => {}).done;
    expect(end.reason).toBe('expired');
  });

  it('ends "error" with started=false and the ApiError when the watch cannot start', async () => {
    server.failNext({ watch: true, code: 403, reason: 'Forbidden', message: 'no' });
    const end = await client.pods.watch({}, () => {}).done;
    expect(end.reason).toBe('error');
    if (end.reason !== 'error') throw new Error('unreachable');
    expect(end.started).toBe(false);
    expect((end.error as Error).message).toBe('no');
    expect(isExpired(end.error)).toBe(false);
  });

  it('ends "error" with started=true when the connection breaks mid-stream', async () => {
    const w = client.pods.watch({ resourceVersion: String(server.revision()) }, () => {});
    await eventually(() => server.openWatches()).toBe(1);
    server.destroyWatches();
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
    const w = client.pods.watch(
      { allowWatchBookmarks: true, resourceVersion: String(server.revision()) },
      (e) => events.push(e),
    );
    await eventually(() => server.openWatches()).toBe(1);
    server.put('nodes', { metadata: { name: 'n' } }); // advances the revision without a pod event
    server.bookmark();
    await eventually(() => events.length).toBe(1);
    expect(events[0]!.type).toBe('BOOKMARK');
    expect(events[0]!.object.metadata.resourceVersion).toBe(String(server.revision()));
    expect(server.requests.at(-1)!.query.get('allowWatchBookmarks')).toBe('true');
    w.stop();
    expect((await w.done).resourceVersion).toBe(String(server.revision()));
  });

  it('sends selectors and sees objects leave the selection as DELETED', async () => {
    const events: WatchEvent<Pod>[] = [];
    const w = client.pods.watch(
      { namespace: 'default', labelSelector: 'app=web', fieldSelector: 'metadata.namespace=default' },
      (e) => events.push(e),
    );
    await eventually(() => server.openWatches()).toBe(1);
    server.put('pods', pod('other', { app: 'db' }));
    server.put('pods', pod('w', { app: 'web' }));
    server.put('pods', pod('w', { app: 'db' }));
    await eventually(() => summary(events)).toEqual(['ADDED w', 'DELETED w']);
    w.stop();
    await w.done;
  });

  it('stops through an AbortSignal, also one aborted before the start', async () => {
    const ac = new AbortController();
    const w = client.pods.watch({ signal: ac.signal }, () => {});
    await eventually(() => server.openWatches()).toBe(1);
    ac.abort();
    expect((await w.done).reason).toBe('stopped');
    const before = server.requests.length;
    expect((await client.pods.watch({ signal: ac.signal }, () => {}).done).reason).toBe('stopped');
    expect(server.requests.length).toBe(before);
  });

  it('ends "error" when the handler throws, and stops delivering', async () => {
    server.put('pods', pod('a'));
    server.put('pods', pod('b'));
    let calls = 0;
    const end = await client.pods.watch({}, () => {
      calls++;
      throw new Error('handler broke');
    }).done;
    expect(end.reason).toBe('error');
    if (end.reason === 'error') expect((end.error as Error).message).toBe('handler broke');
    expect(calls).toBe(1);
  });
});
