/** The latency knobs a plan is made from (the config's, or zeros in fast mode). */
export interface LatencyConfig {
  readonly ttft: number;
  readonly itl: number;
}

/** When each part of an answer is due, in ms after the request's arrival. Pure. */
export interface LatencyPlan {
  readonly ttftMs: number;
  readonly itlMs: number;
}

export function planLatency(cfg: LatencyConfig): LatencyPlan {
  return { ttftMs: cfg.ttft, itlMs: cfg.itl };
}

/** Streaming: event i (0-based) is due at arrival + TTFT + i × ITL, absolute, so lateness never accumulates. */
export function eventOffsetMs(plan: LatencyPlan, i: number): number {
  return plan.ttftMs + i * plan.itlMs;
}

/** Non-streaming: the whole body is due at arrival + TTFT + ITL × tokens. */
export function wholeResponseOffsetMs(plan: LatencyPlan, tokens: number): number {
  return plan.ttftMs + tokens * plan.itlMs;
}
