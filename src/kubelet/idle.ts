// Promises that resolve when a queue has drained: what tests and shutdown wait on.
export class IdleSignal {
  private waiters: Array<() => void> = [];

  /** Resolves at once when `idle`, else at the next notify(true). */
  wait(idle: boolean): Promise<void> {
    if (idle) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  notify(idle: boolean): void {
    if (!idle || this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
