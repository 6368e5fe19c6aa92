// Allocators for service cluster IPs and node ports: a set of taken offsets in a contiguous range,
// random first choice (as Kubernetes does, so a restart does not hand out the same values in the
// same order) and a linear probe from there. The apiserver rebuilds them from the stored services at
// start, so reservations survive restarts without a separate allocation record.

export class RangeAllocator {
  private readonly taken = new Set<number>();

  /**
   * Offsets 0..size-1 map to values base..base+size-1 (an IPv4 address as a number, or a port). The
   * first `staticBand` offsets are where users pick fixed values (30080, x.y.0.10): free choices come
   * from above it while anything is free there (Kubernetes' KEP-3070/3668 split).
   */
  constructor(
    readonly base: number,
    readonly size: number,
    readonly staticBand = 0,
  ) {
    if (!(size > 0)) throw new Error('allocator range is empty');
  }

  get used(): number {
    return this.taken.size;
  }

  contains(value: number): boolean {
    return value >= this.base && value < this.base + this.size;
  }

  isTaken(value: number): boolean {
    return this.taken.has(value - this.base);
  }

  /** Reserves `value`; 'range' when outside the range, 'taken' when someone holds it. */
  allocate(value: number): 'ok' | 'range' | 'taken' {
    if (!this.contains(value)) return 'range';
    const offset = value - this.base;
    if (this.taken.has(offset)) return 'taken';
    this.taken.add(offset);
    return 'ok';
  }

  /** Reserves some free value (above the static band first), or undefined when the range is full. */
  allocateNext(): number | undefined {
    if (this.taken.size >= this.size) return undefined;
    return this.pick(this.staticBand, this.size) ?? this.pick(0, this.staticBand);
  }

  private pick(from: number, to: number): number | undefined {
    const span = to - from;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const offset = from + ((start + i) % span);
      if (!this.taken.has(offset)) {
        this.taken.add(offset);
        return this.base + offset;
      }
    }
    return undefined;
  }

  release(value: number): void {
    if (this.contains(value)) this.taken.delete(value - this.base);
  }
}

/** Usable addresses of an IPv4 CIDR (network and broadcast addresses excluded, as Kubernetes does). */
export function ipRangeAllocator(cidr: string): RangeAllocator {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr.trim());
  const prefix = m ? Number(m[2]) : Number.NaN;
  const network = m ? parseIPv4(m[1]!) : undefined;
  if (network === undefined || !(prefix >= 8 && prefix <= 30)) {
    throw new Error(
      `invalid service cluster IP range "${cidr}": want an IPv4 CIDR with a prefix of 8 to 30 bits`,
    );
  }
  const size = 2 ** (32 - prefix);
  const base = network - (network % size);
  return new RangeAllocator(base + 1, size - 2, staticBandOf(size, 16, 256, 16));
}

/** Node ports: a static band of min(max(16, size/32), 128) ports at the bottom of the range. */
export function portRangeAllocator(min: number, max: number): RangeAllocator {
  const size = max - min + 1;
  return new RangeAllocator(min, size, staticBandOf(size, 16, 128, 32));
}

/** Kubernetes' band size: min(max(lower, size/step), upper), never the whole range. */
function staticBandOf(size: number, lower: number, upper: number, step: number): number {
  const band = Math.min(Math.max(lower, Math.floor(size / step)), upper);
  return band >= size ? 0 : band;
}

export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

export function formatIPv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
