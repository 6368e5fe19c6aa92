// Just enough HTTP/1.1 framing to forward bytes: where a head ends, the method and status, the
// body framing (Content-Length or chunked) and the Connection header. Works on Buffers in place:
// no strings are built from heads or bodies, header names are compared byte by byte.

const CR = 13;
const LF = 10;
const SP = 32;
const CRLF = '\r\n';
const headEndMarker = '\r\n\r\n';

/** Offset just past the blank line ending a head that starts at `start`, or -1 if incomplete. */
export function findHeadEnd(buf: Buffer, start: number): number {
  const at = buf.indexOf(headEndMarker, start, 'latin1');
  return at < 0 ? -1 : at + 4;
}

/** Case-insensitive comparison of buf[start, start + lower.length) with an ASCII lowercase name. */
function nameIs(buf: Buffer, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) if ((buf[start + i]! | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/** True when the comma-separated value in buf[start, end) contains `token` (lowercase), case-insensitive. */
function valueHas(buf: Buffer, start: number, end: number, token: string): boolean {
  const n = token.length;
  outer: for (let i = start; i + n <= end; i++) {
    for (let j = 0; j < n; j++) if ((buf[i + j]! | 0x20) !== token.charCodeAt(j)) continue outer;
    return true;
  }
  return false;
}

export enum BodyKind {
  None = 0,
  Length = 1,
  Chunked = 2,
  UntilClose = 3,
}

/** What the forwarder needs from a request or response head. Reused between messages. */
export class Head {
  /** Request: the method is HEAD (its response has no body). */
  isHead = false;
  /** Request: safe to retry after a failure before a response (GET, HEAD, OPTIONS, PUT, DELETE, TRACE). */
  idempotent = false;
  /** HTTP/1.0 message. */
  http10 = false;
  /** Response status code. */
  status = 0;
  body = BodyKind.None;
  contentLength = 0;
  connectionClose = false;
  connectionKeepAlive = false;
  /** [start, end) ranges of hop-by-hop header lines (Connection, Keep-Alive) to drop when forwarding. */
  readonly hopRanges: number[] = [];
  /** End of the start line including its CRLF. */
  startLineEnd = 0;
  invalid = false;

  private reset(): void {
    this.isHead = false;
    this.idempotent = false;
    this.http10 = false;
    this.status = 0;
    this.body = BodyKind.None;
    this.contentLength = 0;
    this.connectionClose = false;
    this.connectionKeepAlive = false;
    this.hopRanges.length = 0;
    this.invalid = false;
  }

  /** Parses the request head in buf[start, end) (end just past the blank line). */
  parseRequest(buf: Buffer, start: number, end: number): void {
    this.reset();
    const lineEnd = buf.indexOf(CRLF, start, 'latin1');
    const methodEnd = buf.indexOf(SP, start);
    if (methodEnd < 0 || methodEnd > lineEnd) return void (this.invalid = true);
    const m0 = buf[start]!;
    const len = methodEnd - start;
    // GET HEAD PUT DELETE OPTIONS TRACE are idempotent (RFC 9110 §9.2.2).
    this.isHead = len === 4 && m0 === 0x48 && buf[start + 1] === 0x45;
    this.idempotent =
      (len === 3 && (m0 === 0x47 || m0 === 0x50) && buf[start + 1] === 0x45 + (m0 === 0x50 ? 16 : 0)) ||
      this.isHead ||
      (len === 6 && m0 === 0x44) ||
      (len === 7 && m0 === 0x4f) ||
      (len === 5 && m0 === 0x54);
    this.http10 = buf[lineEnd - 1] === 0x30 && buf[lineEnd - 3] === 0x31;
    this.startLineEnd = lineEnd + 2;
    this.parseHeaders(buf, this.startLineEnd, end);
    if (this.body === BodyKind.UntilClose) this.body = BodyKind.None; // requests without framing have no body
  }

  /** Parses the response head in buf[start, end). */
  parseResponse(buf: Buffer, start: number, end: number): void {
    this.reset();
    const lineEnd = buf.indexOf(CRLF, start, 'latin1');
    // "HTTP/1.1 200 ..." : version digit at 7, status at 9..11
    if (lineEnd - start < 12 || buf[start + 8] !== SP) return void (this.invalid = true);
    this.http10 = buf[start + 7] === 0x30;
    this.status = (buf[start + 9]! - 48) * 100 + (buf[start + 10]! - 48) * 10 + (buf[start + 11]! - 48);
    this.startLineEnd = lineEnd + 2;
    this.parseHeaders(buf, this.startLineEnd, end);
  }

  private parseHeaders(buf: Buffer, from: number, end: number): void {
    let framing = BodyKind.UntilClose;
    let pos = from;
    const last = end - 2; // the final CRLF
    while (pos < last) {
      let lineEnd = buf.indexOf(CRLF, pos, 'latin1');
      if (lineEnd < 0 || lineEnd > last) lineEnd = last;
      const colon = buf.indexOf(58, pos);
      if (colon > pos && colon < lineEnd) {
        let v = colon + 1;
        while (buf[v] === SP || buf[v] === 9) v++;
        const c = buf[pos]! | 0x20;
        const nameLen = colon - pos;
        if (c === 0x63 && nameLen === 14 && nameIs(buf, pos, colon, 'content-length')) {
          let n = 0;
          let digits = 0;
          for (let i = v; i < lineEnd && buf[i]! >= 48 && buf[i]! <= 57; i++, digits++)
            n = n * 10 + buf[i]! - 48;
          if (digits === 0 || (framing === BodyKind.Length && n !== this.contentLength)) this.invalid = true;
          if (framing !== BodyKind.Chunked) framing = BodyKind.Length;
          this.contentLength = n;
        } else if (c === 0x74 && nameLen === 17 && nameIs(buf, pos, colon, 'transfer-encoding')) {
          if (valueHas(buf, v, lineEnd, 'chunked')) framing = BodyKind.Chunked;
        } else if (c === 0x63 && nameLen === 10 && nameIs(buf, pos, colon, 'connection')) {
          if (valueHas(buf, v, lineEnd, 'close')) this.connectionClose = true;
          if (valueHas(buf, v, lineEnd, 'keep-alive')) this.connectionKeepAlive = true;
          this.hopRanges.push(pos, lineEnd + 2);
        } else if (c === 0x6b && nameLen === 10 && nameIs(buf, pos, colon, 'keep-alive')) {
          this.hopRanges.push(pos, lineEnd + 2);
        }
      } else if (buf[pos] !== CR || buf[pos + 1] !== LF) {
        this.invalid = true;
      }
      pos = lineEnd + 2;
    }
    this.body = framing;
  }
}

/**
 * Builds a forwarded head: the start line, then `insert` (whole header lines), then the original
 * headers minus the hop-by-hop ranges, then the blank line. One allocation, one write.
 */
export function rewriteHead(buf: Buffer, start: number, end: number, head: Head, insert: Buffer): Buffer {
  const ranges = head.hopRanges;
  let removed = 0;
  for (let i = 0; i < ranges.length; i += 2) removed += ranges[i + 1]! - ranges[i]!;
  const out = Buffer.allocUnsafe(end - start - removed + insert.length);
  let o = buf.copy(out, 0, start, head.startLineEnd);
  o += insert.copy(out, o);
  let pos = head.startLineEnd;
  for (let i = 0; i < ranges.length; i += 2) {
    o += buf.copy(out, o, pos, ranges[i]!);
    pos = ranges[i + 1]!;
  }
  buf.copy(out, o, pos, end);
  return out;
}

enum ChunkState {
  Size = 0,
  Extension = 1,
  SizeLf = 2,
  Data = 3,
  DataCr = 4,
  DataLf = 5,
  TrailerStart = 6,
  TrailerLine = 7,
  TrailerLf = 8,
  FinalLf = 9,
  Done = 10,
}

/** Follows chunked framing over a byte stream to find where the message ends. */
export class ChunkedTracker {
  private state = ChunkState.Size;
  private remaining = 0;
  private sawDigit = false;
  invalid = false;

  reset(): void {
    this.state = ChunkState.Size;
    this.remaining = 0;
    this.sawDigit = false;
    this.invalid = false;
  }

  /** Consumes buf[start, end); returns the offset just past the message end, or -1 if it goes on. */
  feed(buf: Buffer, start: number, end: number): number {
    let i = start;
    while (i < end) {
      switch (this.state) {
        case ChunkState.Data: {
          const take = Math.min(this.remaining, end - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = ChunkState.DataCr;
          break;
        }
        case ChunkState.Size: {
          const b = buf[i++]!;
          const d =
            b >= 48 && b <= 57 ? b - 48 : (b | 0x20) >= 97 && (b | 0x20) <= 102 ? (b | 0x20) - 87 : -1;
          if (d >= 0) {
            this.remaining = this.remaining * 16 + d;
            this.sawDigit = true;
          } else if (b === CR && this.sawDigit) {
            this.state = ChunkState.SizeLf;
          } else if ((b === 59 || b === SP || b === 9) && this.sawDigit) {
            this.state = ChunkState.Extension;
          } else {
            return this.fail();
          }
          break;
        }
        case ChunkState.Extension:
          if (buf[i++] === CR) this.state = ChunkState.SizeLf;
          break;
        case ChunkState.SizeLf:
          if (buf[i++] !== LF) return this.fail();
          this.sawDigit = false;
          this.state = this.remaining === 0 ? ChunkState.TrailerStart : ChunkState.Data;
          break;
        case ChunkState.DataCr:
          if (buf[i++] !== CR) return this.fail();
          this.state = ChunkState.DataLf;
          break;
        case ChunkState.DataLf:
          if (buf[i++] !== LF) return this.fail();
          this.state = ChunkState.Size;
          break;
        case ChunkState.TrailerStart:
          this.state = buf[i++] === CR ? ChunkState.FinalLf : ChunkState.TrailerLine;
          break;
        case ChunkState.TrailerLine:
          if (buf[i++] === CR) this.state = ChunkState.TrailerLf;
          break;
        case ChunkState.TrailerLf:
          if (buf[i++] !== LF) return this.fail();
          this.state = ChunkState.TrailerStart;
          break;
        case ChunkState.FinalLf:
          if (buf[i++] !== LF) return this.fail();
          this.state = ChunkState.Done;
          return i;
        default:
          return i;
      }
    }
    return -1;
  }

  private fail(): number {
    this.invalid = true;
    return -1;
  }
}
