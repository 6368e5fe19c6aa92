// execSync through Docker's exec API: output demultiplexed into stdout and stderr, the exit code
// from the exec's inspect. On timeout the exec's process is killed by its host pid (Docker has no
// API to stop an exec; the runtime runs on the Docker host, as a kubelet does).
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { RuntimeError } from '../errors.js';
import type { ExecResult } from '../types.js';

export async function dockerExec(
  container: Dockerode.Container,
  cmd: string[],
  timeoutMs: number,
): Promise<ExecResult> {
  let exec: Dockerode.Exec;
  try {
    exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 409) {
      throw new RuntimeError('NotRunning', `container "${container.id}" is not running`);
    }
    throw err;
  }
  const stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadWriteStream & {
    destroy(): void;
  };
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const out = new PassThrough();
  const err = new PassThrough();
  out.on('data', (c: Buffer) => stdout.push(c));
  err.on('data', (c: Buffer) => stderr.push(c));
  container.modem.demuxStream(stream, out, err);
  let timer: NodeJS.Timeout | undefined;
  const finished = new Promise<'done'>((resolve) => {
    stream.once('end', () => resolve('done'));
    stream.once('close', () => resolve('done'));
    stream.once('error', () => resolve('done'));
  });
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const first = await Promise.race([finished, timedOut]);
  clearTimeout(timer);
  if (first === 'timeout') {
    const info = await exec.inspect().catch(() => undefined);
    if (info?.Running && info.Pid > 0) {
      try {
        process.kill(info.Pid, 'SIGKILL');
      } catch {
        // already gone, or not on this host
      }
    }
    stream.destroy();
    return { exitCode: -1, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), timedOut: true };
  }
  const info = await exec.inspect();
  return {
    exitCode: info.ExitCode ?? -1,
    stdout: Buffer.concat(stdout),
    stderr: Buffer.concat(stderr),
    timedOut: false,
  };
}
