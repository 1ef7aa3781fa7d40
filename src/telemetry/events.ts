import { type ItlBins } from './itl-bins.js';

/** Typed telemetry events. Handlers emit them to a sink; the primary (or the local state) folds them. */

export type Outcome = 'ok' | 'error' | 'disconnect';

export interface RequestStarted {
  readonly kind: 'start';
  readonly endpoint: string;
  /** A text generation (drives the engine pages); false for embeddings and rankings. */
  readonly generation: boolean;
  readonly model: string;
  readonly stream: boolean;
  readonly promptTokens: number;
  /** Tokens the plan will generate (0 for a failed request): the simulated KV cache reserves them. */
  readonly plannedTokens: number;
}

/** The measured timeline of one finished request; all times in ms from its arrival. */
export interface RequestEnded {
  readonly kind: 'end';
  /** False when the request was refused before it started (bad input, injected failure): no start event came first. */
  readonly admitted: boolean;
  readonly endpoint: string;
  /** A text generation (drives the engine pages); false for embeddings and rankings. */
  readonly generation: boolean;
  readonly model: string;
  readonly stream: boolean;
  readonly status: number;
  readonly outcome: Outcome;
  /** Why it failed (`validation`, `injected`, `cancelled`, ...), null on success. */
  readonly errorType: string | null;
  readonly promptTokens: number;
  /** Tokens actually delivered (a disconnected stream counts what it sent). */
  readonly completionTokens: number;
  readonly reasoningTokens: number;
  readonly cachedTokens: number;
  /** What the start event reserved (0 when not admitted). */
  readonly plannedTokens: number;
  /** The cap the client asked for, null when none. */
  readonly maxTokens: number | null;
  readonly finishReason: string | null;
  /** Arrival until the request was planned and admitted (our "queue"). */
  readonly queueMs: number;
  readonly ttftMs: number | null;
  readonly lastTokenMs: number | null;
  readonly e2eMs: number;
  /** Gaps between consecutive delivered tokens, as measured at the write, binned (null when none). */
  readonly itl: ItlBins | null;
  /** With --accuracy-dataset: how a generation request was answered. */
  readonly accuracy?: 'correct' | 'wrong' | 'unmatched';
}

/** The control routes (their paths without the slash): AIPerf's --reset-kv-cache and --server-profiler calls. */
export const CONTROL_CALLS = ['reset_prefix_cache', 'flush_cache', 'start_profile', 'stop_profile'] as const;
export type ControlCallName = (typeof CONTROL_CALLS)[number];

/** A control call (prefix-cache reset, profiler start/stop), counted on the mock's page. */
export interface ControlCall {
  readonly kind: 'control';
  readonly call: ControlCallName;
}

export type RequestEvent = RequestStarted | RequestEnded | ControlCall;

/** Where handlers report. Tokens are counted, not sent one event each, because they are the hot path. */
export interface TelemetrySink {
  request(event: RequestEvent): void;
  tokens(n: number): void;
  /** One --record-requests line, written by the process that holds the global state. */
  record(record: Readonly<Record<string, unknown>>): void;
}
