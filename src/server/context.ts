import { type IncomingMessage } from 'node:http';
import { type LiveConfig } from '../config/live.js';
import { type Config } from '../config/options.js';
import { type EngineClient } from '../engine/runner.js';
import { type Fault } from './faults.js';
import { type VideoStore } from '../state/video-store.js';
import { type PrefixStore } from '../cache/prefix-store.js';
import { type Corpus } from '../generation/corpus.js';
import { type Tokenizer } from '../generation/tokenizer.js';
import { type Logger } from '../logging/logger.js';
import { type GlobalSnapshot } from '../telemetry/global-state.js';
import { type PageName } from '../telemetry/metrics/hub.js';
import { type RequestEnded, type TelemetrySink } from '../telemetry/events.js';
import { type AdminStore } from '../admin/store.js';
import { type AccuracyOracle } from '../admin/accuracy.js';
import { type TokenScheduler } from '../timing/scheduler.js';

/**
 * Everything a worker's handlers share. Built once per worker by the app's owner (main or cluster
 * worker), and once more for its warm-up (`with`, src/server/warm-up-context.ts).
 *
 * A class rather than an object literal: in V8 a literal with a getter (`config`) is a dictionary-mode
 * object (each property read a hash lookup, on every request), and each literal has a shape of its
 * own. Here the fields are defined in this order by the class (whatever the order of the parts given),
 * the getter lives on the prototype, so every context is a fast object of one shape and code trained
 * on the warm-up's context fits the real one (docs/decisions/0012).
 */
export class AppContext {
  /** The admin side of the global state (local, or the primary's): /admin routes and the /accuracy tally. */
  readonly admin!: AdminStore;
  /** The accuracy oracle (--accuracy-dataset), or null. */
  readonly accuracy!: AccuracyOracle | null;
  /** The model ids served (--served-model-name, else --default-model): /v1/models and --strict-models. */
  readonly models!: readonly string[];
  readonly logger!: Logger;
  readonly tokenizer!: Tokenizer;
  readonly corpus!: Corpus;
  readonly scheduler!: TokenScheduler;
  readonly sink!: TelemetrySink;
  /** The server-wide state: local in single-process mode, asked of the primary in cluster mode. */
  readonly global!: () => Promise<GlobalSnapshot | null>;
  /** One Prometheus page of the whole server (null when the primary does not answer). */
  readonly metrics!: (page: PageName) => Promise<string | null>;
  /** The server's video-generation jobs: local, or asked of the primary in cluster mode. */
  readonly videos!: VideoStore;
  /** The server's prefix cache: local, or asked of the primary in cluster mode; null when off. */
  readonly prefix!: PrefixStore | null;
  /** Draws the next request's injected fault, if any (rates from the config, seeded per worker). */
  readonly drawFault!: () => Fault | null;
  /** Uniform draws for latency jitter (seeded per worker with --random-seed). */
  readonly latencyRand!: () => number;
  /** Generation requests in flight in this worker: the A of the concurrency penalties. */
  readonly inFlight!: { llm: number };
  /** The continuous-batching engine model (--engine-model batch), or null for the open-loop model. */
  readonly engine!: EngineClient | null;
  readonly workerId!: string;
  readonly version!: string;
  readonly startedAt!: number;
  /** Wall-clock start of the whole server (the primary's in cluster mode): readiness delays count from it. */
  readonly startedEpochMs!: number;
  /** Warnings from start-up (e.g. a tokenizer fallback), shown by /health. */
  readonly warnings!: readonly string[];
  readonly #live: LiveConfig;

  constructor(live: LiveConfig, parts: ContextParts) {
    this.#live = live;
    Object.assign(this, parts);
  }

  /** The live config (replaced whole when /admin or a scenario changes it; read it per request). */
  get config(): Config {
    return this.#live.current;
  }

  /** The same context with some parts replaced, reading its own live config. */
  with(live: LiveConfig, parts: Partial<ContextParts>): AppContext {
    return new AppContext(live, { ...this, ...parts });
  }
}

/** Everything of a worker's context but the live config it reads. */
export type ContextParts = Omit<AppContext, 'config' | 'with'>;

/** A request as the handlers see it: node's IncomingMessage plus what the app stamps on it. */
export interface ApiRequest extends IncomingMessage {
  /** performance.now() when the request reached the server: every deadline is measured from it. */
  arrival: number;
  requestId: string;
  /** The client's own X-Request-ID, when it sent a usable one (it then names the response too). */
  clientRequestId?: string;
  /** Path parameters of a parameterised route (`/v1/videos/:id`; a `*id` wildcard gives its segments). */
  params?: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body (POST routes), set by the body parser. */
  body?: unknown;
  /** With --record-requests: the request's end event, for its record. */
  ended?: RequestEnded;
  /** The fault injected into this request (`http-500`, `stall`, ...), for its record. */
  fault?: string;
}
