// A container's stdout and stderr are named pipes in its state directory. The process holds each
// pipe open read-write (so it never gets SIGPIPE while no runtime reads; it blocks once the 64 KiB
// pipe buffer is full), and the runtime reads the other end. End-of-file arrives only when every
// process holding a write end has gone, which tells a runtime that adopted the process after a
// restart (and so cannot wait for it) that the container has exited, without polling.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import type { LogRecord, LogStreamName } from '../log-stream.js';

/** Lines longer than this are split into partial records, as Docker and CRI runtimes do. */
const maxLineBytes = 16 * 1024;

export function makeFifo(path: string): void {
  execFileSync('mkfifo', ['-m', '600', path]);
}

/** The write end the process gets as stdout or stderr (read-write: see above). */
export function openFifoForProcess(path: string): number {
  return openSync(path, constants.O_RDWR);
}

export function closeFd(fd: number): void {
  closeSync(fd);
}

/**
 * Reads one pipe, turning its bytes into log records: full lines, or partial records for an
 * unterminated tail at end-of-file and for overlong lines. `onEnd` runs once, at end-of-file.
 */
export class PipeReader {
  private readonly socket: Socket;
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(
    path: string,
    private readonly stream: LogStreamName,
    private readonly now: () => number,
    private readonly onRecord: (record: LogRecord) => void,
    private readonly onEnd: () => void,
  ) {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    this.socket = new Socket({ fd, readable: true, writable: false });
    this.socket.on('data', (chunk: Buffer) => this.take(chunk));
    this.socket.once('end', () => this.finish());
    this.socket.once('error', () => this.finish());
  }

  /** Stops reading without waiting for end-of-file (the runtime is closing). */
  close(): void {
    this.ended = true;
    this.socket.destroy();
  }

  private take(chunk: Buffer): void {
    const at = this.now();
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let nl = buf.indexOf(10);
    while (nl >= 0) {
      this.emitLine(buf.subarray(0, nl), false, at);
      buf = buf.subarray(nl + 1);
      nl = buf.indexOf(10);
    }
    while (buf.length > maxLineBytes) {
      this.emitLine(buf.subarray(0, maxLineBytes), true, at);
      buf = buf.subarray(maxLineBytes);
    }
    this.pending = Buffer.from(buf);
  }

  private emitLine(content: Buffer, partial: boolean, at: number): void {
    this.onRecord({ at, stream: this.stream, partial, content: Buffer.from(content) });
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.pending.length > 0) this.emitLine(this.pending, true, this.now());
    this.pending = Buffer.alloc(0);
    this.socket.destroy();
    this.onEnd();
  }
}
