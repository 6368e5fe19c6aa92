// Log records as runtimes that keep logs themselves (process, fake) store them, and the plain byte
// stream `kubectl logs` expects: tail and since applied to stored records, timestamps prefixed to
// each line, output cut at limitBytes.
import { Readable } from 'node:stream';
import type { LogOptions } from './types.js';

export type LogStreamName = 'stdout' | 'stderr';

export interface LogRecord {
  /** Milliseconds since the epoch. */
  at: number;
  stream: LogStreamName;
  /** The line goes on in the next record (no newline at the end of this one). */
  partial: boolean;
  content: Buffer;
}

/** RFC 3339 with nine fraction digits, as Docker and the kubelet print log timestamps. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** Applies sinceSeconds and tailLines (counted in whole lines) to stored records. */
export function selectRecords(
  records: readonly LogRecord[],
  options: LogOptions,
  nowMs: number,
): LogRecord[] {
  let out = records as LogRecord[];
  if (options.sinceSeconds !== undefined) {
    const cutoff = nowMs - options.sinceSeconds * 1000;
    out = out.filter((r) => r.at >= cutoff);
  }
  if (options.tailLines !== undefined) {
    // Walk back line by line: a line is a run of partial records closed by a non-partial one (the
    // last line may still be open).
    let start = out.length;
    for (let lines = 0; start > 0 && lines < options.tailLines; lines++) {
      start--;
      while (start > 0 && out[start - 1]!.partial) start--;
    }
    out = out.slice(start);
  }
  return out;
}

/**
 * A readable of formatted log bytes fed with records. `push` returns false once the byte limit is
 * reached (the stream has then ended); `onClose` runs when the stream ends or is destroyed.
 */
export class LogOutput {
  readonly stream: Readable;
  private remaining: number;
  private atLineStart = true;
  private ended = false;

  constructor(
    private readonly options: LogOptions,
    onClose: () => void,
  ) {
    this.remaining = options.limitBytes ?? Number.POSITIVE_INFINITY;
    this.stream = new Readable({ read() {} });
    this.stream.once('close', () => {
      this.ended = true;
      onClose();
    });
  }

  push(record: LogRecord): boolean {
    if (this.ended) return false;
    const parts: Buffer[] = [];
    if (this.options.timestamps && this.atLineStart) parts.push(Buffer.from(`${rfc3339Nano(record.at)} `));
    parts.push(record.content);
    if (!record.partial) parts.push(newline);
    this.atLineStart = !record.partial;
    let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (bytes.length >= this.remaining) {
      bytes = bytes.subarray(0, this.remaining);
      this.remaining = 0;
      if (bytes.length > 0) this.stream.push(bytes);
      this.end();
      return false;
    }
    this.remaining -= bytes.length;
    this.stream.push(bytes);
    return true;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.stream.push(null);
  }

  get isEnded(): boolean {
    return this.ended;
  }
}

const newline = Buffer.from('\n');
