import { Worker } from 'node:worker_threads';

/**
 * One timer structure per worker for every open stream and every pending non-streaming answer:
 * a binary min-heap of tasks ordered by absolute due time (performance.now() ms), and one wake-up
 * armed for the earliest. The wake-up comes from a Waker: by default a ticker thread that sleeps with
 * sub-millisecond precision (see ticker-thread.ts), or libuv timers (1 ms resolution) where threads
 * are not wanted. Tasks due within `leadMs` of a wake-up run in the same turn.
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
  /** Yield to I/O after this much work in one turn, so a burst cannot starve the sockets. */
  readonly sliceMs?: number;
  /** How wake-ups are made; default: a ticker thread. */
  readonly waker?: (fire: () => void, leadMs: number) => Waker;
}

/** Calls `fire` (on the event loop) at or just after the time given to `set`. */
export interface Waker {
  set(due: number): void;
  clear(): void;
  /** Lets the process exit while a wake-up is pending (the ticker thread is unref'd). */
  close(): void;
}

export class TokenScheduler {
  private readonly heap: ScheduledTask[] = [];
  private readonly waker: Waker;
  private armedFor = Infinity;
  private running = false;
  private readonly leadMs: number;
  private readonly sliceMs: number;
  /** When the oldest request still waiting for the app arrived (Infinity: none); see waitFor. */
  private oldestWaiting: () => number = () => Infinity;
  /** The next turn's retry of tasks held back behind a waiting request. */
  private retry: NodeJS.Immediate | undefined;
  private readonly retryRun = (): void => {
    this.retry = undefined;
    this.runDue();
  };

  constructor(options: SchedulerOptions = {}) {
    // 0.5 ms: one wake-up serves every event due in the next 0.5 ms, so a token is at most 0.5 ms early.
    // Each wake-up costs a ticker-thread wake, a message and a new deadline for the thread, so under load
    // (hundreds of streams) fewer, fuller turns cost less CPU per token than 0.2 ms did (bench/README.md,
    // "Per-token CPU at 200 streams"). 2 ms: a burst of due events yields to new requests and socket I/O
    // that often.
    this.leadMs = options.leadMs ?? 0.5;
    this.sliceMs = options.sliceMs ?? 2;
    this.waker = (options.waker ?? threadWaker)(() => this.runDue(), this.leadMs);
  }

  /**
   * Work is done in the order it became ready: a task runs only if it fell due before the oldest request
   * that is still waiting for the app arrived (`oldestWaiting`, the server's arrival queue). In a burst
   * the requests (ready on arrival) are handled before the tokens that fall due while they wait, as node
   * itself does when it handles a request inside the read that delivered it; tokens that were due before
   * a request came still go first. Until the queue drains, held tasks are retried once per loop turn
   * (an immediate: the waker is not involved).
   */
  waitFor(oldestWaiting: () => number): void {
    this.oldestWaiting = oldestWaiting;
  }

  /** Whether requests are waiting to be handed to the app (a burst being taken in); see waitFor. */
  get waiting(): boolean {
    return this.oldestWaiting() !== Infinity;
  }

  get size(): number {
    return this.heap.length;
  }

  schedule(task: ScheduledTask): void {
    if (task.slot >= 0) this.removeAt(task.slot);
    task.slot = this.heap.length;
    this.heap.push(task);
    this.up(task.slot);
    if (task.slot !== 0 || this.running) return;
    // Due already (fast mode, TTFT 0): run now instead of a round trip through the waker.
    if (task.due <= performance.now() + this.leadMs) this.runDue();
    else this.arm();
  }

  cancel(task: ScheduledTask): void {
    if (task.slot < 0) return;
    const wasTop = task.slot === 0;
    this.removeAt(task.slot);
    if (wasTop && !this.running) this.arm();
  }

  /** Drops every task and the pending wake-up (shutdown, tests). */
  clear(): void {
    for (const t of this.heap) t.slot = -1;
    this.heap.length = 0;
    if (this.retry) clearImmediate(this.retry);
    this.retry = undefined;
    this.arm();
  }

  /** Stops the wake-up source for good. */
  close(): void {
    this.clear();
    this.waker.close();
  }

  private runDue(): void {
    this.armedFor = Infinity;
    this.running = true;
    const start = performance.now();
    let now = start;
    // Fixed for this turn: requests are only stamped (queued) by socket reads, never while tasks run.
    const before = this.oldestWaiting();
    try {
      for (;;) {
        const top = this.heap[0];
        if (top === undefined || top.due > now + this.leadMs || top.due >= before) break;
        this.removeAt(0);
        top.run(now);
        now = performance.now();
        if (now - start > this.sliceMs) break;
      }
    } finally {
      this.running = false;
      const top = this.heap[0];
      // Held back behind a waiting request: retried next loop turn, without a round trip through the waker.
      if (top !== undefined && top.due >= before && top.due <= performance.now() + this.leadMs)
        this.retry ??= setImmediate(this.retryRun);
      else this.arm();
    }
  }

  private arm(): void {
    const due = this.heap[0]?.due ?? Infinity;
    if (due === this.armedFor) return;
    this.armedFor = due;
    if (due === Infinity) this.waker.clear();
    else this.waker.set(due);
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

/** libuv timers: 1 ms resolution, may fire up to ~1 ms early or late. Used where a thread is not wanted. */
export function timerWaker(fire: () => void): Waker {
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const clear = (): void => {
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = undefined;
    immediate = undefined;
  };
  return {
    set(due) {
      clear();
      const wait = due - performance.now();
      if (wait < 1) immediate = setImmediate(fire);
      else timer = setTimeout(fire, Math.floor(wait));
    },
    clear,
    close: clear,
  };
}

const TICKER = new URL('./ticker-thread.js', import.meta.url);

/**
 * A ticker thread that sleeps on a futex until the earliest deadline, then posts one message.
 * The thread needs ~50 ms to boot; until it says it is ready, libuv timers stand in.
 */
export function threadWaker(fire: () => void, leadMs = 0): Waker {
  const ctl = new Int32Array(new SharedArrayBuffer(4));
  const deadline = new Float64Array(new SharedArrayBuffer(8));
  deadline[0] = Infinity;
  const fallback = timerWaker(fire);
  let ready = false;
  let pending = Infinity;
  let seq = 0;
  const worker = new Worker(TICKER, { workerData: { ctl, deadline } });
  let overdue: NodeJS.Immediate | undefined;
  const publish = (due: number): void => {
    pending = due;
    if (overdue) clearImmediate(overdue);
    overdue = undefined;
    if (!ready) {
      if (due === Infinity) fallback.clear();
      else fallback.set(due);
      return;
    }
    // A deadline already due (within the scheduler's lead: only a turn cut by its slice arms one) fires
    // from setImmediate, after the loop's next poll for I/O, as the libuv-timer waker does. Through the
    // thread it would post at once, and Node drains a MessagePort's queue (up to 1,000 messages) before
    // it polls again: under load turn followed turn while new requests waited unread (200 streams: a
    // request's wait between the client's write and its handler p99 12–23 ms; ~8 ms this way;
    // bench/README.md, "Timing").
    if (due <= performance.now() + leadMs) {
      overdue = setImmediate(() => {
        overdue = undefined;
        fire();
      });
      due = Infinity; // the thread sleeps until the next deadline
    }
    deadline[0] = due === Infinity ? Infinity : performance.timeOrigin + due;
    seq = (seq + 1) | 0;
    Atomics.store(ctl, 0, seq);
    Atomics.notify(ctl, 0);
  };
  worker.on('message', (fired: number | 'ready') => {
    if (fired === 'ready') {
      ready = true;
      fallback.clear();
      publish(pending);
      return;
    }
    // A message for a deadline that has since changed is stale: the thread will wake again.
    if (fired === seq) fire();
  });
  worker.on('error', () => {
    ready = false; // keep serving on libuv timers if the thread ever fails
    publish(pending);
  });
  worker.unref(); // after adding listeners: the ticker alone must not keep the process alive
  return {
    set: publish,
    clear: () => publish(Infinity),
    close: () => {
      publish(Infinity);
      fallback.close();
      void worker.terminate();
    },
  };
}
