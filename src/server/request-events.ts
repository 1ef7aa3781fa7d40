import { type RequestEnded } from '../telemetry/events.js';
import { type ApiRequest, type AppContext } from './context.js';

/** Hands a request's end event to telemetry; with --record-requests it is also kept for the request's record. */
export function reportEnd(ctx: AppContext, req: ApiRequest, event: RequestEnded): void {
  if (ctx.config.recordRequests) req.ended = event;
  ctx.sink.request(event);
}

/** The end event of a request refused before it started (bad input, injected failure): no start came first. */
export function refused(
  endpoint: string,
  generation: boolean,
  body: unknown,
  status: number,
  errorType: string,
  e2eMs: number,
): RequestEnded {
  const model = (body as { model?: unknown } | null)?.model;
  return {
    kind: 'end',
    admitted: false,
    endpoint,
    generation,
    model: typeof model === 'string' ? model : 'unknown',
    stream: (body as { stream?: unknown } | null)?.stream === true,
    status,
    outcome: 'error',
    errorType,
    promptTokens: 0,
    completionTokens: 0,
    reasoningTokens: 0,
    cachedTokens: 0,
    plannedTokens: 0,
    maxTokens: null,
    finishReason: null,
    queueMs: e2eMs,
    ttftMs: null,
    lastTokenMs: null,
    e2eMs,
    itl: null,
  };
}

/** The end event of an admitted one-shot request (embeddings, rankings, images, videos): no tokens generated. */
export function oneShotEnded(
  endpoint: string,
  model: string,
  promptTokens: number,
  outcome: 'ok' | 'disconnect' | 'fault',
  queueMs: number,
  e2eMs: number,
): RequestEnded {
  // The refused event's fields, some replaced: Object.assign onto that fresh object, not a spread copy with
  // properties added (docs/decisions/0014).
  return Object.assign(
    refused(endpoint, false, { model }, outcome === 'ok' || outcome === 'fault' ? 200 : 499, 'cancelled', e2eMs),
    {
      admitted: true,
      outcome: outcome === 'fault' ? ('error' as const) : outcome,
      errorType: outcome === 'ok' ? null : outcome === 'fault' ? 'injected' : 'cancelled',
      promptTokens,
      queueMs,
    },
  );
}
