import { type AccuracyOracle } from '../admin/accuracy.js';
import { type AdminStore } from '../admin/store.js';
import { type PrefixStore } from '../cache/prefix-store.js';
import { type LiveConfig } from '../config/live.js';
import { type Config } from '../config/options.js';
import { type EngineClient } from '../engine/runner.js';
import { type Corpus } from '../generation/corpus.js';
import { type Tokenizer } from '../generation/tokenizer.js';
import { type Logger } from '../logging/logger.js';
import { type TelemetrySink } from '../telemetry/events.js';
import { type GlobalSnapshot } from '../telemetry/global-state.js';
import { type PageName } from '../telemetry/metrics/hub.js';
import { type TokenScheduler } from '../timing/scheduler.js';
import { type VideoStore } from '../state/video-store.js';
import { type AppContext } from './context.js';
import { type Fault } from './faults.js';

/** Everything of a worker's context but the live config it reads. */
export type ContextParts = Omit<AppContext, 'config'>;

/**
 * A worker's AppContext. A class rather than an object literal: in V8 a literal with a getter is a
 * dictionary-mode object (each property read a hash lookup, on every request), and every such literal
 * has a shape of its own. With the getter on the prototype, every context is a fast object of one
 * shape, so the warm-up's context (warm-up-context.ts) trains the request path for the real one instead
 * of leaving code specialised on a shape that real requests never have (measured: deoptimisations at
 * the first real burst).
 */
export class WorkerContext implements AppContext {
  readonly admin: AdminStore;
  readonly accuracy: AccuracyOracle | null;
  readonly models: readonly string[];
  readonly logger: Logger;
  readonly tokenizer: Tokenizer;
  readonly corpus: Corpus;
  readonly scheduler: TokenScheduler;
  readonly sink: TelemetrySink;
  readonly global: () => Promise<GlobalSnapshot | null>;
  readonly metrics: (page: PageName) => Promise<string | null>;
  readonly videos: VideoStore;
  readonly prefix: PrefixStore | null;
  readonly drawFault: () => Fault | null;
  readonly latencyRand: () => number;
  readonly inFlight: { llm: number };
  readonly engine: EngineClient | null;
  readonly workerId: string;
  readonly version: string;
  readonly startedAt: number;
  readonly startedEpochMs: number;
  readonly warnings: readonly string[];

  constructor(
    private readonly live: LiveConfig,
    p: ContextParts,
  ) {
    this.admin = p.admin;
    this.accuracy = p.accuracy;
    this.models = p.models;
    this.logger = p.logger;
    this.tokenizer = p.tokenizer;
    this.corpus = p.corpus;
    this.scheduler = p.scheduler;
    this.sink = p.sink;
    this.global = p.global;
    this.metrics = p.metrics;
    this.videos = p.videos;
    this.prefix = p.prefix;
    this.drawFault = p.drawFault;
    this.latencyRand = p.latencyRand;
    this.inFlight = p.inFlight;
    this.engine = p.engine;
    this.workerId = p.workerId;
    this.version = p.version;
    this.startedAt = p.startedAt;
    this.startedEpochMs = p.startedEpochMs;
    this.warnings = p.warnings;
  }

  /** The live config: replaced whole when /admin or a scenario changes it. */
  get config(): Config {
    return this.live.current;
  }

  /** The same context with some parts replaced and its own live config. */
  with(live: LiveConfig, parts: Partial<ContextParts>): WorkerContext {
    return new WorkerContext(live, { ...this.parts(), ...parts });
  }

  private parts(): ContextParts {
    return {
      admin: this.admin,
      accuracy: this.accuracy,
      models: this.models,
      logger: this.logger,
      tokenizer: this.tokenizer,
      corpus: this.corpus,
      scheduler: this.scheduler,
      sink: this.sink,
      global: this.global,
      metrics: this.metrics,
      videos: this.videos,
      prefix: this.prefix,
      drawFault: this.drawFault,
      latencyRand: this.latencyRand,
      inFlight: this.inFlight,
      engine: this.engine,
      workerId: this.workerId,
      version: this.version,
      startedAt: this.startedAt,
      startedEpochMs: this.startedEpochMs,
      warnings: this.warnings,
    };
  }
}
