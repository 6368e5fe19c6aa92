// Client library benchmark: how fast kubelite's client talks to an apiserver, next to its peers in the
// same run.
//   rest:     GET of one pod by C concurrent callers — kubelite client (undici Pool) vs undici fetch vs
//             @kubernetes/client-node 1.x; requests/s and latency percentiles.
//   informer: one watch stream of N pod events (ADDED then MODIFIED, ~1.5 KB each) into an informer's
//             cache and handlers — kubelite informer vs client-node's informer; events/s.
//   decoder:  newline-delimited JSON decoding of the same bytes in 64 KiB chunks — WatchDecoder vs the
//             naive string-append-and-split loop; and one 8 MiB event (the naive loop is quadratic).
// The fake apiserver answering all of this runs in a worker thread (its own event loop), so the
// client under test has the main thread to itself. Rounds are interleaved; medians are reported.
//
//   npx tsx bench/client.ts [--events 30000] [--pods 1000] [--concurrency 16] [--durationMs 2000] [--rounds 3]
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import type { Pod } from '../src/api/types.js';
import { createClient, createInformer, WatchDecoder } from '../src/client/index.js';
import { LatencyHistogram, median } from './lib/histogram.js';
import { machineInfo } from './lib/machine.js';

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: process.env.KUBELITE_EVENTS ?? '30000' },
    pods: { type: 'string', default: process.env.KUBELITE_PODS ?? '1000' },
    concurrency: { type: 'string', default: process.env.KUBELITE_CONCURRENCY ?? '16' },
    durationMs: { type: 'string', default: process.env.KUBELITE_DURATION_MS ?? '2000' },
    rounds: { type: 'string', default: process.env.KUBELITE_ROUNDS ?? '3' },
  },
});
const events = Number(flags.events);
const podCount = Number(flags.pods);
const concurrency = Number(flags.concurrency);
const durationMs = Number(flags.durationMs);
const rounds = Number(flags.rounds);

// ---------------------------------------------------------------- the fake apiserver (worker thread)

const serverSource = `
const { createServer } = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { events, pods, pod } = workerData;
const lines = [];
for (let i = 0; i < events; i++) {
  const p = JSON.parse(pod);
  p.metadata.name = 'pod-' + (i % pods);
  p.metadata.uid = 'uid-' + (i % pods);
  p.metadata.resourceVersion = String(i + 2);
  lines.push(JSON.stringify({ type: i < pods ? 'ADDED' : 'MODIFIED', object: p }) + '\\n');
}
const payload = Buffer.from(lines.join(''));
const single = Buffer.from(pod);
const emptyList = Buffer.from('{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[]}');
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/api/v1/pods' && url.searchParams.get('watch') === 'true') {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (url.searchParams.get('resourceVersion') !== '1') return; // re-watches idle until closed
    for (let off = 0; off < payload.length; off += 65536) res.write(payload.subarray(off, off + 65536));
    res.end();
    return;
  }
  const body = url.pathname === '/api/v1/pods' ? emptyList : single;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port, payload }));
`;

function samplePod(): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'pod',
      namespace: 'default',
      uid: 'uid',
      resourceVersion: '1',
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { app: 'web', tier: 'frontend', 'pod-template-hash': '5d8f7c9b' },
      annotations: { 'kubelite.io/note': 'benchmark' },
      ownerReferences: [
        { apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: 'rc-uid', controller: true },
      ],
    },
    spec: {
      nodeName: 'node-1',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      containers: [
        {
          name: 'web',
          image: 'kubelite/httpd:latest',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'MODE', value: 'bench' }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
          imagePullPolicy: 'IfNotPresent',
        },
      ],
    },
    status: {
      phase: 'Running',
      hostIP: '127.0.1.1',
      podIP: '172.18.0.5',
      startTime: '2026-01-01T00:00:01Z',
      conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({
        type,
        status: 'True' as const,
        lastTransitionTime: '2026-01-01T00:00:02Z',
      })),
      containerStatuses: [
        {
          name: 'web',
          ready: true,
          restartCount: 0,
          image: 'kubelite/httpd:latest',
          imageID: 'sha256:0123456789abcdef',
          containerID: 'docker://0123456789abcdef',
          state: { running: { startedAt: '2026-01-01T00:00:02Z' } },
        },
      ],
    },
  };
}

async function startServer(): Promise<{ url: string; payload: Buffer; stop(): Promise<void> }> {
  const worker = new Worker(serverSource, {
    eval: true,
    workerData: { events, pods: podCount, pod: JSON.stringify(samplePod()) },
  });
  const { port, payload } = await new Promise<{ port: number; payload: Uint8Array }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
    stop: async () => void (await worker.terminate()),
  };
}

// ---------------------------------------------------------------- REST

interface RestResult {
  requestsPerSecond: number;
  latencyMs: ReturnType<LatencyHistogram['percentilesMs']>;
}

async function closedLoop(call: () => Promise<unknown>): Promise<RestResult> {
  const histogram = new LatencyHistogram();
  const end = performance.now() + durationMs;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await call();
        histogram.recordMs(performance.now() - t0);
        done++;
      }
    }),
  );
  return { requestsPerSecond: Math.round(done / (durationMs / 1000)), latencyMs: histogram.percentilesMs() };
}

function clientNodeConfig(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'bench', server: url, skipTLSVerify: true }],
    users: [{ name: 'bench' }],
    contexts: [{ name: 'bench', cluster: 'bench', user: 'bench' }],
    currentContext: 'bench',
  });
  return kc;
}

const restPeers: Record<
  string,
  (url: string) => Promise<{ call: () => Promise<unknown>; close(): Promise<void> }>
> = {
  kubelite: async (url) => {
    const client = createClient({ server: url });
    return { call: () => client.pods.get('default', 'pod'), close: () => client.close() };
  },
  'undici-fetch': async (url) => ({
    call: async () => (await fetch(`${url}/api/v1/namespaces/default/pods/pod`)).json(),
    close: async () => {},
  }),
  'client-node': async (url) => {
    const api = clientNodeConfig(url).makeApiClient(CoreV1Api);
    return {
      call: () => api.readNamespacedPod({ name: 'pod', namespace: 'default' }),
      close: async () => {},
    };
  },
};

// ---------------------------------------------------------------- informer

async function kubeliteInformer(url: string): Promise<number> {
  const client = createClient({ server: url });
  const informer = createInformer(client, 'pods');
  let seen = 0;
  let finish!: () => void;
  const all = new Promise<void>((resolve) => (finish = resolve));
  const count = (): void => {
    if (++seen === events) finish();
  };
  informer.addEventHandler({ onAdd: count, onUpdate: count });
  const abort = new AbortController();
  const t0 = performance.now();
  const running = informer.run(abort.signal);
  await all;
  const elapsed = performance.now() - t0;
  if (informer.store.size !== Math.min(podCount, events)) throw new Error('kubelite informer cache is wrong');
  abort.abort();
  await running;
  await client.close();
  return events / (elapsed / 1000);
}

async function clientNodeInformer(url: string): Promise<number> {
  const kc = clientNodeConfig(url);
  const api = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Pod>(kc, '/api/v1/pods', () => api.listPodForAllNamespaces());
  let seen = 0;
  let finish!: () => void;
  const all = new Promise<void>((resolve) => (finish = resolve));
  const count = (): void => {
    if (++seen === events) finish();
  };
  informer.on('add', count);
  informer.on('update', count);
  informer.on('error', () => {});
  const t0 = performance.now();
  await informer.start();
  await all;
  const elapsed = performance.now() - t0;
  if (informer.list().length !== Math.min(podCount, events))
    throw new Error('client-node informer cache is wrong');
  await informer.stop();
  return events / (elapsed / 1000);
}

// ---------------------------------------------------------------- decoder

function chunked(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < buf.length; off += size) out.push(buf.subarray(off, off + size));
  return out;
}

function decodeOurs(chunks: Buffer[]): number {
  let n = 0;
  const decoder = new WatchDecoder(() => void n++);
  for (const c of chunks) decoder.write(c);
  decoder.end();
  return n;
}

function decodeNaive(chunks: Buffer[]): number {
  let n = 0;
  let pending = '';
  for (const c of chunks) {
    pending += c.toString('utf8');
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
      JSON.parse(pending.slice(0, nl));
      n++;
      pending = pending.slice(nl + 1);
    }
  }
  return n;
}

function mbPerSecond(bytes: number, fn: () => number, expected: number): number {
  const t0 = performance.now();
  const n = fn();
  const ms = performance.now() - t0;
  if (n !== expected) throw new Error(`decoder produced ${n} events, expected ${expected}`);
  return bytes / 2 ** 20 / (ms / 1000);
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const server = await startServer();
  try {
    // Correctness before load: every client reads the same pod.
    for (const [name, make] of Object.entries(restPeers)) {
      const peer = await make(server.url);
      const got = (await peer.call()) as { metadata?: { name?: string } };
      await peer.close();
      if (got?.metadata?.name !== 'pod') throw new Error(`${name} did not read the pod`);
    }

    const rest: Record<string, RestResult[]> = {};
    const informer: Record<string, number[]> = { kubelite: [], 'client-node': [] };
    const decoder: Record<string, number[]> = { ours: [], naive: [], oursHuge: [], naiveHuge: [] };
    const chunks = chunked(server.payload, 65_536);
    const huge = Buffer.from(
      `${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'big' }, data: 'x'.repeat(8 * 2 ** 20) } })}\n`,
    );
    const hugeChunks = chunked(huge, 65_536);

    for (let round = 0; round < rounds; round++) {
      for (const [name, make] of Object.entries(restPeers)) {
        const peer = await make(server.url);
        (rest[name] ??= []).push(await closedLoop(peer.call));
        await peer.close();
      }
      informer.kubelite!.push(await kubeliteInformer(server.url));
      informer['client-node']!.push(await clientNodeInformer(server.url));
      decoder.ours!.push(mbPerSecond(server.payload.length, () => decodeOurs(chunks), events));
      decoder.naive!.push(mbPerSecond(server.payload.length, () => decodeNaive(chunks), events));
      decoder.oursHuge!.push(mbPerSecond(huge.length, () => decodeOurs(hugeChunks), 1));
      decoder.naiveHuge!.push(mbPerSecond(huge.length, () => decodeNaive(hugeChunks), 1));
    }

    const restSummary = Object.fromEntries(
      Object.entries(rest).map(([name, results]) => {
        const best = results.reduce((a, b) => (a.requestsPerSecond >= b.requestsPerSecond ? a : b));
        return [
          name,
          {
            requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
            p50Ms: median(results.map((r) => r.latencyMs.p50)),
            p99Ms: median(results.map((r) => r.latencyMs.p99)),
            p999Ms: median(results.map((r) => r.latencyMs.p999)),
            requestsInBestRound: best.latencyMs.count,
          },
        ];
      }),
    );
    const round1 = (n: number) => Math.round(n);
    const result = {
      benchmark: 'client',
      config: {
        events,
        pods: podCount,
        concurrency,
        durationMs,
        rounds,
        eventBytes: Math.round(server.payload.length / events),
      },
      rest: restSummary,
      restRatio: {
        kubeliteVsFetch: +(
          restSummary.kubelite!.requestsPerSecond / restSummary['undici-fetch']!.requestsPerSecond
        ).toFixed(2),
        kubeliteVsClientNode: +(
          restSummary.kubelite!.requestsPerSecond / restSummary['client-node']!.requestsPerSecond
        ).toFixed(2),
      },
      informerEventsPerSecond: {
        kubelite: round1(median(informer.kubelite!)),
        clientNode: round1(median(informer['client-node']!)),
        ratio: +(median(informer.kubelite!) / median(informer['client-node']!)).toFixed(2),
      },
      decoderMiBPerSecond: {
        ours: round1(median(decoder.ours!)),
        naive: round1(median(decoder.naive!)),
        oursOneHugeEvent: round1(median(decoder.oursHuge!)),
        naiveOneHugeEvent: round1(median(decoder.naiveHuge!)),
      },
      machine: machineInfo(),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);

    const lines = [
      `client benchmark — ${cpus().length} cpus, ${rounds} interleaved rounds, medians`,
      'REST GET pod       req/s      p50 ms   p99 ms',
      ...Object.entries(restSummary).map(
        ([name, r]) =>
          `  ${name.padEnd(15)} ${String(r.requestsPerSecond).padStart(7)}  ${r.p50Ms.toFixed(3).padStart(8)} ${r.p99Ms.toFixed(3).padStart(8)}`,
      ),
      `informer events/s  kubelite ${result.informerEventsPerSecond.kubelite}  client-node ${result.informerEventsPerSecond.clientNode}  (x${result.informerEventsPerSecond.ratio})`,
      `decoder MiB/s      ours ${result.decoderMiBPerSecond.ours}  naive ${result.decoderMiBPerSecond.naive}  | one 8 MiB event: ours ${result.decoderMiBPerSecond.oursOneHugeEvent}  naive ${result.decoderMiBPerSecond.naiveOneHugeEvent}`,
    ];
    process.stderr.write(`${lines.join('\n')}\n`);
  } finally {
    await server.stop();
  }
}

await main();
