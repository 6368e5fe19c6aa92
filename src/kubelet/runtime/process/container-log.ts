// A container's log file in the CRI format (`<RFC 3339 nano> <stream> <P|F> <content>` per line, as
// the kubelet's own log files are), so logs outlive the process and the runtime, keep per-line
// timestamps for --timestamps and --since-time, and `previous` works while the container is kept.
// Appends are synchronous, so a reader that snapshots the file size and then registers as a
// follower sees every record exactly once.
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { LogOutput, type LogRecord, type LogStreamName, rfc3339Nano, selectRecords } from '../log-stream.js';
import type { LogOptions } from '../types.js';

interface Follower {
  push(record: LogRecord): boolean;
  end(): void;
}

export class ContainerLog {
  private fd: number | undefined;
  private size = 0;
  private readonly followers = new Set<Follower>();
  private finished = false;

  constructor(readonly path: string) {}

  /** Opens for appending (creates the file); records before this call are already on disk. */
  openForAppend(): void {
    if (this.fd !== undefined) return;
    this.fd = openSync(this.path, 'a');
    this.size = fstatSync(this.fd).size;
    this.finished = false;
  }

  append(record: LogRecord): void {
    if (this.fd === undefined) return;
    const line = Buffer.concat([
      Buffer.from(`${rfc3339Nano(record.at)} ${record.stream} ${record.partial ? 'P' : 'F'} `),
      record.content,
      newline,
    ]);
    writeSync(this.fd, line);
    this.size += line.length;
    for (const f of this.followers) f.push(record);
  }

  /** No more output will come (the container has exited): followers end. */
  finish(): void {
    this.finished = true;
    for (const f of this.followers) f.end();
    this.followers.clear();
    this.close();
  }

  /** Stops appending (the runtime is closing); followers end, the file stays. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    for (const f of this.followers) f.end();
    this.followers.clear();
  }

  async read(options: LogOptions, nowMs: number): Promise<Readable> {
    const output = new LogOutput(options, () => this.followers.delete(output));
    const follow = options.follow === true && !this.finished && this.fd !== undefined;
    const snapshot = this.fd !== undefined ? this.size : undefined;
    // Records appended while the file is being read wait here, then go out after it.
    const queued: LogRecord[] = [];
    const queue = {
      ended: false,
      push: (r: LogRecord) => queued.push(r) > 0,
      end: () => void (queue.ended = true),
    };
    if (follow) this.followers.add(queue);
    const records = parseCriLog(await readPrefix(this.path, snapshot));
    for (const r of selectRecords(records, options, nowMs)) if (!output.push(r)) break;
    if (!follow) {
      output.end();
      return output.stream;
    }
    this.followers.delete(queue);
    for (const r of queued) if (!output.push(r)) break;
    if (queue.ended || output.isEnded) output.end();
    else this.followers.add(output);
    return output.stream;
  }
}

const newline = Buffer.from('\n');

async function readPrefix(path: string, bytes: number | undefined): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    if (bytes === undefined) return await handle.readFile();
    const buf = Buffer.alloc(bytes);
    let read = 0;
    while (read < bytes) {
      const { bytesRead } = await handle.read(buf, read, bytes - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buf.subarray(0, read);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw err;
  } finally {
    await handle?.close();
  }
}

/** Parses CRI log lines; malformed lines are skipped. */
export function parseCriLog(bytes: Buffer): LogRecord[] {
  const out: LogRecord[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    const line = bytes.subarray(start, end);
    start = end + 1;
    const s1 = line.indexOf(32);
    const s2 = line.indexOf(32, s1 + 1);
    const s3 = line.indexOf(32, s2 + 1);
    if (s1 < 0 || s2 < 0 || s3 < 0) continue;
    const at = Date.parse(line.subarray(0, s1).toString());
    const stream = line.subarray(s1 + 1, s2).toString() as LogStreamName;
    const tag = line.subarray(s2 + 1, s3).toString();
    if (!Number.isFinite(at) || (tag !== 'P' && tag !== 'F')) continue;
    out.push({ at, stream, partial: tag === 'P', content: Buffer.from(line.subarray(s3 + 1)) });
  }
  return out;
}
