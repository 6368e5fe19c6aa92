// The peer of bench/apiserver.ts: a bare node:http server in its own process that does the least a
// JSON API can do for the same requests — GET answers pre-serialized pod and pod-list bytes, POST
// parses the body and answers it re-serialized. No routing, storage, validation or watch cache:
// what the apiserver costs above this is its own.
//   node --import tsx bench/lib/http-floor.ts POD_JSON_FILE LIST_SIZE   (prints "listening on URL")
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [podFile, listSizeText] = process.argv.slice(2);
const pod = readFileSync(podFile!, 'utf8');
const podBytes = Buffer.from(pod);
const listBytes = Buffer.from(
  `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[${Array(Number(listSizeText)).fill(pod).join(',')}]}`,
);

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  if (req.method === 'POST') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.from(JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      res.end(body);
    });
    return;
  }
  const body = req.url?.startsWith('/list') ? listBytes : podBytes;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
