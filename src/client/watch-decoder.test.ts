import { describe, expect, it } from 'vitest';
import { WatchDecodeError, WatchDecoder } from './watch-decoder.js';

interface Ev {
  type: string;
  object: { metadata: { name: string }; note?: string };
}

function decodeChunks(chunks: Buffer[]): Ev[] {
  const out: Ev[] = [];
  const decoder = new WatchDecoder<Ev>((e) => out.push(e));
  for (const c of chunks) decoder.write(c);
  decoder.end();
  return out;
}

const events: Ev[] = [
  { type: 'ADDED', object: { metadata: { name: 'a' } } },
  { type: 'MODIFIED', object: { metadata: { name: 'b' }, note: 'ünïcødé ✓ 𝄞 — multi-byte' } },
  { type: 'DELETED', object: { metadata: { name: 'c' } } },
  { type: 'BOOKMARK', object: { metadata: { name: '' } } },
];
const payload = Buffer.from(events.map((e) => `${JSON.stringify(e)}\n`).join(''));

describe('WatchDecoder', () => {
  it('decodes many events delivered in one chunk', () => {
    expect(decodeChunks([payload])).toEqual(events);
  });

  it('decodes the same events for every single split point of the payload', () => {
    for (let i = 0; i <= payload.length; i++) {
      expect(decodeChunks([payload.subarray(0, i), payload.subarray(i)]), `split at ${i}`).toEqual(events);
    }
  });

  it('decodes the same events for every pair of split points', () => {
    for (let i = 0; i <= payload.length; i += 3) {
      for (let j = i; j <= payload.length; j += 5) {
        const parts = [payload.subarray(0, i), payload.subarray(i, j), payload.subarray(j)];
        expect(decodeChunks(parts), `split at ${i},${j}`).toEqual(events);
      }
    }
  });

  it('decodes byte-by-byte delivery, multi-byte characters included', () => {
    const bytes = Array.from({ length: payload.length }, (_, i) => payload.subarray(i, i + 1));
    expect(decodeChunks(bytes)).toEqual(events);
  });

  it('emits a final event that has no trailing newline when the stream ends', () => {
    const text = `${JSON.stringify(events[0])}\n${JSON.stringify(events[1])}`;
    const out: Ev[] = [];
    const decoder = new WatchDecoder<Ev>((e) => out.push(e));
    decoder.write(Buffer.from(text));
    expect(out).toEqual([events[0]]);
    expect(decoder.pendingBytes()).toBeGreaterThan(0);
    decoder.end();
    expect(out).toEqual([events[0], events[1]]);
  });

  it('skips blank lines and CRLF line ends', () => {
    const text = `\n${JSON.stringify(events[0])}\r\n\r\n  \n${JSON.stringify(events[2])}\n`;
    expect(decodeChunks([Buffer.from(text)])).toEqual([events[0], events[2]]);
  });

  it('decodes a huge event spread over many chunks, keeping tails by reference', () => {
    const big = { type: 'ADDED', object: { metadata: { name: 'big' }, note: 'x'.repeat(8 * 1024 * 1024) } };
    const buf = Buffer.from(
      `${JSON.stringify(events[0])}\n${JSON.stringify(big)}\n${JSON.stringify(events[2])}\n`,
    );
    const chunks: Buffer[] = [];
    for (let i = 0; i < buf.length; i += 16 * 1024) chunks.push(buf.subarray(i, i + 16 * 1024));
    const out = decodeChunks(chunks);
    expect(out.map((e) => e.object.metadata.name)).toEqual(['a', 'big', 'c']);
    expect(out[1]!.object.note!.length).toBe(8 * 1024 * 1024);
  });

  it('rejects an event larger than the limit', () => {
    const decoder = new WatchDecoder(() => {}, 100);
    expect(() => decoder.write(Buffer.alloc(101, 0x61))).toThrow(WatchDecodeError);
  });

  it('rejects malformed JSON', () => {
    const decoder = new WatchDecoder(() => {});
    expect(() => decoder.write(Buffer.from('{"type":\n'))).toThrow(/malformed watch event/);
  });
});
