import { type EngineGauges } from '../../engine/runner.js';
import { type PrefixCache } from '../../cache/prefix-cache.js';
import { type RequestEnded, type RequestStarted } from '../events.js';

/** The KV cache the simulated engines report (--kv-blocks × --kv-block-tokens, --prefix-caching). */
export interface KvShape {
  readonly blocks: number;
  readonly blockTokens: number;
  readonly prefixCaching: boolean;
}

/**
 * Server-wide load derived from request events: what the engine gauges show. Each running request
 * holds KV blocks for its prompt and planned output, so cache usage follows the load.
 */
export class LoadTracker {
  readonly kvCapacityTokens: number;
  constructor(readonly kv: KvShape) {
    this.kvCapacityTokens = kv.blocks * kv.blockTokens;
  }

  /** Requests between start and end events (with the engine model, running plus waiting). */
  private inFlight = 0;
  /** The engine model's state, when it runs: its gauges replace the ones derived from events. */
  engine: EngineGauges | null = null;
  /** A --scenario's phases and which is active (-1 before the first): a gauge on the mock's page. */
  scenario: { readonly phases: readonly string[]; readonly active: () => number } | null = null;
  /** The prefix cache, when it is on: its counts on the mock's page. */
  prefix: PrefixCache | null = null;
  activeTokens = 0;
  disconnects = 0;
  private readonly runningByModel = new Map<string, number>();
  /**
   * -0, not 0: V8 keeps 0 as a small integer and changes the tracker's shape when the first fraction is
   * stored, throwing away code compiled for the old one (docs/decisions/0018); -0 is a double from the start.
   */
  private lastThroughput = -0;

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
    return Math.min(1, this.activeTokens / this.kvCapacityTokens);
  }

  get kvActiveBlocks(): number {
    if (this.engine) return this.engine.kvUsedBlocks;
    return Math.min(this.kv.blocks, Math.ceil(this.activeTokens / this.kv.blockTokens));
  }

  /** Generation throughput of the last finished request (tokens/s), as SGLang's gauge reports. */
  get genThroughput(): number {
    return this.lastThroughput;
  }
}
