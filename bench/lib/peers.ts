// Peer servers for benchmarks, run as our own processes from temporary configs: nginx backends
// (Debian nginx-light, `daemon off`, one process each) and HAProxy (1 thread, tcp or http mode).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { spawnTracked, stderrTail, waitUntil } from './processes.js';

export const nginxBinary = '/usr/sbin/nginx';
export const haproxyBinary = '/usr/sbin/haproxy';

export interface Peer {
  name: string;
  process: ChildProcess;
  port: number;
}

/** Resolves when something accepts TCP connections on host:port (optionally inside a netns check). */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface NginxBackendOptions {
  name: string;
  port: number;
  dir: string;
  /** Body of `GET /`; `GET /64k` serves a 64 KiB file. */
  body: string;
  /** Prefix the command (e.g. `ip netns exec NS`). */
  wrap?: string[];
  /** Skip the readiness probe (when the port is only reachable inside a netns). */
  probe?: (port: number) => Promise<boolean>;
}

/** One nginx process (master_process off, one event loop) serving a fixed body and a 64 KiB file. */
export async function startNginx(options: NginxBackendOptions): Promise<Peer> {
  const dir = join(options.dir, options.name);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'html'), { recursive: true });
  const big = join(dir, 'html', '64k');
  if (!existsSync(big)) writeFileSync(big, Buffer.alloc(64 * 1024, 0x61));
  const config = `
daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs', 'error.log')} error;
events { worker_connections 8192; multi_accept on; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path ${join(dir, 'tmp')};
  proxy_temp_path ${join(dir, 'tmp')};
  fastcgi_temp_path ${join(dir, 'tmp')};
  uwsgi_temp_path ${join(dir, 'tmp')};
  scgi_temp_path ${join(dir, 'tmp')};
  default_type text/plain;
  server {
    listen 127.0.0.1:${options.port} backlog=4096 reuseport;
    root ${join(dir, 'html')};
    location = / { return 200 '${options.body}'; }
    location = /64k { }
  }
}
`;
  const configPath = join(dir, 'nginx.conf');
  writeFileSync(configPath, config);
  const [command, ...args] = [
    ...(options.wrap ?? []),
    nginxBinary,
    '-p',
    dir,
    '-c',
    configPath,
    '-e',
    join(dir, 'logs', 'error.log'),
  ];
  const child = spawnTracked(command!, args);
  const probe = options.probe ?? portOpen;
  await waitUntil(
    () => probe(options.port),
    10_000,
    () => `nginx ${options.name} (${stderrTail(child)})`,
  );
  return { name: options.name, process: child, port: options.port };
}

export interface HaproxyOptions {
  name: string;
  mode: 'tcp' | 'http';
  port: number;
  backends: number[];
  dir: string;
}

/** HAProxy 2.6 with one thread, round-robin over the backends; http mode reuses backend connections. */
export async function startHaproxy(options: HaproxyOptions): Promise<Peer> {
  mkdirSync(options.dir, { recursive: true });
  const servers = options.backends
    .map(
      (port, i) => `  server s${i} 127.0.0.1:${port}${options.mode === 'http' ? ' pool-max-conn 1000' : ''}`,
    )
    .join('\n');
  const httpOptions = options.mode === 'http' ? '  http-reuse always\n  option http-keep-alive\n' : '';
  const config = `
global
  nbthread 1
  maxconn 8000
  tune.maxaccept 64
defaults
  mode ${options.mode}
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s
frontend ft
  bind 127.0.0.1:${options.port} backlog 4096
  default_backend bk
backend bk
  balance roundrobin
${httpOptions}${servers}
`;
  const configPath = join(options.dir, `${options.name}.cfg`);
  writeFileSync(configPath, config);
  const child = spawnTracked(haproxyBinary, ['-db', '-f', configPath]);
  await waitUntil(
    () => portOpen(options.port),
    10_000,
    () => `haproxy ${options.name} (${stderrTail(child)})`,
  );
  return { name: options.name, process: child, port: options.port };
}
