/**
 * The open-loop latency model (upstream's, on absolute deadlines). Per request, from the prompt
 * length (ISL), the planned output length (OSL) and the LLM requests in flight at arrival (A,
 * counting this one):
 *   TTFT = (ttft + ttftPerIslTokenMs·ISL + ttftConcurrencyQuadMs·A²) · J_ttft
 *   ITL_k = (itl + itlPerOslTokenMs·OSL + itlConcurrencyLinMs·A) · J_k     (a fresh J per token)
 * J is lognormal with mean 1 and coefficient of variation cv (cv = 0 → J = 1).
 */
export interface LatencyConfig {
  readonly ttft: number;
  readonly itl: number;
  readonly ttftJitterCv?: number;
  readonly itlJitterCv?: number;
  readonly ttftPerIslTokenMs?: number;
  readonly itlPerOslTokenMs?: number;
  readonly ttftConcurrencyQuadMs?: number;
  readonly itlConcurrencyLinMs?: number;
}

/** What one request's latency depends on besides the config. */
export interface LatencyInput {
  readonly isl: number;
  readonly osl: number;
  readonly inFlight: number;
}

/** When each part of an answer is due, in ms after the request's arrival. */
export interface LatencyPlan {
  readonly ttftMs: number;
  /** The mean gap between tokens for this request (before per-token jitter). */
  readonly itlMs: number;
  /** The next gap: itlMs × a fresh lognormal factor (exactly itlMs without jitter). */
  gapMs(): number;
}

/** Uniform [0, 1) source: seeded per worker in the server, fixed in tests. */
export type Uniform = () => number;

/** A standard normal draw (Box–Muller; 1 − u keeps the log argument in (0, 1]). */
function standardNormal(rand: Uniform): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** A lognormal factor with mean 1 and the given coefficient of variation, from two uniforms. */
export function lognormalFactor(cv: number, rand: Uniform): number {
  if (!(cv > 0)) return 1;
  const sigma = Math.sqrt(Math.log(1 + cv * cv));
  return Math.exp(sigma * standardNormal(rand) - (sigma * sigma) / 2);
}

export function planLatency(cfg: LatencyConfig, input?: LatencyInput, rand: Uniform = Math.random): LatencyPlan {
  const a = input?.inFlight ?? 1;
  const ttftBase =
    cfg.ttft + (cfg.ttftPerIslTokenMs ?? 0) * (input?.isl ?? 0) + (cfg.ttftConcurrencyQuadMs ?? 0) * a * a;
  const itlMs = cfg.itl + (cfg.itlPerOslTokenMs ?? 0) * (input?.osl ?? 0) + (cfg.itlConcurrencyLinMs ?? 0) * a;
  const ttftMs = ttftBase * lognormalFactor(cfg.ttftJitterCv ?? 0, rand);
  const cv = cfg.itlJitterCv ?? 0;
  return { ttftMs, itlMs, gapMs: cv > 0 ? () => itlMs * lognormalFactor(cv, rand) : () => itlMs };
}

/**
 * Non-streaming: the whole body is due at TTFT plus the sum of the tokens' gaps. Up to 1,000 gaps
 * are drawn one by one; beyond that their sum is drawn from the normal approximation (same mean and
 * variance), so a 100k-token answer costs two draws, not 100k.
 */
export function wholeResponseOffsetMs(plan: LatencyPlan, tokens: number, cv = 0, rand: Uniform = Math.random): number {
  if (!(cv > 0)) return plan.ttftMs + tokens * plan.itlMs;
  if (tokens <= 1000) {
    let sum = 0;
    for (let i = 0; i < tokens; i++) sum += plan.gapMs();
    return plan.ttftMs + sum;
  }
  return plan.ttftMs + Math.max(0, tokens * plan.itlMs + plan.itlMs * cv * Math.sqrt(tokens) * standardNormal(rand));
}
