// Which container runtime the kubelets of `kubelite up` use, and why, in words for the terminal.
// Auto: docker when a Docker daemon answers on its socket and has the pause image every pod needs
// (scripts/build-images.sh builds it; no registry is reachable), else process. A cluster restarted
// on the same data dir keeps the runtime its containers run in while that runtime still works.
import { Agent, request } from 'undici';
import type { RuntimeKind } from './options.js';

export const pauseImage = 'kubelite/pause:latest';

export interface DockerProbe {
  /** The daemon answered /_ping. */
  answers: boolean;
  /** The pause image is present (only asked when the daemon answers). */
  hasPauseImage: boolean;
  /** Why the daemon did not answer. */
  error?: string;
}

export type RuntimeDecision = { ok: true; kind: RuntimeKind; reason: string } | { ok: false; error: string };

export async function probeDocker(socketPath: string, timeoutMs = 2000): Promise<DockerProbe> {
  const dispatcher = new Agent({ connect: { socketPath, timeout: timeoutMs } });
  const get = (path: string) =>
    request(`http://docker${path}`, { dispatcher, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  try {
    const ping = await get('/_ping');
    await ping.body.dump();
    if (ping.statusCode !== 200)
      return { answers: false, hasPauseImage: false, error: `HTTP ${ping.statusCode}` };
    const image = await get(`/images/${encodeURIComponent(pauseImage)}/json`);
    await image.body.dump();
    return { answers: true, hasPauseImage: image.statusCode === 200 };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { answers: false, hasPauseImage: false, error: e.code ?? e.message };
  } finally {
    await dispatcher.close();
  }
}

const buildHint = 'build it with scripts/build-images.sh';

export function decideRuntime(
  wanted: RuntimeKind | 'auto',
  docker: DockerProbe,
  socketPath: string,
  previous?: RuntimeKind,
): RuntimeDecision {
  const dockerUsable = docker.answers && docker.hasPauseImage;
  if (wanted === 'docker') {
    if (!docker.answers) {
      return {
        ok: false,
        error: `--runtime docker: no Docker daemon answers at ${socketPath} (${docker.error})`,
      };
    }
    if (!docker.hasPauseImage) {
      return { ok: false, error: `--runtime docker: the image ${pauseImage} is missing; ${buildHint}` };
    }
    return { ok: true, kind: 'docker', reason: 'as asked' };
  }
  if (wanted !== 'auto') return { ok: true, kind: wanted, reason: 'as asked' };
  if (previous === 'docker' && dockerUsable) {
    return { ok: true, kind: 'docker', reason: 'as when this cluster last ran; the Docker daemon answers' };
  }
  if (previous === 'fake' || previous === 'process') {
    return { ok: true, kind: previous, reason: 'as when this cluster last ran (--runtime to change)' };
  }
  if (dockerUsable) {
    return { ok: true, kind: 'docker', reason: `a Docker daemon answers at ${socketPath}` };
  }
  if (docker.answers) {
    return {
      ok: true,
      kind: 'process',
      reason: `a Docker daemon answers but has no ${pauseImage}; ${buildHint} to run pods in containers`,
    };
  }
  return {
    ok: true,
    kind: 'process',
    reason: `no Docker daemon answers at ${socketPath} (${docker.error}); pods run as host processes`,
  };
}
