// The kubelet's entry to container runtimes: `createRuntime({ kind, nodeName, … })`, where kind
// defaults to docker when a Docker socket exists and to process otherwise. Each runtime is also
// importable on its own (./docker, ./process, ./fake) with its full options.
import { existsSync } from 'node:fs';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/log.js';
import { createDockerRuntime, type DockerRuntimeOptions } from './docker/index.js';
import { RuntimeError } from './errors.js';
import { createFakeRuntime, type FakeRuntimeOptions } from './fake/index.js';
import { createProcessRuntime, type ProcessRuntimeOptions } from './process/index.js';
import type { Runtime, RuntimeKind } from './types.js';

export { createDockerRuntime, type DockerRuntimeOptions } from './docker/index.js';
export * from './errors.js';
export { createFakeRuntime, type FakeRuntime, type FakeRuntimeOptions } from './fake/index.js';
export { instrumentRuntime } from './instrumented.js';
export { createProcessRuntime, type ProcessRuntimeOptions } from './process/index.js';
export * from './types.js';

export interface RuntimeOptions {
  /** Default: docker when `dockerSocket` exists, else process. */
  kind?: RuntimeKind;
  nodeName: string;
  /** Default /var/run/docker.sock. */
  dockerSocket?: string;
  /** Where host ports listen (a loopback node address; default 127.0.0.1). */
  hostPortAddress?: string;
  /** Pod IP range for the process (loopback, default 127.1.0.0/24) and fake (default 10.88.0.0/16) runtimes. */
  podCidr?: string;
  /** Process runtime state directory (default <tmpdir>/kubelite-process/<nodeName>). */
  stateDir?: string;
  /** Images the node claims to have (process and fake runtimes; default: any). */
  images?: string[];
  clock?: Clock;
  logger?: Logger;
  /** Options only one runtime understands. */
  docker?: Partial<DockerRuntimeOptions>;
  process?: Partial<ProcessRuntimeOptions>;
  fake?: Partial<FakeRuntimeOptions>;
}

export function defaultRuntimeKind(dockerSocket = '/var/run/docker.sock'): RuntimeKind {
  return existsSync(dockerSocket) ? 'docker' : 'process';
}

export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const kind = options.kind ?? defaultRuntimeKind(options.dockerSocket);
  const common = {
    nodeName: options.nodeName,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  };
  switch (kind) {
    case 'docker':
      return createDockerRuntime({
        ...common,
        ...(options.dockerSocket ? { socketPath: options.dockerSocket } : {}),
        ...(options.hostPortAddress ? { hostPortAddress: options.hostPortAddress } : {}),
        ...options.docker,
      });
    case 'process':
      return createProcessRuntime({
        ...common,
        ...(options.hostPortAddress ? { hostPortAddress: options.hostPortAddress } : {}),
        ...(options.podCidr ? { podCidr: options.podCidr } : {}),
        ...(options.stateDir ? { stateDir: options.stateDir } : {}),
        ...(options.images ? { images: options.images } : {}),
        ...options.process,
      });
    case 'fake':
      return createFakeRuntime({
        ...common,
        ...(options.podCidr ? { podCidr: options.podCidr } : {}),
        ...(options.images ? { images: options.images } : {}),
        ...options.fake,
      });
    default:
      throw new RuntimeError(
        'InvalidConfig',
        `unknown runtime kind "${kind as string}" (docker, process or fake)`,
      );
  }
}
