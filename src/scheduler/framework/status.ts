// The result of running a plugin: a value, never an exception. Codes follow the scheduler
// framework's: Unschedulable means "another node, or this node after a cluster change, may fit";
// UnschedulableAndUnresolvable means "no change short of editing the pod or node helps here".
// Success and the common rejections are shared constants, so a filter pass allocates nothing.

export type StatusCode = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error' | 'Skip';

export class Status {
  /** Which plugin produced it; set by the framework when the plugin did not say. */
  plugin: string;

  constructor(
    readonly code: StatusCode,
    readonly reasons: readonly string[] = [],
    plugin = '',
  ) {
    this.plugin = plugin;
  }

  isSuccess(): boolean {
    return this.code === 'Success';
  }

  /** Unschedulable or UnschedulableAndUnresolvable: the pod was rejected, not broken. */
  isRejected(): boolean {
    return this.code === 'Unschedulable' || this.code === 'UnschedulableAndUnresolvable';
  }

  message(): string {
    return this.reasons.join(', ');
  }
}

export const success = new Status('Success');
export const skip = new Status('Skip');

export function unschedulable(plugin: string, ...reasons: string[]): Status {
  return new Status('Unschedulable', reasons, plugin);
}

export function unresolvable(plugin: string, ...reasons: string[]): Status {
  return new Status('UnschedulableAndUnresolvable', reasons, plugin);
}

export function errorStatus(plugin: string, err: unknown): Status {
  return new Status('Error', [err instanceof Error ? err.message : String(err)], plugin);
}
