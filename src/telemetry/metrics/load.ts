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
  running = 0;
  activeTokens = 0;
  disconnects = 0;
  private readonly runningByModel = new Map<string, number>();
  private lastThroughput = 0;

  start(e: RequestStarted): void {
    this.running++;
    this.activeTokens += e.promptTokens + e.plannedTokens;
    this.runningByModel.set(e.model, (this.runningByModel.get(e.model) ?? 0) + 1);
  }

  end(e: RequestEnded): void {
    if (!e.admitted) return;
    const planned = e.plannedTokens;
    this.running = Math.max(0, this.running - 1);
    this.activeTokens = Math.max(0, this.activeTokens - e.promptTokens - planned);
    this.runningByModel.set(e.model, Math.max(0, (this.runningByModel.get(e.model) ?? 0) - 1));
    if (e.outcome === 'disconnect') this.disconnects++;
    if (e.outcome === 'ok' && e.e2eMs > 0) this.lastThroughput = e.completionTokens / (e.e2eMs / 1000);
  }

  runningFor(model: string): number {
    return this.runningByModel.get(model) ?? 0;
  }

  get models(): string[] {
    return [...this.runningByModel.keys()];
  }

  get kvUsage(): number {
    return Math.min(1, this.activeTokens / KV_CAPACITY_TOKENS);
  }

  get kvActiveBlocks(): number {
    return Math.min(KV_TOTAL_BLOCKS, Math.ceil(this.activeTokens / KV_BLOCK_SIZE));
  }

  /** Generation throughput of the last finished request (tokens/s), as SGLang's gauge reports. */
  get genThroughput(): number {
    return this.lastThroughput;
  }
}
