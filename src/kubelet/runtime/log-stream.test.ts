import { describe, expect, it } from 'vitest';
import { readAll } from './conformance-support.js';
import { LogOutput, type LogRecord, rfc3339Nano, selectRecords } from './log-stream.js';

const rec = (at: number, text: string, partial = false): LogRecord => ({
  at,
  stream: 'stdout',
  partial,
  content: Buffer.from(text),
});

describe('log records', () => {
  it('formats timestamps with nine fraction digits', () => {
    expect(rfc3339Nano(Date.parse('2024-01-02T03:04:05.678Z'))).toBe('2024-01-02T03:04:05.678000000Z');
  });

  it('counts partial records as one line for tail, including an open last line', () => {
    const records = [rec(1, 'a'), rec(2, 'b1', true), rec(3, 'b2'), rec(4, 'c', true)];
    const texts = (n: number) =>
      selectRecords(records, { tailLines: n }, 10).map((r) => r.content.toString());
    expect(texts(1)).toEqual(['c']);
    expect(texts(2)).toEqual(['b1', 'b2', 'c']);
    expect(texts(3)).toEqual(['a', 'b1', 'b2', 'c']);
    expect(texts(9)).toEqual(['a', 'b1', 'b2', 'c']);
    expect(texts(0)).toEqual([]);
    expect(selectRecords(records, { sinceSeconds: 0.007 }, 10).map((r) => r.at)).toEqual([3, 4]);
  });

  it('prefixes timestamps at line starts only and stops at the byte limit', async () => {
    const out = new LogOutput({ timestamps: true }, () => {});
    out.push(rec(0, 'x', true));
    out.push(rec(1000, 'y'));
    out.push(rec(2000, 'z'));
    out.end();
    expect(await readAll(out.stream)).toBe(
      '1970-01-01T00:00:00.000000000Z xy\n1970-01-01T00:00:02.000000000Z z\n',
    );
    let closed = false;
    const limited = new LogOutput({ limitBytes: 3 }, () => (closed = true));
    expect(limited.push(rec(0, 'ab'))).toBe(false);
    expect(limited.push(rec(0, 'cd'))).toBe(false);
    expect(await readAll(limited.stream)).toBe('ab\n');
    expect(closed).toBe(true);
  });
});
