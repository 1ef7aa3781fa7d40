import { randomUUID } from 'node:crypto';
import { type Request, type Response } from 'express';
import { type ResponseMeta } from '../api/openai/format.js';
import { type GenerationRequest } from '../api/openai/request.js';
import { stableKey } from '../generation/hash.js';
import { isReasoningModel, type OutputPlan, planOutput, REASONING_BUDGET } from '../generation/planner.js';
import { type OpenAIUsage, openAIUsage } from '../generation/usage.js';
import { type Outcome } from '../telemetry/events.js';
import { planLatency, wholeResponseOffsetMs } from '../timing/latency.js';
import { type AppContext } from './context.js';
import { injectedFailure, toApiError } from './errors.js';
import { sendError, sendJson } from './respond.js';
import { type StreamBody } from './sse.js';
import { scheduleOnce, startStream } from './stream-loop.js';

/** One text-generation API: its parser and pure formatters. Everything else is shared. */
export interface GenerationApi {
  readonly endpoint: string;
  readonly idPrefix: string;
  /** Whether reasoning models think on this API (chat yes, legacy completions no). */
  readonly reasoning: boolean;
  parse(body: unknown): GenerationRequest;
  body(meta: ResponseMeta, plan: OutputPlan, usage: OpenAIUsage): unknown;
  stream(meta: ResponseMeta, plan: OutputPlan, usage: OpenAIUsage | null): StreamBody;
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
    api.reasoning && isReasoningModel(request.model) ? REASONING_BUDGET[request.reasoningEffort ?? 'medium'] : 0;
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

/**
 * The request path shared by chat and completions: parse → fault injection → plan (pure) →
 * latency plan (pure) → one scheduler deadline (JSON) or the streaming loop (SSE).
 * Every failure is decided before the first byte and answered through sendError.
 */
export function generationHandler(ctx: AppContext, api: GenerationApi) {
  return (req: Request, res: Response): void => {
    const arrival = req.arrival;
    let request: GenerationRequest;
    let plan: OutputPlan;
    try {
      request = api.parse(req.body);
      if (ctx.shouldInjectError()) throw injectedFailure();
      plan = planRequest(ctx, api, request);
    } catch (err) {
      const apiErr = toApiError(err);
      if (apiErr.status >= 500)
        ctx.logger.warn('request failed', { path: api.endpoint, status: apiErr.status, error: apiErr.message });
      ctx.sink.request({ kind: 'start', endpoint: api.endpoint, model: 'unknown', stream: false });
      ctx.sink.request(endEvent(api.endpoint, 'unknown', false, apiErr.status, 'error', null, null, arrival));
      sendError(res, apiErr, 'openai');
      return;
    }
    const { model, stream } = request;
    const meta: ResponseMeta = { id: api.idPrefix + randomUUID(), model, created: unixSeconds(arrival) };
    const usage = openAIUsage(plan);
    const latency = planLatency(ctx.config);
    const headers = { 'x-request-id': req.requestId };
    ctx.sink.request({ kind: 'start', endpoint: api.endpoint, model, stream });
    const finish = (outcome: Outcome, ttft: number | null, at: number): void => {
      ctx.sink.request(
        endEvent(api.endpoint, model, stream, outcome === 'ok' ? 200 : 499, outcome, plan, ttft, arrival, at),
      );
    };

    if (stream) {
      let ttft: number | null = null;
      startStream(
        res,
        arrival,
        latency,
        api.stream(meta, plan, request.includeUsage ? usage : null),
        ctx.scheduler,
        {
          onFirstEvent: (at) => (ttft = at - arrival),
          onTokens: (n) => ctx.sink.tokens(n),
          onEnd: (outcome, at) => finish(outcome, ttft, at),
        },
        headers,
      );
      return;
    }
    const tokens = plan.content.length + plan.reasoning.length;
    scheduleOnce(
      res,
      arrival + wholeResponseOffsetMs(latency, tokens),
      ctx.scheduler,
      (now) => {
        sendJson(res, 200, api.body(meta, plan, usage), headers, true);
        ctx.sink.tokens(tokens);
        finish('ok', now - arrival, now);
      },
      (at) => finish('disconnect', null, at),
    );
  };
}

function endEvent(
  endpoint: string,
  model: string,
  stream: boolean,
  status: number,
  outcome: Outcome,
  plan: OutputPlan | null,
  ttftMs: number | null,
  arrival: number,
  at: number = performance.now(),
) {
  return {
    kind: 'end' as const,
    endpoint,
    model,
    stream,
    status,
    outcome,
    promptTokens: plan?.promptTokens ?? 0,
    completionTokens: plan ? plan.content.length + plan.reasoning.length : 0,
    reasoningTokens: plan?.reasoning.length ?? 0,
    finishReason: plan?.finishReason ?? null,
    ttftMs,
    e2eMs: at - arrival,
  };
}
