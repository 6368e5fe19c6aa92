// Round-robin: each new connection goes to the next backend in key order.
import { type Backend, type Picker, type Tried, wasTried } from './backend.js';

export class RoundRobinPicker implements Picker {
  private cursor = 0;

  pick(backends: readonly Backend[], tried: Tried): Backend | undefined {
    const n = backends.length;
    for (let i = 0; i < n; i++) {
      const index = (this.cursor + i) % n;
      const backend = backends[index]!;
      if (wasTried(tried, backend)) continue;
      this.cursor = (index + 1) % n;
      return backend;
    }
    return undefined;
  }
}
