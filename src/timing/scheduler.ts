/**
 * One timer structure per worker for every open stream and every pending non-streaming answer.
 *
 * A binary min-heap of tasks ordered by absolute due time (performance.now() ms) and one timer armed
 * for the earliest. libuv timers have 1 ms resolution and fire up to ~1 ms late, so the timer is
 * armed `spinMs` early and the last stretch is covered by setImmediate turns, which let I/O run in
 * between: that is what holds ITL error well under a millisecond. Tasks due within `leadMs` run now.
 */
export interface ScheduledTask {
  /** Absolute due time, performance.now() ms. */
  due: number;
  /** Called at (or just after) `due`; may call schedule() again to run later. */
  run(now: number): void;
  /** Heap slot, -1 while not scheduled. Owned by the scheduler. */
  slot: number;
}

export interface SchedulerOptions {
  /** Run tasks due within this many ms of now (a smaller error than waking again). */
  readonly leadMs?: number;
  /** Arm the timer this many ms early and spin on setImmediate for the rest. */
  readonly spinMs?: number;
  /** Yield to I/O after this much work in one turn, so a burst cannot starve the sockets. */
  readonly sliceMs?: number;
}

export class TokenScheduler {
  private readonly heap: ScheduledTask[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private armedFor = Infinity;
  private readonly leadMs: number;
  private readonly spinMs: number;
  private readonly sliceMs: number;
  private readonly tick = (): void => this.runDue();

  constructor(options: SchedulerOptions = {}) {
    this.leadMs = options.leadMs ?? 0.05;
    this.spinMs = options.spinMs ?? 1.5;
    this.sliceMs = options.sliceMs ?? 10;
  }

  get size(): number {
    return this.heap.length;
  }

  schedule(task: ScheduledTask): void {
    if (task.slot >= 0) this.removeAt(task.slot);
    task.slot = this.heap.length;
    this.heap.push(task);
    this.up(task.slot);
    if (task.slot === 0) this.arm();
  }

  cancel(task: ScheduledTask): void {
    if (task.slot < 0) return;
    const wasTop = task.slot === 0;
    this.removeAt(task.slot);
    if (wasTop) this.arm();
  }

  /** Drops every task and timer (shutdown, tests). */
  clear(): void {
    for (const t of this.heap) t.slot = -1;
    this.heap.length = 0;
    this.disarm();
  }

  private runDue(): void {
    this.timer = undefined;
    this.immediate = undefined;
    this.armedFor = Infinity;
    const start = performance.now();
    let now = start;
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.due > now + this.leadMs) break;
      this.removeAt(0);
      top.run(now);
      now = performance.now();
      if (now - start > this.sliceMs) break;
    }
    this.arm();
  }

  private arm(): void {
    const top = this.heap[0];
    if (top === undefined) {
      this.disarm();
      return;
    }
    if (top.due === this.armedFor) return;
    this.disarm();
    this.armedFor = top.due;
    const wait = top.due - performance.now();
    if (wait <= this.spinMs) this.immediate = setImmediate(this.tick);
    else this.timer = setTimeout(this.tick, Math.floor(wait - this.spinMs));
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.armedFor = Infinity;
  }

  private removeAt(i: number): void {
    const heap = this.heap;
    const removed = heap[i]!;
    const last = heap.pop()!;
    removed.slot = -1;
    if (i === heap.length) return;
    heap[i] = last;
    last.slot = i;
    this.down(i);
    this.up(last.slot);
  }

  private up(i: number): void {
    const heap = this.heap;
    const task = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.due <= task.due) break;
      heap[i] = p;
      p.slot = i;
      i = parent;
    }
    heap[i] = task;
    task.slot = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const task = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && heap[r]!.due < heap[l]!.due ? r : l;
      const child = heap[c]!;
      if (child.due >= task.due) break;
      heap[i] = child;
      child.slot = i;
      i = c;
    }
    heap[i] = task;
    task.slot = i;
  }
}
