// A minimal HTTP/1.0 GET over a raw socket (optionally from inside a network namespace through a
// child node process): for correctness checks before load and for routing probes.
import { execFile } from 'node:child_process';
import { connect } from 'node:net';

export interface ProbeResult {
  status: number;
  body: Buffer;
}

const probeSource = `
const net = require('node:net');
const [host, port, path] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port) });
const chunks = [];
s.on('connect', () => s.write('GET ' + path + ' HTTP/1.0\\r\\nHost: bench\\r\\n\\r\\n'));
s.on('data', (d) => chunks.push(d));
s.on('end', () => process.stdout.write(Buffer.concat(chunks).toString('base64')));
s.on('error', (e) => { process.stderr.write(String(e)); process.exit(1); });
`;

function parse(raw: Buffer): ProbeResult {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) throw new Error(`no HTTP response (${raw.length} bytes)`);
  const status = Number(raw.subarray(9, 12).toString('latin1'));
  return { status, body: raw.subarray(headEnd + 4) };
}

/** GET `path` from host:port with `Connection: close` semantics (HTTP/1.0). */
export function httpGet(host: string, port: number, path: string, timeoutMs = 3000): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('probe timeout')), timeoutMs);
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.0\r\nHost: bench\r\n\r\n`));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(parse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** The same GET run from inside network namespace `netns`. */
export function httpGetInNetns(
  netns: string,
  host: string,
  port: number,
  path: string,
): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const argv = ['netns', 'exec', netns, process.execPath, '-e', probeSource, host, String(port), path];
    execFile('ip', argv, { timeout: 10_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`probe in ${netns} failed: ${stderr || err.message}`));
      try {
        resolve(parse(Buffer.from(stdout, 'base64')));
      } catch (e) {
        reject(e);
      }
    });
  });
}
