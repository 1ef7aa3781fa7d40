import { randomUUID } from 'node:crypto';
import { type ServerResponse } from 'node:http';
import { type GenerationApi } from '../api/contract.js';
import { type TokenGate } from '../engine/runner.js';
import { engineFinishReason, plannedTokens, planSteps, reasoningTokens } from '../generation/planner.js';
import { binGaps, uniformGaps } from '../telemetry/itl-bins.js';
import { planLatency, wholeResponseOffsetMs } from '../timing/latency.js';
import { type ApiRequest, type AppContext } from './context.js';
import { httpFault } from './faults.js';
import { noStore } from './prefix.js';
import { sendError, sendJson } from './respond.js';
import { scheduleOnce } from './answer-once.js';
import { startStream } from './stream-loop.js';
import { accept, admit, lookup, type Looked } from './admission.js';
import { andThen } from './then.js';
import { ended, type Generation, unanswered } from './generation-end.js';

let createdSecond = 0;
let createdAt = 0;
/** Unix seconds, recomputed at most every 100 ms (Date.now() is cheap, this is cheaper). */
function unixSeconds(now: number): number {
  if (now - createdAt > 100) {
    createdAt = now;
    createdSecond = Math.floor(Date.now() / 1000);
  }
  return createdSecond;
}

/**
 * The request path shared by every generation API, one step each: parse and fault injection,
 * admission (the engine model's queue), the latency plan, then the answer (one scheduler deadline for
 * JSON, the streaming loop for SSE). Every failure is decided before the first byte and answered
 * through sendError; telemetry gets the measured timeline of each request.
 */
export function generationHandler(ctx: AppContext, api: GenerationApi) {
  // No await where a step answers at once (andThen): the usual request runs through in one call.
  return (req: ApiRequest, res: ServerResponse): void | Promise<void> => {
    const accepted = accept(ctx, api, req, res);
    if (!accepted) return;
    return andThen(lookup(ctx, api, req, res, accepted), (looked) => {
      if (!looked) return;
      return andThen(admit(ctx, api, req, res, looked), (gate) => {
        if (gate === false) return;
        const g = begin(ctx, api, req, res, looked, gate);
        if (accepted.request.stream) answerStream(g);
        else answerJson(g);
      });
    });
  };
}

/** The latency plan and the start event; from here on the request counts as in flight. */
function begin(
  ctx: AppContext,
  api: GenerationApi,
  req: ApiRequest,
  res: ServerResponse,
  accepted: Looked,
  gate: TokenGate | null,
): Generation {
  const { request, plan } = accepted;
  const arrival = req.arrival;
  const queueMs = performance.now() - arrival;
  const planned = plannedTokens(plan);
  const steps = planSteps(plan);
  ctx.inFlight.llm++;
  res.once('close', () => ctx.inFlight.llm--);
  // With the engine, the engine paces tokens: the stream loop only waits for its grants.
  const latency = gate
    ? planLatency({ ttft: 0, itl: ctx.config.stepMs })
    : planLatency(
        ctx.config,
        // Only the uncached part of the prompt is prefilled.
        { isl: plan.promptTokens - plan.cachedTokens, osl: plan.content.length, inFlight: ctx.inFlight.llm },
        ctx.latencyRand,
      );
  const { model, stream } = request;
  ctx.sink.request({
    kind: 'start',
    endpoint: api.endpoint,
    generation: true,
    model,
    stream,
    promptTokens: plan.promptTokens,
    plannedTokens: planned,
  });
  // Spelled out, not `{ ...accepted, ctx, … }`: V8 adds properties to a spread copy ~200 × slower than it
  // builds a literal (docs/decisions/0014).
  return {
    request,
    plan,
    fault: accepted.fault,
    promptIds: accepted.promptIds,
    storePrompt: accepted.storePrompt,
    storeAnswer: accepted.storeAnswer,
    ctx,
    api,
    req,
    res,
    // The client's X-Request-ID becomes the response id, as vLLM does (`chatcmpl-<X-Request-ID>`).
    meta: {
      id: api.newId?.() ?? api.idPrefix + (req.clientRequestId ?? randomUUID()),
      model,
      created: unixSeconds(arrival),
    },
    latency,
    gate,
    planned,
    steps,
    admittedMs: queueMs,
    queued: () => (gate?.admittedAt != null ? gate.admittedAt - arrival : queueMs),
    base: {
      kind: 'end',
      admitted: true,
      endpoint: api.endpoint,
      generation: true,
      model,
      stream,
      promptTokens: plan.promptTokens,
      cachedTokens: plan.cachedTokens,
      plannedTokens: planned,
      maxTokens: request.maxTokens,
      accuracy: plan.accuracy,
    },
  };
}

function answerStream(g: Generation): void {
  // Read once: `g` is built by spreads and its reads are megamorphic, too slow for once per token.
  const { ctx, api, req, res, plan, storePrompt } = g;
  const sink = ctx.sink;
  const arrival = req.arrival;
  startStream({
    res,
    arrival,
    latency: g.latency,
    body: api.stream(g.meta, plan, g.request, { streamInterval: ctx.config.streamInterval }),
    scheduler: ctx.scheduler,
    headers: { 'x-request-id': req.requestId },
    fault: g.fault,
    gate: g.gate,
    reanchorAfterMs: ctx.config.reanchorAfterMs,
    hooks: {
      onTokens: (n) => {
        storePrompt(); // the prefill is done when the first token leaves
        sink.tokens(n);
      },
      onEnd: (outcome, at, times, delivered) => {
        if (outcome === 'ok') g.storeAnswer(plan);
        ended(g, {
          status: outcome === 'ok' || outcome === 'fault' ? 200 : 499,
          outcome: outcome === 'fault' ? 'error' : outcome,
          errorType: outcome === 'ok' ? null : outcome === 'fault' ? 'injected' : 'cancelled',
          completionTokens: delivered,
          reasoningTokens: Math.min(delivered, reasoningTokens(plan)),
          finishReason: outcome === 'ok' ? engineFinishReason(plan) : outcome === 'fault' ? 'error' : 'abort',
          ttftMs: delivered > 0 ? times[0]! - arrival : null,
          lastTokenMs: delivered > 0 ? times[delivered - 1]! - arrival : null,
          e2eMs: at - arrival,
          itl: binGaps(times, delivered),
        });
      },
    },
  });
}

/** Open loop: one deadline. Engine model: when the engine produced the last token (+ any stall). */
function answerJson(g: Generation): void {
  const { ctx, api, req, res, plan, fault, latency, planned, steps } = g;
  const arrival = req.arrival;
  const stallMs = fault?.kind === 'stall' ? fault.ms : 0;
  // The prompt's blocks are cached when its prefill is done: at the first token's time (after arrival,
  // not after admission), not the answer's. The answer stores them too (a no-op once done), so a client
  // that repeats the prompt after the answer always hits, however late this timer fires.
  if (g.storePrompt !== noStore) {
    const inMs = arrival + latency.ttftMs - performance.now();
    if (inMs > 0) setTimeout(g.storePrompt, inMs).unref();
    else g.storePrompt();
  }
  scheduleOnce({
    res,
    when: g.gate
      ? { gate: g.gate, extraMs: stallMs }
      : arrival + wholeResponseOffsetMs(latency, steps, ctx.config.itlJitterCv, ctx.latencyRand) + stallMs,
    scheduler: ctx.scheduler,
    send: (now) => {
      if (fault?.kind === 'abort-after' || fault?.kind === 'error-after') {
        // No stream to break: the connection drops, or the answer is a 500, when the body was due.
        if (fault.kind === 'abort-after') res.destroy();
        else sendError(res, httpFault(500), api.family);
        ended(g, unanswered(fault.kind === 'abort-after' ? 499 : 500, 'error', 'injected', now - arrival));
        return;
      }
      g.storePrompt();
      g.storeAnswer(plan);
      sendJson(res, 200, api.body(g.meta, plan, g.request), { 'x-request-id': req.requestId }, true);
      ctx.sink.tokens(planned);
      // The engine made token i at TTFT + i × ITL; the body left one ITL after the last (upstream's rule).
      const e2eMs = now - arrival;
      const firstMs = Math.max(g.admittedMs, e2eMs - steps * latency.itlMs);
      ended(g, {
        status: 200,
        outcome: 'ok',
        errorType: null,
        completionTokens: planned,
        reasoningTokens: reasoningTokens(plan),
        finishReason: engineFinishReason(plan),
        ttftMs: planned > 0 ? firstMs : null,
        lastTokenMs: planned > 0 ? firstMs + (steps - 1) * latency.itlMs : null,
        e2eMs,
        itl: uniformGaps(latency.itlMs, steps - 1),
      });
    },
    onDisconnect: (at) => ended(g, unanswered(499, 'disconnect', 'cancelled', at - arrival)),
  });
}
