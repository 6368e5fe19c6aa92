import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runStorageConformance } from '../conformance.js';
import { bytes, text } from '../conformance-support.js';
import { openEmbeddedStorage } from './embedded-store.js';

function tempStore(writerThread: boolean) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelite-embedded-'));
    const remove = () => rmSync(dir, { recursive: true, force: true });
    const store = await openEmbeddedStorage({ dir, writerThread, replayChunk: 256 }).catch((err: unknown) => {
      remove();
      throw err;
    });
    return {
      store,
      cleanup: () => store.close().finally(remove),
    };
  };
}

runStorageConformance('embedded (writer thread)', tempStore(true));
runStorageConformance('embedded (inline writer)', tempStore(false));

describe('embedded storage on disk', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubelite-embedded-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('never reuses a revision, even when compaction removed the newest rows', async () => {
    const dir = tempDir();
    const first = await openEmbeddedStorage({ dir });
    const created = await first.create('/registry/pods/ns/a', bytes('a'));
    const deleted = await first.delete('/registry/pods/ns/a');
    if (!created.ok || !deleted.ok) throw new Error('writes failed');
    // The tombstone is the newest row, and compaction removes it.
    await first.compact(deleted.revision);
    await first.close();
    const again = await openEmbeddedStorage({ dir, writerThread: false });
    expect(await again.currentRevision()).toBe(deleted.revision);
    expect(await again.compactedRevision()).toBe(deleted.revision);
    const next = await again.create('/registry/pods/ns/a', bytes('b'));
    expect(next.ok && next.revision).toBe(deleted.revision + 1);
    await again.close();
  });

  it('refuses a second open of a directory that is in use', async () => {
    const dir = tempDir();
    const store = await openEmbeddedStorage({ dir, writerThread: false });
    await expect(openEmbeddedStorage({ dir })).rejects.toMatchObject({ code: 'Unavailable' });
    await store.close();
    const reopened = await openEmbeddedStorage({ dir, writerThread: false });
    await reopened.close();
  });

  it('compacts a long history in steps while writes go on', async () => {
    const dir = tempDir();
    const store = await openEmbeddedStorage({ dir, compactStepRevisions: 100 });
    try {
      const revisions = new Map<string, number>();
      for (let round = 0; round < 10; round++) {
        await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            const key = `/registry/pods/ns/k${i}`;
            const previous = revisions.get(key);
            const r =
              previous === undefined
                ? await store.create(key, bytes(`${round}`))
                : await store.update(key, bytes(`${round}`), previous);
            if (!r.ok) throw new Error(`write ${key} failed`);
            revisions.set(key, r.revision);
          }),
        );
      }
      const target = await store.currentRevision();
      const compaction = store.compact(target);
      const during = await store.update(
        '/registry/pods/ns/k0',
        bytes('during'),
        revisions.get('/registry/pods/ns/k0')!,
      );
      await compaction;
      expect(during.ok).toBe(true);
      const listed = await store.list('/registry/pods/');
      expect(listed.items).toHaveLength(50);
      expect(listed.items.filter((kv) => text(kv.value) === '9')).toHaveLength(49);
      expect(text((await store.get('/registry/pods/ns/k0'))!.value)).toBe('during');
      expect(
        (await store.list('/registry/pods/', { revision: target })).items.every(
          (kv) => text(kv.value) === '9',
        ),
      ).toBe(true);
      await expect(store.list('/registry/pods/', { revision: target - 1 })).rejects.toMatchObject({
        code: 'Expired',
      });
    } finally {
      await store.close();
    }
  });
});
