// Least-connections: the backend with the fewest open connections (or outstanding requests in http
// mode); ties rotate so that an idle service still spreads its first connections.
import { type Backend, type Picker, type Tried, wasTried } from './backend.js';

export class LeastConnectionsPicker implements Picker {
  private cursor = 0;

  pick(backends: readonly Backend[], tried: Tried): Backend | undefined {
    const n = backends.length;
    let best: Backend | undefined;
    let bestIndex = 0;
    for (let i = 0; i < n; i++) {
      const index = (this.cursor + i) % n;
      const backend = backends[index]!;
      if (wasTried(tried, backend)) continue;
      if (best === undefined || backend.active < best.active) {
        best = backend;
        bestIndex = index;
      }
    }
    if (best !== undefined) this.cursor = (bestIndex + 1) % n;
    return best;
  }
}
