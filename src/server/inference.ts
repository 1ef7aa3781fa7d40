import { randomUUID } from 'node:crypto';
import { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { type ResponseMeta } from '../api/openai/format.js';
import { type GenerationRequest } from '../api/openai/request.js';
import { TokenGate } from '../engine/runner.js';
import { stableKey } from '../generation/hash.js';
import { isReasoningModel, type OutputPlan, planOutput, REASONING_BUDGET } from '../generation/planner.js';
import { type OpenAIUsage, openAIUsage } from '../generation/usage.js';
import { binGaps, uniformGaps } from '../telemetry/itl-bins.js';
import { planLatency, wholeResponseOffsetMs } from '../timing/latency.js';
import { type ApiRequest, type AppContext } from './context.js';
import { type ErrorFamily, queueFull, toApiError } from './errors.js';
import { FAULT_HEADER, type Fault, httpFault, parseFault } from './faults.js';
import { refused } from './request-events.js';
import { sendError, sendJson } from './respond.js';
import { type StreamBody } from './sse.js';
import { scheduleOnce, startStream } from './stream-loop.js';

/** One text-generation API: its parser and pure formatters. Everything else is shared. */
export interface GenerationApi {
  readonly endpoint: string;
  /** Whose error shape failures take. */
  readonly family: ErrorFamily;
  readonly idPrefix: string;
  /** Response ids in the API's own style; default: idPrefix + a UUID. */
  newId?(): string;
  /** Whether reasoning models think on this API (chat yes, legacy completions no). */
  readonly reasoning: boolean;
  parse(body: unknown): GenerationRequest;
  /** Header rules of the API (Anthropic's required `anthropic-version`); throws an ApiError. */
  checkHeaders?(headers: IncomingHttpHeaders): void;
  body(meta: ResponseMeta, plan: OutputPlan, usage: OpenAIUsage, request: GenerationRequest): unknown;
  stream(meta: ResponseMeta, plan: OutputPlan, usage: OpenAIUsage | null, request: GenerationRequest): StreamBody;
}

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

export function planRequest(ctx: AppContext, api: GenerationApi, request: GenerationRequest): OutputPlan {
  const promptTokens = request.promptTokenCount ?? ctx.tokenizer.count(request.promptText);
  const reasoningBudget =
    request.reasoningBudget ??
    (api.reasoning && isReasoningModel(request.model) ? REASONING_BUDGET[request.reasoningEffort ?? 'medium'] : 0);
  return planOutput(
    {
      promptTokens,
      key: stableKey(request.model, request.promptText),
      maxTokens: request.maxTokens,
      minTokens: request.minTokens,
      ignoreEos: request.ignoreEos,
      reasoningBudget,
      limit: ctx.config.maxTokensLimit,
    },
    ctx.corpus.tokens,
  );
}

/** Fields of an end event that depend only on the request and its plan. */
function endBase(api: GenerationApi, request: GenerationRequest, plan: OutputPlan) {
  return {
    kind: 'end' as const,
    admitted: true,
    endpoint: api.endpoint,
    model: request.model,
    stream: request.stream,
    promptTokens: plan.promptTokens,
    cachedTokens: plan.cachedTokens,
    plannedTokens: plan.content.length + plan.reasoning.length,
    maxTokens: request.maxTokens,
  };
}

/**
 * The request path shared by chat and completions: parse → fault injection → plan (pure) →
 * latency plan (pure) → one scheduler deadline (JSON) or the streaming loop (SSE).
 * Every failure is decided before the first byte and answered through sendError. Telemetry gets the
 * measured timeline of each request (queue, first and last token, every token gap).
 */
export function generationHandler(ctx: AppContext, api: GenerationApi) {
  return async (req: ApiRequest, res: ServerResponse): Promise<void> => {
    const arrival = req.arrival;
    let request: GenerationRequest;
    let plan: OutputPlan;
    let injected = false;
    let fault: Fault | null = null;
    try {
      api.checkHeaders?.(req.headers);
      request = api.parse(req.body);
      // The header forces a fault for this request; otherwise the seeded rates may draw one.
      fault = parseFault(req.headers[FAULT_HEADER]) ?? ctx.drawFault();
      injected = fault?.kind === 'http';
      if (fault?.kind === 'http') throw httpFault(fault.status);
      plan = planRequest(ctx, api, request);
    } catch (err) {
      const apiErr = toApiError(err);
      if (apiErr.status >= 500 && !injected) {
        ctx.logger.error('request failed', { path: api.endpoint, status: apiErr.status, error: String(err) });
      }
      const kind = injected ? 'injected' : apiErr.status >= 500 ? 'internal' : 'validation';
      ctx.sink.request(refused(api.endpoint, req.body, apiErr.status, kind, performance.now() - arrival));
      sendError(res, apiErr, api.family);
      return;
    }
    const admitted = performance.now();
    const queueMs = admitted - arrival;
    const { model, stream } = request;
    const meta: ResponseMeta = {
      id: api.newId?.() ?? api.idPrefix + randomUUID(),
      model,
      created: unixSeconds(arrival),
    };
    const usage = openAIUsage(plan);
    const headers = { 'x-request-id': req.requestId };
    const planned = plan.content.length + plan.reasoning.length;
    // Engine model: the request queues for a batch slot; a full queue refuses it before it starts.
    // (In cluster mode the engine lives in the primary: its answer takes one IPC round trip.)
    const engine = ctx.engine;
    const gate = engine ? new TokenGate(model) : null;
    if (engine && gate) {
      const accepted = await engine.submit(gate, plan.promptTokens, planned);
      if (accepted && res.destroyed) {
        engine.cancel(gate); // the client left while the primary decided
        ctx.sink.request(refused(api.endpoint, req.body, 499, 'cancelled', performance.now() - arrival));
        return;
      }
      if (!accepted) {
        const err = queueFull(ctx.config.queueFullStatus);
        ctx.sink.request(refused(api.endpoint, req.body, err.status, 'overloaded', performance.now() - arrival));
        sendError(res, err, api.family);
        return;
      }
      res.once('close', () => engine.cancel(gate));
    }
    ctx.inFlight.llm++;
    res.once('close', () => ctx.inFlight.llm--);
    const latency = ctx.engine
      ? planLatency({ ttft: 0, itl: ctx.config.stepMs })
      : planLatency(
          ctx.config,
          { isl: plan.promptTokens, osl: plan.content.length, inFlight: ctx.inFlight.llm },
          ctx.latencyRand,
        );
    // With the engine, queueing ends when it gives the request a batch slot.
    const queued = (): number => (gate?.admittedAt != null ? gate.admittedAt - arrival : queueMs);
    ctx.sink.request({
      kind: 'start',
      endpoint: api.endpoint,
      model,
      stream,
      promptTokens: plan.promptTokens,
      plannedTokens: planned,
    });
    const base = endBase(api, request, plan);

    if (stream) {
      startStream(
        res,
        arrival,
        latency,
        api.stream(meta, plan, request.includeUsage ? usage : null, request),
        ctx.scheduler,
        {
          onTokens: (n) => ctx.sink.tokens(n),
          onEnd: (outcome, at, times, delivered) => {
            ctx.sink.request({
              ...base,
              status: outcome === 'ok' || outcome === 'fault' ? 200 : 499,
              outcome: outcome === 'fault' ? 'error' : outcome,
              errorType: outcome === 'ok' ? null : outcome === 'fault' ? 'injected' : 'cancelled',
              completionTokens: delivered,
              reasoningTokens: Math.min(delivered, plan.reasoning.length),
              finishReason: outcome === 'ok' ? plan.finishReason : outcome === 'fault' ? 'error' : 'abort',
              queueMs: queued(),
              ttftMs: delivered > 0 ? times[0]! - arrival : null,
              lastTokenMs: delivered > 0 ? times[delivered - 1]! - arrival : null,
              e2eMs: at - arrival,
              itl: binGaps(times, delivered),
            });
          },
        },
        headers,
        fault,
        gate,
      );
      return;
    }
    const stallMs = fault?.kind === 'stall' ? fault.ms : 0;
    const due = gate
      ? null
      : arrival + wholeResponseOffsetMs(latency, planned, ctx.config.itlJitterCv, ctx.latencyRand) + stallMs;
    // Open loop: one deadline. Engine model: when the engine produced the last token (+ any stall).
    scheduleOnce(
      res,
      due ?? { gate: gate!, extraMs: stallMs },
      ctx.scheduler,
      (now) => {
        if (fault?.kind === 'abort-after' || fault?.kind === 'error-after') {
          // No stream to break: the connection drops, or the answer is a 500, when the body was due.
          if (fault.kind === 'abort-after') res.destroy();
          else sendError(res, httpFault(500), api.family);
          ctx.sink.request({
            ...base,
            status: fault.kind === 'abort-after' ? 499 : 500,
            outcome: 'error',
            errorType: 'injected',
            completionTokens: 0,
            reasoningTokens: 0,
            finishReason: 'error',
            queueMs: queued(),
            ttftMs: null,
            lastTokenMs: null,
            e2eMs: now - arrival,
            itl: null,
          });
          return;
        }
        sendJson(res, 200, api.body(meta, plan, usage, request), headers, true);
        ctx.sink.tokens(planned);
        // The engine made token i at TTFT + i × ITL; the body left one ITL after the last (upstream's rule).
        const e2eMs = now - arrival;
        const firstMs = Math.max(queueMs, e2eMs - planned * latency.itlMs);
        ctx.sink.request({
          ...base,
          status: 200,
          outcome: 'ok',
          errorType: null,
          completionTokens: planned,
          reasoningTokens: plan.reasoning.length,
          finishReason: plan.finishReason,
          queueMs: queued(),
          ttftMs: planned > 0 ? firstMs : null,
          lastTokenMs: planned > 0 ? firstMs + (planned - 1) * latency.itlMs : null,
          e2eMs,
          itl: uniformGaps(latency.itlMs, planned - 1),
        });
      },
      (at) =>
        ctx.sink.request({
          ...base,
          status: 499,
          outcome: 'disconnect',
          errorType: 'cancelled',
          completionTokens: 0,
          reasoningTokens: 0,
          finishReason: 'abort',
          queueMs: queued(),
          ttftMs: null,
          lastTokenMs: null,
          e2eMs: at - arrival,
          itl: null,
        }),
    );
  };
}
