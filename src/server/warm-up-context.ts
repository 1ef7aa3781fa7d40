import { PrefixCache } from '../cache/prefix-cache.js';
import { localPrefixStore } from '../cache/prefix-store.js';
import { type Config } from '../config/options.js';
import { type TelemetrySink } from '../telemetry/events.js';
import seedrandom from 'seedrandom';
import { faultDecider } from './fault-draw.js';
import { type AppContext } from './context.js';

/**
 * The warm-up's latencies are the server's, this much smaller: the same code paths run (a zero TTFT
 * would skip the ones a paced answer takes), and 2,000 requests take a second or two, not minutes.
 */
const LATENCY_SCALE = 0.02;

/**
 * The least TTFT of the warm-up's answers when the server's is not 0, ms: above the scheduler's 0.5 ms
 * lead, so that a stream's first event waits for the ticker as a client's does (scaled, the default
 * 20 ms gave 0.4 ms, and every warm-up stream took the "due already" branch instead; decision 0018).
 */
const MIN_TTFT_MS = 1;

/**
 * The warm-up's TTFT while it sends its bursts, ms: longer than a cold burst takes to be handed to the
 * app, so that streams start before their first event is due while others still wait, and hold their
 * headers (decision 0015) as in a client's burst; later ones find it due and send them with it.
 */
const BURST_TTFT_MS = 25;

/** The warm-up's context, and a switch to its burst latency (BURST_TTFT_MS) and back. */
export interface WarmUpContext {
  readonly ctx: AppContext;
  bursting(on: boolean): void;
}

/**
 * The warm-up's context (src/server/warm-up.ts): the worker's own, with everything a client could see
 * replaced. Latencies scaled down (LATENCY_SCALE), no faults, no key, no readiness delay, no
 * recording or access log, telemetry into `sink` (a throwaway of the worker's
 * own kind, so the code that folds or sends events is warmed too), its own throwaway prefix cache and
 * latency draws (the worker's seeded sequences stay as a client's run expects them), no engine model
 * and no accuracy oracle. Tokenizer, corpus and the scheduler are shared: they hold nothing a request
 * leaves behind.
 */
export function warmUpContext(ctx: AppContext, config: Config, sink: TelemetrySink, slot: number): WarmUpContext {
  // Object.assign, not a spread copy with properties added: the request path reads this config on every
  // warm-up request, and V8 gives a spread copy a shape of its own (docs/decisions/0014).
  const warm: Config = Object.assign({}, config, {
    apiKey: undefined,
    inferenceReadyDelaySeconds: 0,
    ttft: config.ttft > 0 ? Math.max(config.ttft * LATENCY_SCALE, MIN_TTFT_MS) : 0,
    itl: config.itl * LATENCY_SCALE,
    ttftPerIslTokenMs: config.ttftPerIslTokenMs * LATENCY_SCALE,
    itlPerOslTokenMs: config.itlPerOslTokenMs * LATENCY_SCALE,
    ttftConcurrencyQuadMs: config.ttftConcurrencyQuadMs * LATENCY_SCALE,
    itlConcurrencyLinMs: config.itlConcurrencyLinMs * LATENCY_SCALE,
    errorRate: 0,
    rateLimitRate: 0,
    overloadRate: 0,
    contextErrorRate: 0,
    streamAbortRate: 0,
    streamErrorRate: 0,
    streamStallRate: 0,
    recordRequests: '',
    accessLogs: false,
  });
  // The same keys in the same order (a config of the same shape), the TTFT replaced.
  const burst: Config = Object.assign({}, warm, { ttft: BURST_TTFT_MS });
  const live = { current: warm };
  const warmCtx = ctx.with(live, {
    accuracy: null,
    sink,
    prefix: ctx.prefix && localPrefixStore(new PrefixCache(config.kvBlockTokens, () => config.kvBlocks), false),
    // Built as the worker's own are (same code, so the request path sees the same kinds of function).
    drawFault: faultDecider(live, slot),
    latencyRand: seedrandom.alea(String(Math.random())),
    inFlight: { llm: 0 },
    engine: null,
    warnings: [],
  });
  return { ctx: warmCtx, bursting: (on) => (live.current = on ? burst : warm) };
}
