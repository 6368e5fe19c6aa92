// The Storage conformance suite: one vitest suite that every implementation runs, one test per
// promise of the contract in types.ts. Each test gets a fresh store from `newStore` and makes only
// relative assumptions about revisions (a shared etcd has global revisions), so the same cases run
// against memory, embedded and etcd.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bytes,
  EventCollector,
  type EventSummary,
  mapConcurrent,
  pseudoRandomBytes,
  sameBytes,
  summarize,
  text,
} from './conformance-support.js';
import { isStorageError, type Storage, type StorageWatch } from './types.js';

export interface StoreUnderTest {
  store: Storage;
  cleanup(): Promise<void>;
}

const P = '/registry/pods/';

function summary(
  type: 'put' | 'delete',
  name: string,
  revision: number,
  value: string,
  createRevision: number,
  prevValue?: string,
  prevModRevision?: number,
): EventSummary {
  return { type, key: `${P}ns/${name}`, revision, value, createRevision, prevValue, prevModRevision };
}

/** What a watch of P delivers for the writes of `history()`, given their revisions. */
function historyEvents(revs: number[]): EventSummary[] {
  const [a1, b1, a2, , bDel, c1, b2, c2, aDel] = revs as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return [
    summary('put', 'a', a1, 'a1', a1),
    summary('put', 'b', b1, 'b1', b1),
    summary('put', 'a', a2, 'a2', a1, 'a1', a1),
    summary('delete', 'b', bDel, 'b1', b1, 'b1', b1),
    summary('put', 'c', c1, 'c1', c1),
    summary('put', 'b', b2, 'b2', b2),
    summary('put', 'c', c2, 'c2', c1, 'c1', c1),
    summary('delete', 'a', aDel, 'a2', a1, 'a2', a2),
  ];
}

export function runStorageConformance(name: string, newStore: () => Promise<StoreUnderTest>): void {
  describe(`Storage conformance: ${name}`, () => {
    let s: Storage;
    let cleanup: (() => Promise<void>) | undefined;
    const watches: StorageWatch[] = [];

    beforeEach(async () => {
      const made = await newStore();
      s = made.store;
      cleanup = made.cleanup;
    });

    afterEach(async () => {
      for (const w of watches.splice(0)) w.close();
      await cleanup?.();
      cleanup = undefined;
    });

    async function watch(prefix: string, from: number): Promise<EventCollector> {
      const c = new EventCollector();
      watches.push(await s.watch(prefix, from, c));
      return c;
    }

    async function created(key: string, value: string): Promise<number> {
      const r = await s.create(key, bytes(value));
      if (!r.ok) throw new Error(`create ${key}: ${r.reason}`);
      return r.revision;
    }

    async function updated(key: string, value: string, expected: number): Promise<number> {
      const r = await s.update(key, bytes(value), expected);
      if (!r.ok) throw new Error(`update ${key}: ${r.reason}`);
      return r.revision;
    }

    async function deleted(key: string): Promise<number> {
      const r = await s.delete(key);
      if (!r.ok) throw new Error(`delete ${key}: ${r.reason}`);
      return r.revision;
    }

    async function expectStorageError(p: Promise<unknown>, code: string): Promise<void> {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, `expected StorageError ${code}`).toBeDefined();
      expect(isStorageError(err), String(err)).toBe(true);
      expect((err as { code: string }).code).toBe(code);
    }

    /** Makes a varied history under P (creates, updates, deletes, a recreate, a write outside P). */
    async function history(): Promise<number[]> {
      const revs: number[] = [];
      revs.push(await created(`${P}ns/a`, 'a1'));
      revs.push(await created(`${P}ns/b`, 'b1'));
      revs.push(await updated(`${P}ns/a`, 'a2', revs[0]!));
      revs.push(await created('/registry/services/ns/s', 's1'));
      revs.push(await deleted(`${P}ns/b`));
      revs.push(await created(`${P}ns/c`, 'c1'));
      revs.push(await created(`${P}ns/b`, 'b2'));
      revs.push(await updated(`${P}ns/c`, 'c2', revs[5]!));
      revs.push(await deleted(`${P}ns/a`));
      return revs;
    }

    it('gives every write a global revision greater than any before it', async () => {
      const r0 = await s.currentRevision();
      expect(Number.isSafeInteger(r0) && r0 >= 0).toBe(true);
      const a = await created(`${P}ns/a`, '1');
      const b = await created('/registry/services/ns/b', '1');
      const c = await updated(`${P}ns/a`, '2', a);
      const d = await deleted('/registry/services/ns/b');
      const e = await created(`${P}ns/b`, '1');
      expect(r0).toBeLessThan(a);
      expect([a, b, c, d, e]).toEqual([a, b, c, d, e].sort((x, y) => x - y));
      expect(new Set([a, b, c, d, e]).size).toBe(5);
      expect(await s.currentRevision()).toBe(e);
      const kv = await s.get(`${P}ns/a`);
      expect(kv).toMatchObject({ key: `${P}ns/a`, createRevision: a, modRevision: c });
      expect(text(kv!.value)).toBe('2');
    });

    it('create is create-if-absent: an existing key is returned, not replaced', async () => {
      const first = await created(`${P}ns/x`, 'first');
      const again = await s.create(`${P}ns/x`, bytes('second'));
      expect(again.ok).toBe(false);
      if (again.ok || again.reason !== 'exists')
        throw new Error(`expected exists, got ${JSON.stringify(again)}`);
      expect(again.current).toMatchObject({ key: `${P}ns/x`, createRevision: first, modRevision: first });
      expect(text(again.current.value)).toBe('first');
      expect(text((await s.get(`${P}ns/x`))!.value)).toBe('first');
      await deleted(`${P}ns/x`);
      const recreated = await created(`${P}ns/x`, 'third');
      expect(await s.get(`${P}ns/x`)).toMatchObject({ createRevision: recreated, modRevision: recreated });
    });

    it('update is compare-and-swap on modRevision', async () => {
      expect(await s.update(`${P}ns/none`, bytes('v'), 1)).toEqual({ ok: false, reason: 'notFound' });
      const c = await created(`${P}ns/x`, 'v1');
      const stale = await s.update(`${P}ns/x`, bytes('nope'), c + 1000);
      if (stale.ok || stale.reason !== 'conflict')
        throw new Error(`expected conflict, got ${JSON.stringify(stale)}`);
      expect(stale.current).toMatchObject({ createRevision: c, modRevision: c });
      expect(text(stale.current.value)).toBe('v1');
      const u = await updated(`${P}ns/x`, 'v2', c);
      expect(u).toBeGreaterThan(c);
      expect(await s.get(`${P}ns/x`)).toMatchObject({ createRevision: c, modRevision: u });
      const again = await s.update(`${P}ns/x`, bytes('v3'), c);
      if (again.ok || again.reason !== 'conflict')
        throw new Error('a second update from the same revision must conflict');
      expect(again.current.modRevision).toBe(u);
      expect(text(again.current.value)).toBe('v2');
      await deleted(`${P}ns/x`);
      expect(await s.update(`${P}ns/x`, bytes('v4'), u)).toEqual({ ok: false, reason: 'notFound' });
    });

    it('delete is compare-and-swap when given a revision, and returns what it deleted', async () => {
      expect(await s.delete(`${P}ns/none`)).toEqual({ ok: false, reason: 'notFound' });
      expect(await s.delete(`${P}ns/none`, 5)).toEqual({ ok: false, reason: 'notFound' });
      const c = await created(`${P}ns/x`, 'v1');
      const wrong = await s.delete(`${P}ns/x`, c + 1000);
      if (wrong.ok || wrong.reason !== 'conflict')
        throw new Error(`expected conflict, got ${JSON.stringify(wrong)}`);
      expect(wrong.current).toMatchObject({ modRevision: c });
      expect(await s.get(`${P}ns/x`)).toBeDefined();
      const d = await s.delete(`${P}ns/x`, c);
      if (!d.ok) throw new Error(`delete failed: ${d.reason}`);
      expect(d.revision).toBeGreaterThan(c);
      expect(d.prev).toMatchObject({ key: `${P}ns/x`, createRevision: c, modRevision: c });
      expect(text(d.prev.value)).toBe('v1');
      expect(await s.get(`${P}ns/x`)).toBeUndefined();
      expect(await s.delete(`${P}ns/x`)).toEqual({ ok: false, reason: 'notFound' });
      const c2 = await created(`${P}ns/y`, 'y');
      const u = await s.delete(`${P}ns/y`);
      expect(u.ok && u.prev.modRevision === c2 && text(u.prev.value) === 'y').toBe(true);
    });

    it('stores values as opaque bytes, including empty and binary ones', async () => {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await s.create(`${P}ns/binary`, all);
      await s.create(`${P}ns/empty`, new Uint8Array(0));
      expect(sameBytes((await s.get(`${P}ns/binary`))!.value, all)).toBe(true);
      const empty = await s.get(`${P}ns/empty`);
      expect(empty).toBeDefined();
      expect(empty!.value.byteLength).toBe(0);
      expect(await s.get(`${P}ns/missing`)).toBeUndefined();
      // The store must not keep a reference to the caller's buffer.
      const mutable = bytes('abc');
      await s.create(`${P}ns/copied`, mutable);
      mutable[0] = 0x7a;
      expect(text((await s.get(`${P}ns/copied`))!.value)).toBe('abc');
    });

    it('lists exactly the keys under a prefix, in key order', async () => {
      const keys = [
        '/registry/pods/b/w',
        '/registry/pods/a/y',
        '/registry/pods/ab/z',
        '/registry/pods/a/x',
        '/registry/podsx/a/q',
        '/registry/services/a/s',
      ];
      const revs = new Map<string, number>();
      for (const k of keys) revs.set(k, await created(k, `v:${k}`));
      const current = await s.currentRevision();
      const inA = await s.list('/registry/pods/a/');
      expect(inA.items.map((kv) => kv.key)).toEqual(['/registry/pods/a/x', '/registry/pods/a/y']);
      expect(inA.revision).toBe(current);
      for (const kv of inA.items) {
        expect(kv.modRevision).toBe(revs.get(kv.key));
        expect(kv.createRevision).toBe(revs.get(kv.key));
        expect(text(kv.value)).toBe(`v:${kv.key}`);
      }
      expect((await s.list('/registry/pods/')).items.map((kv) => kv.key)).toEqual([
        '/registry/pods/a/x',
        '/registry/pods/a/y',
        '/registry/pods/ab/z',
        '/registry/pods/b/w',
      ]);
      expect((await s.list('/registry/')).items.map((kv) => kv.key)).toEqual([...keys].sort());
      expect((await s.list('/registry/nothing/')).items).toEqual([]);
    });

    it('lists the state as of an older revision', async () => {
      const [a1, b1, a2, , bDel, c1, b2, c2, aDel] = await history();
      const at = async (rev: number) => {
        const r = await s.list(P, { revision: rev });
        expect(r.revision).toBe(rev);
        return r.items.map(
          (kv) => `${kv.key.slice(P.length)}=${text(kv.value)}@${kv.createRevision}/${kv.modRevision}`,
        );
      };
      expect(await at(a1! - 1)).toEqual([]);
      expect(await at(b1!)).toEqual([`ns/a=a1@${a1}/${a1}`, `ns/b=b1@${b1}/${b1}`]);
      expect(await at(a2!)).toEqual([`ns/a=a2@${a1}/${a2}`, `ns/b=b1@${b1}/${b1}`]);
      expect(await at(bDel!)).toEqual([`ns/a=a2@${a1}/${a2}`]);
      expect(await at(b2!)).toEqual([`ns/a=a2@${a1}/${a2}`, `ns/b=b2@${b2}/${b2}`, `ns/c=c1@${c1}/${c1}`]);
      expect(await at(aDel!)).toEqual([`ns/b=b2@${b2}/${b2}`, `ns/c=c2@${c1}/${c2}`]);
      expect(await at(aDel!)).toEqual(
        (await s.list(P)).items.map(
          (kv) => `${kv.key.slice(P.length)}=${text(kv.value)}@${kv.createRevision}/${kv.modRevision}`,
        ),
      );
      await expectStorageError(s.list(P, { revision: aDel! + 1000 }), 'InvalidArgument');
    });

    it('watch delivers every later change under the prefix exactly once, in order, with previous values', async () => {
      const r0 = await s.currentRevision();
      const w = await watch(P, r0);
      const revs = await history();
      await w.untilRevision(revs.at(-1)!);
      expect(w.events.map(summarize)).toEqual(historyEvents(revs));
      // Nothing repeats: the next thing delivered is the next write.
      const next = await created(`${P}ns/sentinel`, 'x');
      await w.untilRevision(next);
      expect(w.events.slice(8).map((e) => e.revision)).toEqual([next]);
    });

    it('watch resumes from every retained revision', async () => {
      const r0 = await s.currentRevision();
      const all = await watch(P, r0);
      const revs = await history();
      const last = revs.at(-1)!;
      await all.untilRevision(last);
      const expected = all.events.map(summarize);
      const froms = Array.from({ length: last - r0 + 1 }, (_, i) => r0 + i);
      const resumed = await Promise.all(froms.map((from) => watch(P, from)));
      const sentinel = await created(`${P}ns/sentinel`, 'x');
      await Promise.all(resumed.map((w) => w.untilRevision(sentinel)));
      resumed.forEach((w, i) => {
        const from = froms[i]!;
        const got = w.events.map(summarize);
        expect(got.slice(0, -1), `watch from ${from}`).toEqual(expected.filter((e) => e.revision > from));
        expect(got.at(-1)!.revision).toBe(sentinel);
      });
    });

    it('watch from the current revision sees only later changes', async () => {
      await history();
      const rev = await s.currentRevision();
      const w = await watch(P, rev);
      const other = await watch('/registry/services/', rev);
      const next = await created(`${P}ns/new`, 'n');
      const svc = await created('/registry/services/ns/t', 't');
      await w.untilRevision(next);
      await other.untilRevision(svc);
      expect(w.events.map((e) => [e.type, e.key, e.revision])).toEqual([['put', `${P}ns/new`, next]]);
      expect(other.events.map((e) => e.revision)).toEqual([svc]);
    });

    it('a closed watch receives nothing more', async () => {
      const rev = await s.currentRevision();
      const closing = new EventCollector();
      const handle = await s.watch(P, rev, closing);
      const open = await watch(P, rev);
      const first = await created(`${P}ns/1`, '1');
      await closing.untilRevision(first);
      handle.close();
      handle.close();
      const second = await created(`${P}ns/2`, '2');
      await open.untilRevision(second);
      await new Promise((r) => setTimeout(r, 50));
      expect(closing.events.map((e) => e.revision)).toEqual([first]);
      expect(closing.error).toBeUndefined();
    });

    it('concurrent creates of one key: exactly one wins', async () => {
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => s.create(`${P}ns/contended`, bytes(`writer-${i}`))),
      );
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      const stored = await s.get(`${P}ns/contended`);
      for (const r of results) {
        if (r.ok) continue;
        expect(r.reason).toBe('exists');
        if (r.reason === 'exists') expect(r.current.modRevision).toBe(stored!.modRevision);
      }
    });

    it('concurrent compare-and-swap: exactly one writer wins each round', async () => {
      const key = `${P}ns/cas`;
      let rev = await created(key, 'round-0');
      for (let round = 1; round <= 8; round++) {
        const results = await Promise.all(
          Array.from({ length: 16 }, (_, i) => s.update(key, bytes(`round-${round}-writer-${i}`), rev)),
        );
        const winners = results.flatMap((r, i) => (r.ok ? [{ i, revision: r.revision }] : []));
        expect(winners, `round ${round}`).toHaveLength(1);
        const winner = winners[0]!;
        for (const r of results) {
          if (r.ok) continue;
          expect(r.reason).toBe('conflict');
          if (r.reason === 'conflict') {
            expect(r.current.modRevision).toBe(winner.revision);
            expect(text(r.current.value)).toBe(`round-${round}-writer-${winner.i}`);
          }
        }
        rev = winner.revision;
      }
    });

    it('concurrent read-modify-write loops lose no update', async () => {
      const key = `${P}ns/counter`;
      const c = await created(key, '0');
      const w = await watch(key, c);
      const writers = 12;
      const perWriter = 15;
      await Promise.all(
        Array.from({ length: writers }, async () => {
          for (let done = 0; done < perWriter; ) {
            const kv = (await s.get(key))!;
            const r = await s.update(key, bytes(String(Number(text(kv.value)) + 1)), kv.modRevision);
            if (r.ok) done++;
          }
        }),
      );
      const total = writers * perWriter;
      const final = (await s.get(key))!;
      expect(text(final.value)).toBe(String(total));
      await w.untilRevision(final.modRevision);
      expect(w.events.map((e) => text(e.value))).toEqual(
        Array.from({ length: total }, (_, i) => String(i + 1)),
      );
      expect(w.events.map((e) => text(e.prevValue))).toEqual(
        Array.from({ length: total }, (_, i) => String(i)),
      );
    });

    it('watch order holds under concurrent writes to many keys', async () => {
      const r0 = await s.currentRevision();
      const w = await watch(P, r0);
      const keys = Array.from({ length: 48 }, (_, i) => `${P}ns-${i % 4}/k${i}`);
      const acked: number[] = [];
      await Promise.all(
        keys.map(async (key) => {
          let rev = await created(key, `${key}#0`);
          acked.push(rev);
          for (let n = 1; n <= 3; n++) {
            rev = await updated(key, `${key}#${n}`, rev);
            acked.push(rev);
          }
          acked.push(await deleted(key));
        }),
      );
      acked.sort((a, b) => a - b);
      await w.untilRevision(acked.at(-1)!);
      expect(w.events.map((e) => e.revision)).toEqual(acked);
      const last = new Map<string, { revision: number; value: string }>();
      for (const e of w.events) {
        const prev = last.get(e.key);
        if (prev) {
          expect(e.prevModRevision).toBe(prev.revision);
          expect(text(e.prevValue)).toBe(prev.value);
        } else {
          expect(e.prevValue).toBeUndefined();
        }
        if (e.type === 'delete') last.delete(e.key);
        else last.set(e.key, { revision: e.revision, value: text(e.value)! });
      }
      expect(last.size).toBe(0);
    });

    it('a watch replaying a long history switches to live events without gap or repetition', async () => {
      const r0 = await s.currentRevision();
      const before = await mapConcurrent(
        Array.from({ length: 1500 }, (_, i) => i),
        64,
        (i) => created(`${P}bulk/k${i}`, `v${i}`),
      );
      const w = await watch(P, r0);
      const during = await mapConcurrent(
        Array.from({ length: 200 }, (_, i) => i),
        16,
        (i) => updated(`${P}bulk/k${i}`, `w${i}`, before[i]!),
      );
      const acked = [...before, ...during].sort((a, b) => a - b);
      await w.untilRevision(acked.at(-1)!);
      expect(w.events.map((e) => e.revision)).toEqual(acked);
    });

    it('stores, lists and watches large values (1.5 MiB)', async () => {
      const big1 = pseudoRandomBytes(1.5 * 1024 * 1024, 1);
      const big2 = pseudoRandomBytes(1.5 * 1024 * 1024 + 3, 2);
      const rev = await s.currentRevision();
      const w = await watch(P, rev);
      const c = await s.create(`${P}ns/big`, big1);
      if (!c.ok) throw new Error('create failed');
      expect(sameBytes((await s.get(`${P}ns/big`))!.value, big1)).toBe(true);
      const u = await s.update(`${P}ns/big`, big2, c.revision);
      if (!u.ok) throw new Error('update failed');
      const listed = await s.list(P);
      expect(listed.items).toHaveLength(1);
      expect(sameBytes(listed.items[0]!.value, big2)).toBe(true);
      expect(sameBytes((await s.list(P, { revision: c.revision })).items[0]!.value, big1)).toBe(true);
      const d = await s.delete(`${P}ns/big`);
      if (!d.ok) throw new Error('delete failed');
      expect(sameBytes(d.prev.value, big2)).toBe(true);
      await w.untilRevision(d.revision);
      const [put, update, del] = w.events;
      expect(sameBytes(put!.value, big1)).toBe(true);
      expect(sameBytes(update!.value, big2) && sameBytes(update!.prevValue, big1)).toBe(true);
      expect(sameBytes(del!.prevValue, big2)).toBe(true);
    });

    it('compaction: history below it is Expired, later history and current values stay', async () => {
      const before = await s.compactedRevision();
      expect(before).toBeLessThanOrEqual(await s.currentRevision());
      const revs = await history();
      const [a1, , a2, , bDel, , b2, c2, aDel] = revs;
      // Compact in the middle of the history: c2 and aDel stay above it.
      const mid = b2!;
      await s.compact(mid);
      expect(await s.compactedRevision()).toBe(mid);
      await expectStorageError(s.list(P, { revision: mid - 1 }), 'Expired');
      await expectStorageError(s.list(P, { revision: a1! }), 'Expired');
      await expectStorageError(s.watch(P, mid - 1, new EventCollector()), 'Expired');
      await expectStorageError(s.watch(P, a2!, new EventCollector()), 'Expired');
      const atMid = await s.list(P, { revision: mid });
      expect(atMid.items.map((kv) => `${kv.key.slice(P.length)}=${text(kv.value)}`)).toEqual([
        'ns/a=a2',
        'ns/b=b2',
        'ns/c=c1',
      ]);
      const now = await s.list(P);
      expect(now.items.map((kv) => `${kv.key.slice(P.length)}=${text(kv.value)}@${kv.modRevision}`)).toEqual([
        `ns/b=b2@${mid}`,
        `ns/c=c2@${c2}`,
      ]);
      expect(await s.get(`${P}ns/a`)).toBeUndefined();
      expect(text((await s.get('/registry/services/ns/s'))?.value)).toBe('s1');
      const w = await watch(P, mid);
      await w.untilRevision(aDel!);
      expect(w.events.map(summarize)).toEqual(historyEvents(revs).filter((e) => e.revision > mid));
      // Compacting again at or below is a no-op; beyond the current revision is refused.
      await s.compact(mid - 1);
      expect(await s.compactedRevision()).toBe(mid);
      await expectStorageError(s.compact(aDel! + 1000), 'InvalidArgument');
      // Writes go on above everything, also for keys whose whole history was compacted away.
      expect(bDel).toBeLessThan(mid);
      const again = await created(`${P}ns/a`, 'a3');
      expect(again).toBeGreaterThan(aDel!);
      await w.untilRevision(again);
      await s.compact(again);
      expect(await s.compactedRevision()).toBe(again);
      expect((await s.list(P, { revision: again })).items).toHaveLength(3);
      const later = await watch(P, again);
      const after = await updated(`${P}ns/a`, 'a4', again);
      await later.untilRevision(after);
      expect(later.events.map(summarize)).toEqual([summary('put', 'a', after, 'a4', again, 'a3', again)]);
    });

    it('close() ends watches with a Closed error and refuses later calls', async () => {
      const w = new EventCollector();
      await s.watch(P, await s.currentRevision(), w);
      await s.close();
      await w.waitFor(() => w.error !== undefined, 'the watch to end');
      expect(isStorageError(w.error, 'Closed')).toBe(true);
      await expectStorageError(s.get(`${P}ns/a`), 'Closed');
      await expectStorageError(s.create(`${P}ns/a`, bytes('x')), 'Closed');
      await s.close();
    });
  });
}
