// A binary min-heap whose items remember their position, so a pod can be removed or re-ordered in
// O(log n) when it is updated or deleted while queued.

export interface HeapItem {
  heapIndex: number;
}

export class Heap<T extends HeapItem> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top) this.remove(top);
    return top;
  }

  has(item: T): boolean {
    return this.items[item.heapIndex] === item;
  }

  remove(item: T): boolean {
    const i = item.heapIndex;
    if (this.items[i] !== item) return false;
    const last = this.items.pop()!;
    if (last !== item) {
      this.items[i] = last;
      last.heapIndex = i;
      this.fix(i);
    }
    item.heapIndex = -1;
    return true;
  }

  /** Restores order after `item`'s key changed. */
  fix(i: number): void {
    if (!this.up(i)) this.down(i);
  }

  values(): readonly T[] {
    return this.items;
  }

  private up(i: number): boolean {
    const items = this.items;
    const item = items[i]!;
    const start = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(item, items[parent]!)) break;
      items[i] = items[parent]!;
      items[i]!.heapIndex = i;
      i = parent;
    }
    items[i] = item;
    item.heapIndex = i;
    return i !== start;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && this.less(items[r]!, items[l]!) ? r : l;
      if (!this.less(items[child]!, item)) break;
      items[i] = items[child]!;
      items[i]!.heapIndex = i;
      i = child;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
