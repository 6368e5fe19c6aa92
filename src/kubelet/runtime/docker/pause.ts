// Starting an infra container and waiting until its pause program says "ready": it has removed the
// pod's default route by then (see images/pause), so no spec container ever runs with a route out.
// The output is read through an attach made before the start, so the line cannot be missed.
import type Dockerode from 'dockerode';
import { RuntimeError } from '../errors.js';

export async function waitForPauseReady(container: Dockerode.Container, timeoutMs: number): Promise<void> {
  const stream = (await container.attach({
    stream: true,
    stdout: true,
    stderr: true,
  })) as unknown as NodeJS.ReadableStream & {
    destroy(): void;
  };
  let output = '';
  let timer: NodeJS.Timeout | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => {
      // Multiplexed frames: the 8-byte headers do not matter for finding a line of text.
      output += chunk.toString('latin1');
      if (/(^|[^a-z])ready\n/.test(output)) resolve();
    });
    stream.once('end', () => reject(pauseFailed(container.id, output, 'exited')));
    stream.once('error', (err) => reject(pauseFailed(container.id, output, (err as Error).message)));
    timer = setTimeout(
      () => reject(pauseFailed(container.id, output, `not ready after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  ready.catch(() => {});
  try {
    await container.start();
    await ready;
  } finally {
    clearTimeout(timer);
    stream.destroy();
  }
}

function pauseFailed(id: string, output: string, why: string): RuntimeError {
  const text = output.replace(/[\x00-\x08\x0e-\x1f]/g, '').trim();
  return new RuntimeError(
    'Unavailable',
    `infra container ${id.slice(0, 12)} failed (${why})${text ? `: ${text}` : ''}`,
  );
}
