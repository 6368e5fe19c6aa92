// The child's half of `kubelite up` supervision. A component started by the supervisor holds the
// read end of a pipe on the fd named by KUBELITE_SUPERVISOR_FD. Nothing is ever written to it: when
// the supervisor's process ends for any reason (kill -9 included), the kernel closes the write end,
// this side reads end-of-file, and the component stops as it would on SIGTERM. So a dead supervisor
// leaves no cluster behind.
import { Socket } from 'node:net';

export function stopWhenSupervisorExits(env: NodeJS.ProcessEnv = process.env): void {
  const text = env.KUBELITE_SUPERVISOR_FD;
  // Not passed on to what the component starts (process-runtime containers inherit no such pipe).
  delete env.KUBELITE_SUPERVISOR_FD;
  if (text === undefined || !/^\d+$/.test(text)) return;
  let pipe: Socket;
  try {
    pipe = new Socket({ fd: Number(text), readable: true, writable: false });
  } catch {
    return; // not an open pipe: started by hand with the variable set, nothing to watch
  }
  let fired = false;
  const supervisorGone = (): void => {
    if (fired) return;
    fired = true;
    process.kill(process.pid, 'SIGTERM');
  };
  pipe.on('data', () => {});
  pipe.once('end', supervisorGone);
  pipe.once('error', supervisorGone);
  pipe.unref();
}
