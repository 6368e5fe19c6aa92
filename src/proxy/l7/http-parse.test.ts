import { describe, expect, it } from 'vitest';
import { BodyKind, ChunkedTracker, findHeadEnd, Head, rewriteHead } from './http-parse.js';

const b = (text: string) => Buffer.from(text, 'latin1');

describe('Head', () => {
  it('reads method, framing and Connection from a request head, and drops hop-by-hop lines', () => {
    const raw = b(
      'POST /x HTTP/1.1\r\nHost: a\r\nCONTENT-length: 12\r\nConnection: close\r\nKeep-Alive: 5\r\n\r\nbody',
    );
    const end = findHeadEnd(raw, 0);
    expect(raw.subarray(end).toString()).toBe('body');
    const head = new Head();
    head.parseRequest(raw, 0, end);
    expect(head).toMatchObject({ idempotent: false, isHead: false, http10: false, body: BodyKind.Length });
    expect(head.contentLength).toBe(12);
    expect(head.connectionClose).toBe(true);
    const out = rewriteHead(raw, 0, end, head, b('X-Forwarded-For: 1.2.3.4\r\n')).toString();
    expect(out).toBe('POST /x HTTP/1.1\r\nX-Forwarded-For: 1.2.3.4\r\nHost: a\r\nCONTENT-length: 12\r\n\r\n');
  });

  it('knows idempotent methods, HTTP/1.0 and chunked requests; rejects conflicting lengths', () => {
    const head = new Head();
    for (const [method, idempotent] of [
      ['GET', true],
      ['HEAD', true],
      ['PUT', true],
      ['DELETE', true],
      ['OPTIONS', true],
      ['TRACE', true],
      ['POST', false],
      ['PATCH', false],
    ] as const) {
      const raw = b(`${method} / HTTP/1.0\r\nTransfer-Encoding: gzip, chunked\r\n\r\n`);
      head.parseRequest(raw, 0, raw.length);
      expect([method, head.idempotent, head.http10, head.body]).toEqual([
        method,
        idempotent,
        true,
        BodyKind.Chunked,
      ]);
    }
    const bad = b('GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n');
    head.parseRequest(bad, 0, bad.length);
    expect(head.invalid).toBe(true);
  });

  it('reads status and framing of responses; unframed responses last until close', () => {
    const head = new Head();
    const raw = b('HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n');
    head.parseResponse(raw, 0, raw.length);
    expect([head.status, head.body]).toEqual([204, BodyKind.UntilClose]);
    const ok = b('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n');
    head.parseResponse(ok, 0, ok.length);
    expect([head.status, head.http10, head.body, head.contentLength]).toEqual([
      200,
      true,
      BodyKind.Length,
      0,
    ]);
  });
});

describe('ChunkedTracker', () => {
  const message = '4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\n';

  it('finds the end of a chunked body fed in pieces of any size', () => {
    for (const size of [1, 2, 3, 7, 100]) {
      const tracker = new ChunkedTracker();
      const data = b(`${message}NEXT`);
      let end = -1;
      for (let i = 0; i < data.length && end < 0; i += size) {
        const at = tracker.feed(data, i, Math.min(data.length, i + size));
        if (at >= 0) end = at;
      }
      expect(end).toBe(message.length);
    }
  });

  it('flags malformed framing', () => {
    const tracker = new ChunkedTracker();
    expect(tracker.feed(b('zz\r\n'), 0, 4)).toBe(-1);
    expect(tracker.invalid).toBe(true);
  });
});
