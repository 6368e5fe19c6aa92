// The fan-out peer of bench/apiserver.ts: a bare node:http server in its own process that does the
// least a watch server can do — every GET becomes a chunked stream; every POST is answered (201, the
// body back) and then its body, wrapped as one ADDED event and framed once, is written to every
// stream. No storage, no cache, no selectors: the floor of writing one event to N sockets here.
//   node --import tsx bench/lib/fanout-floor.ts   (prints "listening on URL")
import { createServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

const streams = new Set<Socket>();

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res: ServerResponse) => {
  if (req.method !== 'POST') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const socket = res.socket!;
    streams.add(socket);
    socket.once('close', () => streams.delete(socket));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
    const line = `{"type":"ADDED","object":${body.toString('utf8')}}\n`;
    const length = Buffer.byteLength(line);
    const chunk = Buffer.from(`${length.toString(16)}\r\n${line}\r\n`);
    for (const socket of streams) socket.write(chunk);
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => {
  for (const socket of streams) socket.destroy();
  server.close(() => process.exit(0));
});
