// hostPort for runtimes whose pods sit on a network Docker does not publish ports from (kubelite0 is
// internal) or on loopback addresses (process): the runtime listens on hostIp:hostPort itself and
// forwards each TCP connection to podIp:containerPort. Only TCP; listeners live as long as the
// runtime object, and a restarted runtime reopens them for the sandboxes it adopts.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../util/log.js';
import { RuntimeError } from './errors.js';
import type { PortMapping } from './types.js';

export interface HostPortOptions {
  /** Where host ports listen unless a mapping names its hostIp (a loopback node address). */
  defaultHostIp: string;
  logger: Logger;
}

export class HostPortForwarder {
  private readonly servers = new Map<string, Server[]>();
  private readonly sockets = new Map<string, Set<Socket>>();

  constructor(private readonly options: HostPortOptions) {}

  /** Rejects mappings this runtime cannot honour, before anything is created. */
  static validate(mappings: readonly PortMapping[] | undefined): void {
    for (const m of mappings ?? []) {
      if (m.hostPort === undefined) continue;
      if ((m.protocol ?? 'TCP') !== 'TCP') {
        throw new RuntimeError(
          'Unsupported',
          `hostPort ${m.hostPort}/${m.protocol}: only TCP host ports are supported`,
        );
      }
      if (!Number.isInteger(m.hostPort) || m.hostPort < 1 || m.hostPort > 65535) {
        throw new RuntimeError('InvalidConfig', `hostPort ${m.hostPort} is not a port number`);
      }
    }
  }

  async open(sandboxId: string, podIp: string, mappings: readonly PortMapping[] | undefined): Promise<void> {
    const wanted = (mappings ?? []).filter((m) => m.hostPort !== undefined);
    if (wanted.length === 0 || this.servers.has(sandboxId)) return;
    const servers: Server[] = [];
    const sockets = new Set<Socket>();
    this.servers.set(sandboxId, servers);
    this.sockets.set(sandboxId, sockets);
    try {
      for (const m of wanted) {
        const hostIp = m.hostIp || this.options.defaultHostIp;
        const server = createServer((client) => this.forward(client, podIp, m.containerPort, sockets));
        servers.push(server);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host: hostIp, port: m.hostPort, exclusive: true }, () => {
            server.off('error', reject);
            resolve();
          });
        }).catch((err: NodeJS.ErrnoException) => {
          throw new RuntimeError(
            'HostPortUnavailable',
            `cannot listen on ${hostIp}:${m.hostPort} for the pod's port ${m.containerPort}: ${err.code ?? err.message}`,
            { cause: err },
          );
        });
      }
    } catch (err) {
      await this.close(sandboxId);
      throw err;
    }
  }

  async close(sandboxId: string): Promise<void> {
    const servers = this.servers.get(sandboxId);
    if (!servers) return;
    this.servers.delete(sandboxId);
    for (const s of this.sockets.get(sandboxId) ?? []) s.destroy();
    this.sockets.delete(sandboxId);
    await Promise.all(
      servers.map(
        (s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve())),
      ),
    );
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((id) => this.close(id)));
  }

  private forward(client: Socket, podIp: string, port: number, sockets: Set<Socket>): void {
    const upstream = createConnection({ host: podIp, port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.once('close', () => sockets.delete(s));
    }
    client.on('error', () => upstream.destroy());
    upstream.on('error', (err) => {
      this.options.logger.debug({ err, podIp, port }, 'host port upstream failed');
      client.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
