import { type ScheduledTask, type TokenScheduler } from '../timing/scheduler.js';
import { type Config } from '../config/options.js';
import { BatchEngine, type EngineConfig } from './batch-engine.js';

/** The engine knobs out of the server config (local engine and the cluster primary's alike). */
export function engineConfig(config: Config): EngineConfig {
  return {
    maxBatchSize: config.maxBatchSize,
    prefillChunkTokens: config.prefillChunkTokens,
    kvBlocks: config.kvBlocks,
    kvBlockTokens: config.kvBlockTokens,
    maxWaiting: config.maxWaiting,
  };
}

/**
 * One request's link to the engine: the stream loop (or a non-streaming answer) waits on it.
 * `granted` counts tokens the engine produced; `finished` is set once it produced the last.
 */
export class TokenGate {
  granted = 0;
  finished = false;
  /** performance.now() when the engine gave the request a batch slot (its queueing ends). */
  admittedAt: number | null = null;
  /** Called on every grant and at the finish. */
  onProgress: (() => void) | null = null;
  /** Called when the engine gives the request a batch slot. */
  onAdmitted: (() => void) | null = null;
  constructor(readonly model: string) {}
}

/** What a request handler needs of the engine, local (this process) or remote (the cluster primary). */
export interface EngineClient {
  /** Queues a request; false when the waiting queue is full. */
  submit(gate: TokenGate, promptTokens: number, outputTokens: number): boolean | Promise<boolean>;
  /** The client went away: its batch slot and KV blocks are freed. */
  cancel(gate: TokenGate): void;
}

export interface EngineGauges {
  readonly running: number;
  readonly waiting: number;
  readonly kvUsage: number;
  readonly kvUsedBlocks: number;
  readonly kvBlocks: number;
  readonly preemptionsTotal: number;
  runningFor(model: string): number;
  waitingFor(model: string): number;
  /** Calls `listener` after every engine step with the tokens it processed (prefill + decode; may be 0). */
  onStep(listener: (tokens: number) => void): void;
}

/**
 * Drives a BatchEngine on the worker's scheduler: one step every stepMs on absolute deadlines
 * (a late tick runs the missed steps back to back, so the engine's throughput is what it promises),
 * idle when nothing runs or waits. Grants reach each request's gate at once.
 */
export class EngineRunner implements ScheduledTask, EngineGauges, EngineClient {
  due = 0;
  slot = -1;
  private readonly engine: BatchEngine;
  private readonly gates = new Map<number, TokenGate>();
  private readonly ids = new Map<TokenGate, number>();
  private nextId = 1;
  private ticking = false;
  private readonly stepListeners: ((tokens: number) => void)[] = [];

  constructor(
    config: EngineConfig,
    private stepMs: number,
    private readonly scheduler: TokenScheduler,
  ) {
    this.engine = new BatchEngine(config);
  }

  /** Queues a request; false when the waiting queue is full. */
  submit(gate: TokenGate, promptTokens: number, outputTokens: number): boolean {
    const id = this.nextId++;
    if (!this.engine.submit(id, promptTokens, outputTokens)) return false;
    this.gates.set(id, gate);
    this.ids.set(gate, id);
    if (!this.ticking) {
      this.ticking = true;
      // Steps keep a fixed cadence from the first one after idling.
      this.due = performance.now() + this.stepMs;
      this.scheduler.schedule(this);
    }
    return true;
  }

  /**
   * Live knobs (/admin, scenarios): batch size, prefill budget and queue length apply from the next
   * step, the step time from the next deadline. The KV cache's size stays as it started.
   */
  reconfigure(config: Config): void {
    const { kvBlocks, kvBlockTokens } = this.engine.config;
    this.engine.config = { ...engineConfig(config), kvBlocks, kvBlockTokens };
    this.stepMs = config.stepMs;
  }

  /** The client went away: the engine frees its slot and blocks now. */
  cancel(gate: TokenGate): void {
    const id = this.ids.get(gate);
    if (id === undefined) return;
    this.ids.delete(gate);
    this.gates.delete(id);
    this.engine.cancel(id);
  }

  run(now: number): void {
    // At most 20 catch-up steps per tick: a stalled process must not spin forever.
    for (let n = 0; n < 20 && this.due <= now; n++) {
      this.stepOnce(now);
      this.due += this.stepMs;
      if (this.engine.numRunning + this.engine.numWaiting === 0) {
        this.ticking = false;
        return;
      }
    }
    if (this.due <= now) this.due = now + this.stepMs;
    this.scheduler.schedule(this);
  }

  private stepOnce(now: number): void {
    const r = this.engine.step();
    for (const id of r.admitted) {
      const g = this.gates.get(id);
      if (g && g.admittedAt === null) {
        g.admittedAt = now;
        g.onAdmitted?.();
      }
    }
    for (const id of r.emitted) {
      const g = this.gates.get(id);
      if (!g) continue;
      g.granted++;
      g.onProgress?.();
    }
    for (const id of r.finished) {
      const g = this.gates.get(id);
      if (!g) continue;
      this.gates.delete(id);
      this.ids.delete(g);
      g.finished = true;
      g.onProgress?.();
    }
    const tokens = r.prefillTokens + r.decodeTokens;
    for (const listener of this.stepListeners) listener(tokens);
  }

  onStep(listener: (tokens: number) => void): void {
    this.stepListeners.push(listener);
  }

  get running(): number {
    return this.engine.numRunning;
  }
  get waiting(): number {
    return this.engine.numWaiting;
  }
  get kvUsage(): number {
    return this.engine.kvUsage;
  }
  get kvUsedBlocks(): number {
    return this.engine.kvUsedBlocks;
  }
  get kvBlocks(): number {
    return this.engine.config.kvBlocks;
  }
  get preemptionsTotal(): number {
    return this.engine.preemptionsTotal;
  }
  runningFor(model: string): number {
    return this.count(this.engine.runningIds(), model);
  }
  waitingFor(model: string): number {
    return this.count(this.engine.waitingIds(), model);
  }
  private count(ids: readonly number[], model: string): number {
    let n = 0;
    for (const id of ids) if (this.gates.get(id)?.model === model) n++;
    return n;
  }
}
