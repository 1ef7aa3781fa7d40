import { CONTROL_CALLS, type ControlCallName, type Outcome, type RequestEvent } from '../telemetry/events.js';
import { ITL_BOUNDS, type ItlBins } from '../telemetry/itl-bins.js';

/**
 * A request event as it crosses the worker → primary pipe: its values in a fixed order, without the
 * field names, and its token gaps as (bucket, count) pairs of the non-empty buckets only.
 *
 * Why: the primary parses every event of every worker (IPC is JSON). As objects, an end event was ~20
 * quoted keys and ~60 bucket counts, mostly zeros; parsing them was about a fifth of the primary's CPU
 * samples at high request rates (docs/decisions/0011). The field order below is the contract of both ends.
 */
export type WireEvent =
  | readonly [
      kind: 0,
      endpoint: string,
      generation: boolean,
      model: string,
      stream: boolean,
      prompt: number,
      planned: number,
    ]
  | readonly [kind: 2, call: ControlCallName]
  | WireEnd;

type WireEnd = readonly [
  kind: 1,
  admitted: boolean,
  endpoint: string,
  generation: boolean,
  model: string,
  stream: boolean,
  status: number,
  outcome: Outcome,
  errorType: string | null,
  promptTokens: number,
  completionTokens: number,
  reasoningTokens: number,
  cachedTokens: number,
  plannedTokens: number,
  maxTokens: number | null,
  finishReason: string | null,
  queueMs: number,
  ttftMs: number | null,
  lastTokenMs: number | null,
  e2eMs: number,
  /** [n, sumMs, bucket, count, bucket, count, ...], or null when the request had no gaps. */
  itl: readonly number[] | null,
  accuracy: 'correct' | 'wrong' | 'unmatched' | null,
];

function packItl(bins: ItlBins | null): number[] | null {
  return bins ? [bins.n, bins.sumMs, ...bins.buckets] : null;
}

function unpackItl(wire: readonly number[] | null): ItlBins | null {
  if (!wire) return null;
  const buckets = wire.slice(2, wire.length - ((wire.length - 2) % 2));
  for (let k = 0; k < buckets.length; k += 2) {
    const bucket = buckets[k]!;
    // A bucket outside this build's bounds (never sent by our own workers) lands above them all.
    if (!Number.isInteger(bucket) || bucket < 0 || bucket > ITL_BOUNDS.length) buckets[k] = ITL_BOUNDS.length;
  }
  return { buckets, n: wire[0]!, sumMs: wire[1]! };
}

export function packEvent(e: RequestEvent): WireEvent {
  if (e.kind === 'control') return [2, e.call];
  if (e.kind === 'start') return [0, e.endpoint, e.generation, e.model, e.stream, e.promptTokens, e.plannedTokens];
  return [
    1,
    e.admitted,
    e.endpoint,
    e.generation,
    e.model,
    e.stream,
    e.status,
    e.outcome,
    e.errorType,
    e.promptTokens,
    e.completionTokens,
    e.reasoningTokens,
    e.cachedTokens,
    e.plannedTokens,
    e.maxTokens,
    e.finishReason,
    e.queueMs,
    e.ttftMs,
    e.lastTokenMs,
    e.e2eMs,
    packItl(e.itl),
    e.accuracy ?? null,
  ];
}

/** The event a worker packed; null for one this build cannot read (a control call it does not know). */
export function unpackEvent(w: WireEvent): RequestEvent | null {
  if (w[0] === 2) return (CONTROL_CALLS as readonly string[]).includes(w[1]) ? { kind: 'control', call: w[1] } : null;
  if (w[0] === 0)
    return {
      kind: 'start',
      endpoint: w[1],
      generation: w[2],
      model: w[3],
      stream: w[4],
      promptTokens: w[5],
      plannedTokens: w[6],
    };
  return {
    kind: 'end',
    admitted: w[1],
    endpoint: w[2],
    generation: w[3],
    model: w[4],
    stream: w[5],
    status: w[6],
    outcome: w[7],
    errorType: w[8],
    promptTokens: w[9],
    completionTokens: w[10],
    reasoningTokens: w[11],
    cachedTokens: w[12],
    plannedTokens: w[13],
    maxTokens: w[14],
    finishReason: w[15],
    queueMs: w[16],
    ttftMs: w[17],
    lastTokenMs: w[18],
    e2eMs: w[19],
    itl: unpackItl(w[20]),
    // Always present (undefined when none): every end event then has one shape for the pages' reads.
    accuracy: w[21] ?? undefined,
  };
}
