// Per scheduling cycle scratch space: PreFilter and PreScore write what Filter and Score read for
// every node. One instance per pod attempt, discarded afterwards.
export class CycleState {
  private readonly data = new Map<string, unknown>();

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
}
