// `docker logs` as plain bytes: Docker multiplexes stdout and stderr into frames (an 8-byte header:
// stream type, three zero bytes, big-endian payload length) unless the container has a TTY. The
// demuxer interleaves both streams in arrival order and cuts the output at limitBytes.
import { Transform, type TransformCallback } from 'node:stream';

export class DockerLogDemuxer extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private frameLeft = 0;
  private remaining: number;

  constructor(
    private readonly multiplexed: boolean,
    limitBytes?: number,
  ) {
    super();
    this.remaining = limitBytes ?? Number.POSITIVE_INFINITY;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.multiplexed) {
      this.out(chunk);
      done();
      return;
    }
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    while (buf.length > 0 && this.remaining > 0) {
      if (this.frameLeft > 0) {
        const n = Math.min(this.frameLeft, buf.length);
        this.out(buf.subarray(0, n));
        this.frameLeft -= n;
        buf = buf.subarray(n);
        continue;
      }
      if (buf.length < 8) break;
      this.frameLeft = buf.readUInt32BE(4);
      buf = buf.subarray(8);
    }
    this.pending = Buffer.from(buf);
    done();
  }

  private out(bytes: Buffer): void {
    if (this.remaining <= 0) return;
    if (bytes.length >= this.remaining) {
      this.push(bytes.subarray(0, this.remaining));
      this.remaining = 0;
      this.push(null);
      return;
    }
    this.remaining -= bytes.length;
    this.push(bytes);
  }
}
