// One stop signal is handed to many long-lived users at once (every informer of a component, every
// controller's workers): each holds an 'abort' listener while it runs and removes it when done. Node
// warns (MaxListenersExceededWarning) once a signal has more than 10 listeners, to catch listeners
// that are never removed. Instead of switching that check off, each fan-out point reserves the
// listeners it is known to hold and gives them back when it ends, so a real leak still warns.
import { getMaxListeners, setMaxListeners } from 'node:events';

/** The signal's listener limit; 0 = unlimited (Node 20's getMaxListeners throws for 0). */
function limitOf(signal: AbortSignal): number {
  try {
    return getMaxListeners(signal);
  } catch {
    return 0;
  }
}

/** Raises the signal's listener limit by `count`; the returned function lowers it again (once). */
export function reserveAbortListeners(signal: AbortSignal, count: number): () => void {
  // Unlimited: nothing to raise (and raising 0 by `count` would add a limit).
  if (count <= 0 || signal.aborted || limitOf(signal) === 0) return () => {};
  setMaxListeners(limitOf(signal) + count, signal);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const limit = limitOf(signal);
    if (limit !== 0) setMaxListeners(Math.max(1, limit - count), signal);
  };
}
