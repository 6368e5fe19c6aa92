// Live apiservers for tests and benchmarks: in-process on a free port over any storage backend, or as
// a child process (`kubelite apiserver`) for crash and restart tests. Both clean up after themselves:
// servers, etcd processes and temporary directories.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type ApiServer, type ApiServerOptions, createApiServer } from '../../src/apiserver/server.js';
import { createMemoryStorage } from '../../src/apiserver/storage/memory/memory-store.js';
import type { Storage } from '../../src/apiserver/storage/types.js';
import { startEtcd } from './etcd.js';

export type Backend = 'memory' | 'embedded' | 'etcd';

export interface StartApiServerOptions extends Partial<Omit<ApiServerOptions, 'storage'>> {
  /** A Storage, a storage URL, or a backend to create fresh (temp dir / new etcd). Default 'memory'. */
  storage?: Storage | string | Backend;
}

export interface StartedApiServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly server: ApiServer;
  /** Stops the server and whatever the harness created for it (etcd, temp dir). */
  stop(): Promise<void>;
}

/** A storage URL for a fresh backend plus its cleanup. */
export async function freshStorageUrl(backend: Backend): Promise<{ url: string; cleanup(): Promise<void> }> {
  switch (backend) {
    case 'memory':
      return { url: 'memory://', cleanup: async () => {} };
    case 'embedded': {
      const dir = mkdtempSync(join(tmpdir(), 'kubelite-apiserver-'));
      return { url: `embedded://${dir}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    }
    case 'etcd': {
      const etcd = await startEtcd();
      const hosts = etcd.endpoints.map((e) => e.replace(/^https?:\/\//, '')).join(',');
      // A key prefix, as a shared etcd would have (also avoids an empty-prefix corner of the etcd store).
      return { url: `etcd://${hosts}/kubelite`, cleanup: () => etcd.stop() };
    }
  }
}

export async function startApiServer(options: StartApiServerOptions = {}): Promise<StartedApiServer> {
  const { storage: wanted = 'memory', ...rest } = options;
  let storage: Storage | string;
  let cleanup = async () => {};
  if (wanted === 'memory') storage = createMemoryStorage();
  else if (wanted === 'embedded' || wanted === 'etcd') {
    const fresh = await freshStorageUrl(wanted);
    storage = fresh.url;
    cleanup = fresh.cleanup;
  } else storage = wanted;
  const server = createApiServer({ port: 0, host: '127.0.0.1', ...rest, storage });
  try {
    await server.start();
  } catch (e) {
    await server.close().catch(() => {});
    await cleanup();
    throw e;
  }
  return {
    url: server.url,
    server,
    async stop() {
      try {
        await server.close();
        if (typeof storage !== 'string') await storage.close();
      } finally {
        await cleanup();
      }
    },
  };
}

export interface SpawnApiServerOptions {
  /** Storage URL (required: a child cannot share an in-memory store). */
  storage: string;
  /** Port to listen on; default 0 (a free one). A restarted child can take its predecessor's port. */
  port?: number;
  /** More `kubelite apiserver` flags (not --port: use `port`). */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the ready line; default 30 s. */
  startTimeoutMs?: number;
}

export interface SpawnedApiServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** SIGTERM and wait for exit (clean shutdown). */
  stop(): Promise<number | null>;
  /** SIGKILL (crash) and wait for exit. */
  kill(): Promise<void>;
}

const repoRoot = resolve(import.meta.dirname, '../..');

/** Runs `node --import tsx src/cmd/kubelite.ts apiserver --port N …` and waits for its ready line. */
export async function spawnApiServer(options: SpawnApiServerOptions): Promise<SpawnedApiServer> {
  if (options.args?.some((a) => a === '--port' || a.startsWith('--port='))) {
    throw new Error('spawnApiServer: pass the port as the `port` option, not in args');
  }
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cmd/kubelite.ts',
      'apiserver',
      '--port',
      String(options.port ?? 0),
      '--storage',
      options.storage,
      '--log-level',
      'warn',
      ...(options.args ?? []),
    ],
    { cwd: repoRoot, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`kubelite apiserver did not start in time; stderr:\n${stderr}`));
    }, options.startTimeoutMs ?? 30_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /listening on (https?:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        done(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`kubelite apiserver exited with ${code}; stderr:\n${stderr}`));
    });
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
