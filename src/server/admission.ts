import { type ServerResponse } from 'node:http';
import { type GenerationApi, type GenerationRequest } from '../api/contract.js';
import { TokenGate } from '../engine/runner.js';
import { type OutputPlan, planSteps } from '../generation/planner.js';
import { type ApiRequest, type AppContext } from './context.js';
import { queueFull } from './errors.js';
import { type Fault } from './faults.js';
import { intake } from './intake.js';
import { planRequest } from './plan.js';
import { lookupPrompt, type PromptCache } from './prefix.js';
import { refused, reportEnd } from './request-events.js';
import { sendError } from './respond.js';
import { andThen } from './then.js';

// The steps of the generation path before a request counts as in flight: parse and fault injection,
// the prefix cache's answer, the engine model's admission. Each refusal is answered and counted here.

/** A request that passed parsing and fault injection: what every later step works from. */
export interface Accepted {
  readonly request: GenerationRequest;
  readonly plan: OutputPlan;
  readonly fault: Fault | null;
  /** The prompt's token ids when the prefix cache is on. */
  readonly promptIds: readonly number[] | null;
}

/** Accepted, with the prefix cache's answer: cached tokens in the plan, and how the prompt gets cached. */
export interface Looked extends Accepted {
  readonly storePrompt: () => void;
  /** At a delivered answer's end: its blocks enter the cache (the next turn hits them). */
  readonly storeAnswer: (answer: OutputPlan) => void;
}

/** Parse, header rules, the output plan, fault injection; a refusal is answered here (null). */
export function accept(ctx: AppContext, api: GenerationApi, req: ApiRequest, res: ServerResponse): Accepted | null {
  const taken = intake(ctx, req, res, {
    endpoint: api.endpoint,
    generation: true,
    family: api.family,
    parse: () => {
      api.checkHeaders?.(req.headers);
      const request = api.parse(req.body, req.headers);
      const planned = planRequest(ctx, api, request);
      return { request, plan: planned.plan, promptIds: planned.promptIds };
    },
    model: ({ request }) => request.model,
  });
  if (!taken) return null;
  // Spelled out here and below: V8 adds properties to a spread copy ~200 × slower than it builds a literal
  // (docs/decisions/0014).
  const { request, plan, promptIds } = taken.request;
  return { request, plan, fault: taken.fault, promptIds };
}

/**
 * The prefix cache's answer (an IPC round trip in cluster mode): null when the client left meanwhile,
 * which is then counted like a client that left while queued.
 */
export function lookup(
  ctx: AppContext,
  api: GenerationApi,
  req: ApiRequest,
  res: ServerResponse,
  accepted: Accepted,
): Looked | null | Promise<Looked | null> {
  return andThen(lookupPrompt(ctx, accepted.request, accepted.plan, accepted.promptIds), (cache) =>
    looked(ctx, api, req, res, accepted, cache),
  );
}

function looked(
  ctx: AppContext,
  api: GenerationApi,
  req: ApiRequest,
  res: ServerResponse,
  accepted: Accepted,
  cache: PromptCache,
): Looked | null {
  if (res.destroyed) {
    reportEnd(ctx, req, refused(api.endpoint, true, req.body, 499, 'cancelled', performance.now() - req.arrival));
    return null;
  }
  return {
    request: accepted.request,
    plan: cache.plan,
    fault: accepted.fault,
    promptIds: accepted.promptIds,
    storePrompt: cache.store,
    storeAnswer: cache.storeAnswer,
  };
}

/**
 * Engine model: the request queues for a batch slot; a full queue refuses it before it starts (false).
 * In cluster mode the engine lives in the primary: its answer takes one IPC round trip.
 * Open loop: nothing to wait for (null).
 */
export function admit(
  ctx: AppContext,
  api: GenerationApi,
  req: ApiRequest,
  res: ServerResponse,
  looked: Looked,
): TokenGate | null | false | Promise<TokenGate | null | false> {
  return ctx.engine ? queue(ctx, ctx.engine, api, req, res, looked) : null;
}

async function queue(
  ctx: AppContext,
  engine: NonNullable<AppContext['engine']>,
  api: GenerationApi,
  req: ApiRequest,
  res: ServerResponse,
  { request, plan }: Looked,
): Promise<TokenGate | false> {
  const gate = new TokenGate(request.model);
  // Cached prompt blocks need no prefill (and hold no new KV blocks).
  const accepted = await engine.submit(gate, plan.promptTokens - plan.cachedTokens, planSteps(plan));
  if (accepted && res.destroyed) {
    engine.cancel(gate); // the client left while the primary decided
    reportEnd(ctx, req, refused(api.endpoint, true, req.body, 499, 'cancelled', performance.now() - req.arrival));
    return false;
  }
  if (!accepted) {
    const err = queueFull(ctx.config.queueFullStatus);
    reportEnd(
      ctx,
      req,
      refused(api.endpoint, true, req.body, err.status, 'overloaded', performance.now() - req.arrival),
    );
    sendError(res, err, api.family);
    return false;
  }
  res.once('close', () => engine.cancel(gate));
  return gate;
}
