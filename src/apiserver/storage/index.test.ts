import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStorageError, openStorage, parseStorageUrl } from './index.js';

describe('parseStorageUrl', () => {
  it('reads embedded, bare-path, etcd and memory URLs', () => {
    expect(parseStorageUrl('embedded:///var/lib/kubelite')).toEqual({
      kind: 'embedded',
      dir: '/var/lib/kubelite',
    });
    expect(parseStorageUrl('embedded://./data')).toEqual({ kind: 'embedded', dir: './data' });
    expect(parseStorageUrl('/srv/state')).toEqual({ kind: 'embedded', dir: '/srv/state' });
    expect(parseStorageUrl('data/state')).toEqual({ kind: 'embedded', dir: 'data/state' });
    expect(parseStorageUrl('etcd://127.0.0.1:2379,127.0.0.1:22379')).toEqual({
      kind: 'etcd',
      endpoints: ['127.0.0.1:2379', '127.0.0.1:22379'],
      prefix: '',
    });
    expect(parseStorageUrl('etcd://localhost:2379/tenant-a/')).toEqual({
      kind: 'etcd',
      endpoints: ['localhost:2379'],
      prefix: '/tenant-a',
    });
    expect(parseStorageUrl('memory://')).toEqual({ kind: 'memory' });
  });

  it('rejects unknown schemes and malformed URLs, naming the supported ones', () => {
    for (const bad of ['redis://127.0.0.1:6379', 'etcd://', 'etcd://127.0.0.1', 'embedded://', '']) {
      let caught: unknown;
      try {
        parseStorageUrl(bad);
      } catch (err) {
        caught = err;
      }
      expect(isStorageError(caught, 'InvalidArgument'), bad).toBe(true);
      expect((caught as Error).message).toContain('embedded:///path/to/dir');
      expect((caught as Error).message).toContain('etcd://host:port');
    }
    expect(() => parseStorageUrl('redis://x:1')).toThrow(/scheme "redis" is not supported/);
  });
});

describe('openStorage', () => {
  it('opens an embedded store that keeps its data across reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelite-open-'));
    try {
      const first = await openStorage(`embedded://${dir}`);
      const created = await first.create('/registry/pods/ns/a', new TextEncoder().encode('a'));
      await first.close();
      const again = await openStorage(dir, { embedded: { writerThread: false } });
      const kv = await again.get('/registry/pods/ns/a');
      expect(created.ok && kv?.modRevision === created.revision).toBe(true);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens a memory store', async () => {
    const store = await openStorage('memory://');
    expect(await store.currentRevision()).toBe(0);
    await store.close();
  });
});
