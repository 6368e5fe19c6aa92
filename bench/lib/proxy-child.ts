// The kubelite proxier as a separate process for benchmarks (so its CPU time can be read from /proc):
// services and endpoints arrive over IPC as v1 objects and go through the proxier's event handlers,
// exactly as informer events will. Run: node --import tsx bench/lib/proxy-child.ts
// Env: KUBELITE_BENCH_TCP_ENGINE (native|native-splice|js), KUBELITE_BENCH_HTTP_ENGINE (native|js), KUBELITE_BENCH_NFT (a JSON argv prefix for
// `nft`, enabling kernel mode), KUBELITE_BENCH_CPU_PROF=1 (write a CPU profile on exit, see --cpu-prof).
import { Registry } from 'prom-client';
import type { Endpoints, Service } from '../../src/api/types.js';
import { createNftRules } from '../../src/proxy/kernel/nftables.js';
import type { TcpEngine } from '../../src/proxy/l4/tcp-handler.js';
import { createProxier } from '../../src/proxy/proxier.js';

export type ChildRequest =
  | { id: number; op: 'apply'; services: Service[]; endpoints: Endpoints[] }
  | { id: number; op: 'endpoints'; endpoints: Endpoints }
  | { id: number; op: 'metrics' }
  | { id: number; op: 'exit' };

export interface ChildReply {
  id: number;
  ok: boolean;
  error?: string;
  addresses?: Record<string, number>;
  metrics?: string;
}

async function main(): Promise<void> {
  const registry = new Registry();
  const nft = process.env.KUBELITE_BENCH_NFT
    ? (JSON.parse(process.env.KUBELITE_BENCH_NFT) as string[])
    : undefined;
  const kernel = nft ? createNftRules({ command: nft }) : undefined;
  if (kernel) await kernel.start();
  const proxier = createProxier({
    registry,
    kernel,
    tcp: { engine: (process.env.KUBELITE_BENCH_TCP_ENGINE as TcpEngine | undefined) ?? 'native' },
    http: { engine: process.env.KUBELITE_BENCH_HTTP_ENGINE === 'js' ? 'js' : 'native' },
  });
  proxier.onServiceSynced();
  proxier.onEndpointsSynced();
  const send = (reply: ChildReply) => process.send?.(reply);

  process.on('message', async (request: ChildRequest) => {
    try {
      if (request.op === 'apply') {
        for (const service of request.services) proxier.onServiceAdd(service);
        for (const endpoints of request.endpoints) proxier.onEndpointsAdd(endpoints);
        const result = await proxier.sync();
        if (result.failed.length > 0) throw new Error(JSON.stringify(result.failed));
      } else if (request.op === 'endpoints') {
        proxier.onEndpointsUpdate(request.endpoints, request.endpoints);
        await proxier.sync();
      } else if (request.op === 'metrics') {
        send({ id: request.id, ok: true, metrics: await registry.metrics() });
        return;
      } else {
        await proxier.close();
        send({ id: request.id, ok: true });
        process.exit(0);
      }
      const addresses: Record<string, number> = {};
      for (const port of proxier.ports())
        addresses[port.key] = proxier.addresses(port.key)[0]?.port ?? port.port;
      send({ id: request.id, ok: true, addresses });
    } catch (err) {
      send({ id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
  process.on('SIGTERM', () => {
    void proxier.close().then(() => process.exit(0));
  });
  send({ id: 0, ok: true });
}

void main();
