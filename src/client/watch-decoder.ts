// Streaming decoder for Kubernetes watch bodies: one JSON object per line. Complete lines inside a
// chunk are parsed straight out of that chunk; only the unfinished tail of a chunk is kept (by
// reference, no copy) and concatenated once its newline arrives. No per-byte work beyond indexOf, no
// quadratic re-copying of a growing buffer, and multi-byte UTF-8 split across chunks decodes correctly
// because bytes are joined before they become a string.

const newline = 10;

export class WatchDecodeError extends Error {
  override readonly name = 'WatchDecodeError';
}

export class WatchDecoder<E = unknown> {
  private tail: Buffer[] = [];
  private tailBytes = 0;

  /**
   * @param onEvent called synchronously, in order, for each decoded line.
   * @param maxEventBytes one event larger than this is an error (protects memory from a broken stream).
   */
  constructor(
    private readonly onEvent: (event: E) => void,
    private readonly maxEventBytes = 256 * 1024 * 1024,
  ) {}

  /** Feeds bytes; throws WatchDecodeError on malformed JSON or an oversized event. */
  write(chunk: Buffer): void {
    let start = 0;
    let nl = chunk.indexOf(newline);
    if (nl === -1) {
      this.keep(chunk);
      return;
    }
    if (this.tailBytes > 0) {
      this.tail.push(chunk.subarray(0, nl));
      const line = Buffer.concat(this.tail, this.tailBytes + nl);
      this.tail = [];
      this.tailBytes = 0;
      this.emit(line, 0, line.length);
      start = nl + 1;
      nl = chunk.indexOf(newline, start);
    }
    while (nl !== -1) {
      this.emit(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(newline, start);
    }
    if (start < chunk.length) this.keep(start === 0 ? chunk : chunk.subarray(start));
  }

  /** The stream ended: a last line without a trailing newline is still an event. */
  end(): void {
    if (this.tailBytes === 0) return;
    const line = this.tail.length === 1 ? this.tail[0]! : Buffer.concat(this.tail, this.tailBytes);
    this.tail = [];
    this.tailBytes = 0;
    this.emit(line, 0, line.length);
  }

  /** Bytes waiting for their newline. */
  pendingBytes(): number {
    return this.tailBytes;
  }

  private keep(part: Buffer): void {
    this.tailBytes += part.length;
    if (this.tailBytes > this.maxEventBytes) {
      this.tail = [];
      this.tailBytes = 0;
      throw new WatchDecodeError(`watch event larger than ${this.maxEventBytes} bytes`);
    }
    this.tail.push(part);
  }

  private emit(buf: Buffer, start: number, end: number): void {
    // Skip blank lines (and the \r of CRLF-terminated ones) without building a string.
    while (start < end && isSpace(buf[start]!)) start++;
    if (start === end) return;
    let event: E;
    try {
      event = JSON.parse(buf.toString('utf8', start, end)) as E;
    } catch (e) {
      throw new WatchDecodeError(`malformed watch event: ${(e as Error).message}`);
    }
    this.onEvent(event);
  }
}

function isSpace(byte: number): boolean {
  return byte === 32 || byte === 13 || byte === 9 || byte === 10;
}
