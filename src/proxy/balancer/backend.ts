// A backend is one endpoint as the data paths see it: its address plus live counters. Backend objects
// outlive endpoint swaps (the same key keeps the same object), so connection counts stay right when a
// service's endpoints change, and connections to a removed backend drain while it gets no new ones.
import type { EndpointAddress } from '../config.js';

export class Backend {
  /** Open connections (tcp) or outstanding requests (http): what least-connections balances on. */
  active = 0;
  /** Set when the endpoint left the service: no new connections, existing ones drain. */
  removed = false;

  constructor(
    readonly key: string,
    readonly ip: string,
    readonly port: number,
  ) {}

  static from(address: EndpointAddress): Backend {
    return new Backend(address.key, address.ip, address.port);
  }
}

/** Endpoints already tried for one connection (retries exclude them); usually empty. */
export type Tried = readonly Backend[] | undefined;

export function wasTried(tried: Tried, backend: Backend): boolean {
  return tried?.includes(backend) === true;
}

/** Chooses among the current backends; `tried` excludes endpoints a retry already failed on. */
export interface Picker {
  pick(backends: readonly Backend[], tried: Tried): Backend | undefined;
}
