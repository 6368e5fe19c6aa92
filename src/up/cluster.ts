// The `kubelite up` supervisor: a whole cluster on this machine as child processes of the kubelite
// binary. Start order: apiserver (until /readyz answers) → scheduler and controller-manager → every
// node's kubelet and proxy; then the nodes are watched until Ready. Stop goes the other way, each
// component given stopTimeoutMs between SIGTERM and SIGKILL. Components that exit on their own are
// reported and restarted with back-off (component.ts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultAdvertiseAddress } from '../apiserver/options.js';
import { clientOptionsFromKubeconfig, loadKubeconfig, writeKubeconfig } from '../client/kubeconfig.js';
import { createClient, type KubeClient } from '../client/rest.js';
import { defaultApiserverAddresses, ensureClusterPki } from '../pki/cluster.js';
import { createLogger, type Logger } from '../util/log.js';
import { type ComponentEvent, type ComponentProcess, createComponentProcess } from './component.js';
import { type ClusterLayout, layoutCluster } from './layout.js';
import { type DataDirLock, lockDataDir } from './lock.js';
import { createNodeWatch, type NodeReadiness } from './node-watch.js';
import { type ResolvedUpOptions, type RuntimeKind, resolveUpOptions, type UpOptions } from './options.js';
import { type ComponentSpec, planComponents, stages } from './plan.js';
import { decideRuntime, probeDocker, type RuntimeDecision } from './runtime-choice.js';
import {
  type ClusterState,
  leftoverComponents,
  readClusterState,
  stopLeftovers,
  writeClusterState,
} from './state.js';
import type { StatusReporter } from './status.js';

export interface ClusterOptions extends UpOptions {
  reporter: StatusReporter;
  /** The children's environment before KUBELITE_* variables are removed (flags carry all settings). */
  env?: NodeJS.ProcessEnv;
  /** The supervisor's own structured log; default <data-dir>/logs/up.log. */
  logger?: Logger;
}

export interface RunningCluster {
  readonly options: ResolvedUpOptions;
  readonly layout: ClusterLayout;
  /** Why this runtime, in words. */
  readonly runtimeReason: string;
  readonly components: readonly ComponentProcess[];
  /** Resolves true once every node reports Ready (false if the signal aborts first). */
  nodesReady(signal: AbortSignal): Promise<boolean>;
  readiness(): NodeReadiness[];
  /** Stops the components in reverse start order, then releases the data dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL to every component now (a second Ctrl-C); stop() still finishes the bookkeeping. */
  kill(): Promise<void>;
}

export type StartFailure = 'Locked' | 'RuntimeUnavailable' | 'ApiserverFailed' | 'Aborted';

export type StartResult =
  | { ok: true; cluster: RunningCluster }
  | { ok: false; reason: StartFailure; message: string };

/** The parent's environment without KUBELITE_* settings meant for `up` itself. */
export function childEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('KUBELITE_')) out[k] = v;
  return out;
}

/** Aborts when either aborts (held by both sources' listeners, unlike AbortSignal.any's weak links). */
function eitherSignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const both = new AbortController();
  const abort = () => both.abort();
  if (a.aborted || b.aborted) abort();
  a.addEventListener('abort', abort, { once: true });
  b.addEventListener('abort', abort, { once: true });
  return both.signal;
}

/** Polls /readyz (startup only) until it answers 200; false when `failed()` or the signal says stop. */
async function waitForReadyz(
  client: KubeClient,
  signal: AbortSignal,
  failed: () => boolean,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted && !failed() && Date.now() < deadline) {
    // A controller of our own: Node 20 may collect AbortSignal.timeout() inside AbortSignal.any() unfired.
    const attempt = new AbortController();
    const cancel = () => attempt.abort();
    const timer = setTimeout(cancel, 2000);
    signal.addEventListener('abort', cancel, { once: true });
    try {
      // Through the admin kubeconfig: over TLS, /readyz needs an authenticated caller too.
      await client.raw('GET', '/readyz', undefined, { signal: attempt.signal, timeoutMs: 2000 });
      return true;
    } catch {
      // not listening yet
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', cancel);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  return false;
}

/** Probes Docker when the choice depends on it, then decides. */
export async function chooseRuntime(
  options: ResolvedUpOptions,
  previous: RuntimeKind | undefined,
): Promise<RuntimeDecision> {
  const probe =
    options.runtime === 'auto' || options.runtime === 'docker'
      ? await probeDocker(options.dockerSocket)
      : { answers: false, hasPauseImage: false, error: 'not probed' };
  return decideRuntime(options.runtime, probe, options.dockerSocket, previous);
}

/** What `up` would run, without locking or starting anything (`kubelite up --print-config`). */
export async function previewCluster(
  input: UpOptions,
): Promise<
  | { ok: true; runtimeReason: string; layout: ClusterLayout; components: ComponentSpec[] }
  | { ok: false; message: string }
> {
  const options = resolveUpOptions(input);
  const runtime = await chooseRuntime(options, readClusterState(options.dataDir)?.layout.runtime);
  if (!runtime.ok) return { ok: false, message: runtime.error };
  const layout = await layoutCluster(options, runtime.kind);
  return { ok: true, runtimeReason: runtime.reason, layout, components: planComponents(options, layout) };
}

export async function startCluster(input: ClusterOptions, signal: AbortSignal): Promise<StartResult> {
  const options = resolveUpOptions(input);
  const { reporter } = input;
  const logDir = join(options.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const locked = lockDataDir(options.dataDir);
  if (!locked.ok) {
    return {
      ok: false,
      reason: 'Locked',
      message: `another kubelite up (pid ${locked.ownerPid}) runs on ${options.dataDir} (lock ${locked.path})`,
    };
  }
  const lock: DataDirLock = locked.lock;
  const logger = input.logger ?? createLogger({ component: 'up', destination: join(logDir, 'up.log') });
  try {
    const previous = readClusterState(options.dataDir);
    const leftovers = previous ? leftoverComponents(previous) : [];
    if (leftovers.length > 0) {
      reporter.say(
        `stopping ${leftovers.map((l) => `${l.name} (pid ${l.pid})`).join(', ')} left by an earlier up`,
        'warn',
      );
      logger.warn({ leftovers }, 'stopping leftover components');
      await stopLeftovers(
        leftovers.map((l) => l.pid),
        options.stopTimeoutMs,
      );
    }
    const runtime = await chooseRuntime(options, previous?.layout.runtime);
    if (!runtime.ok) {
      lock.release();
      return { ok: false, reason: 'RuntimeUnavailable', message: runtime.error };
    }
    reporter.say(`runtime ${runtime.kind}: ${runtime.reason}`, 'info');
    const layout = await layoutCluster(options, runtime.kind);
    if (layout.secure) {
      // The CA, every component's certificate and kubeconfig, and the admin kubeconfig (system:masters).
      ensureClusterPki({
        dir: layout.pkiDir,
        server: layout.server,
        // The apiserver's advertise address (its default from the bind address, as up passes none)
        // and its service range: pods reach it at the range's first IP (Service default/kubernetes).
        apiserverAddresses: [...defaultApiserverAddresses(), defaultAdvertiseAddress(layout.apiserverHost)],
        serviceClusterIpRange: options.serviceClusterIpRange,
        nodes: layout.nodes.map((n) => ({ name: n.name, address: n.address })),
        adminKubeconfig: layout.kubeconfigPath,
      });
    } else writeKubeconfig(layout.kubeconfigPath, { server: layout.server });
    logger.info({ layout, runtimeReason: runtime.reason }, 'starting cluster');
    return await launch(options, input, layout, runtime.reason, lock, logger, signal);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function launch(
  options: ResolvedUpOptions,
  input: ClusterOptions,
  layout: ClusterLayout,
  runtimeReason: string,
  lock: DataDirLock,
  logger: Logger,
  signal: AbortSignal,
): Promise<StartResult> {
  const { reporter } = input;
  const state: ClusterState = { version: 1, supervisorPid: process.pid, layout, components: {} };
  writeClusterState(options.dataDir, state);
  const env = childEnvironment(input.env ?? process.env);
  const startedAt = Date.now();
  let apiserverExits = 0;

  // cluster.json first, then the terminal: whoever reacts to a line finds the file up to date.
  const onEvent = (event: ComponentEvent): void => {
    if (event.type === 'started') {
      state.components[event.name] = {
        pid: event.pid,
        argv: event.argv,
        startedAt: new Date().toISOString(),
      };
    } else if (event.type === 'stopped' || event.type === 'exited') {
      delete state.components[event.name];
      if (event.name === 'apiserver' && event.type === 'exited') apiserverExits++;
    }
    if (event.type !== 'restarting') writeClusterState(options.dataDir, state);
    logger.info(event, `component ${event.type}`);
    reporter.component(event);
  };
  const specs = planComponents(options, layout);
  const components = specs.map((spec: ComponentSpec) =>
    createComponentProcess({
      spec,
      command: process.execPath,
      commandArgs: options.entryArgs,
      logFile: join(layout.logDir, `${spec.name}.log`),
      env,
      onEvent,
      restartBackoff: options.restartBackoff,
      stableRunMs: options.stableRunMs,
    }),
  );
  const ofStage = (stage: number) => components.filter((c) => c.spec.stage === stage);

  const watchStop = new AbortController();
  let client: KubeClient | undefined;
  let watching: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      watchStop.abort();
      for (const stage of [stages.node, stages.master, stages.apiserver]) {
        await Promise.all(ofStage(stage).map((c) => c.stop(options.stopTimeoutMs)));
      }
      await watching?.catch(() => {});
      await client?.close().catch(() => {});
      writeClusterState(options.dataDir, state);
      logger.info('cluster stopped');
      logger.flush();
      lock.release();
    })());

  for (const c of ofStage(stages.apiserver)) c.start();
  client = createClient(clientOptionsFromKubeconfig(loadKubeconfig(layout.kubeconfigPath)));
  const ready = await waitForReadyz(client, signal, () => apiserverExits > 0, options.startTimeoutMs);
  if (!ready) {
    const apiserverLog = join(layout.logDir, 'apiserver.log');
    await stop();
    if (signal.aborted) return { ok: false, reason: 'Aborted', message: 'interrupted while starting' };
    return {
      ok: false,
      reason: 'ApiserverFailed',
      message:
        apiserverExits > 0
          ? `the apiserver exited while starting (see ${apiserverLog})`
          : `the apiserver did not become ready within ${options.startTimeoutMs / 1000}s (see ${apiserverLog})`,
    };
  }
  for (const c of ofStage(stages.master)) c.start();
  for (const c of ofStage(stages.node)) c.start();

  const nodeWatch = createNodeWatch({
    client,
    names: layout.nodes.map((n) => n.name),
    heartbeatSinceMs: startedAt,
    onChange: (readiness) => {
      reporter.node(readiness);
      logger.info(readiness, 'node readiness');
    },
    logger,
  });
  watching = nodeWatch.run(watchStop.signal);

  return {
    ok: true,
    cluster: {
      options,
      layout,
      runtimeReason,
      components,
      nodesReady: (s) => nodeWatch.allReady(eitherSignal(s, watchStop.signal)),
      readiness: () => nodeWatch.readiness(),
      stop,
      async kill() {
        await Promise.all(components.map((c) => c.kill()));
      },
    },
  };
}
