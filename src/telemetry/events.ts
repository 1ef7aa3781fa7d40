/** Typed telemetry events. Handlers emit them to a sink; the primary (or the local state) folds them. */

export type Outcome = 'ok' | 'error' | 'disconnect';

export interface RequestStarted {
  readonly kind: 'start';
  readonly endpoint: string;
  readonly model: string;
  readonly stream: boolean;
}

export interface RequestEnded {
  readonly kind: 'end';
  readonly endpoint: string;
  readonly model: string;
  readonly stream: boolean;
  readonly status: number;
  readonly outcome: Outcome;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly reasoningTokens: number;
  readonly finishReason: string | null;
  /** Measured times in ms from arrival; null when the request never got that far. */
  readonly ttftMs: number | null;
  readonly e2eMs: number;
}

export type RequestEvent = RequestStarted | RequestEnded;

/** Where handlers report. Tokens are counted, not sent one event each, because they are the hot path. */
export interface TelemetrySink {
  request(event: RequestEvent): void;
  tokens(n: number): void;
}
