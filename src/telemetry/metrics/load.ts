import { type EngineGauges } from '../../engine/runner.js';
import { type RequestEnded, type RequestStarted } from '../events.js';

/** KV cache the simulated engines report: blocks × tokens per block. */
export const KV_BLOCK_SIZE = 16;
export const KV_TOTAL_BLOCKS = 8192;
export const KV_CAPACITY_TOKENS = KV_BLOCK_SIZE * KV_TOTAL_BLOCKS;

/**
 * Server-wide load derived from request events: what the engine gauges show. Each running request
 * holds KV blocks for its prompt and planned output, so cache usage follows the load.
 */
export class LoadTracker {
  /** Requests between start and end events (with the engine model, running plus waiting). */
  private inFlight = 0;
  /** The engine model's state, when it runs: its gauges replace the ones derived from events. */
  engine: EngineGauges | null = null;
  activeTokens = 0;
  disconnects = 0;
  private readonly runningByModel = new Map<string, number>();
  private lastThroughput = 0;

  start(e: RequestStarted): void {
    this.inFlight++;
    this.activeTokens += e.promptTokens + e.plannedTokens;
    this.runningByModel.set(e.model, (this.runningByModel.get(e.model) ?? 0) + 1);
  }

  end(e: RequestEnded): void {
    if (!e.admitted) return;
    const planned = e.plannedTokens;
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.activeTokens = Math.max(0, this.activeTokens - e.promptTokens - planned);
    this.runningByModel.set(e.model, Math.max(0, (this.runningByModel.get(e.model) ?? 0) - 1));
    if (e.outcome === 'disconnect') this.disconnects++;
    if (e.outcome === 'ok' && e.e2eMs > 0) this.lastThroughput = e.completionTokens / (e.e2eMs / 1000);
  }

  get running(): number {
    return this.engine ? this.engine.running : this.inFlight;
  }

  /** Requests queued for a batch slot (always 0 without the engine model: nothing waits). */
  get waiting(): number {
    return this.engine?.waiting ?? 0;
  }

  waitingFor(model: string): number {
    return this.engine?.waitingFor(model) ?? 0;
  }

  get preemptions(): number {
    return this.engine?.preemptionsTotal ?? 0;
  }

  runningFor(model: string): number {
    if (this.engine) return this.engine.runningFor(model);
    return this.runningByModel.get(model) ?? 0;
  }

  get models(): string[] {
    return [...this.runningByModel.keys()];
  }

  get kvUsage(): number {
    if (this.engine) return this.engine.kvUsage;
    return Math.min(1, this.activeTokens / KV_CAPACITY_TOKENS);
  }

  get kvActiveBlocks(): number {
    if (this.engine) return this.engine.kvUsedBlocks;
    return Math.min(KV_TOTAL_BLOCKS, Math.ceil(this.activeTokens / KV_BLOCK_SIZE));
  }

  /** Generation throughput of the last finished request (tokens/s), as SGLang's gauge reports. */
  get genThroughput(): number {
    return this.lastThroughput;
  }
}
