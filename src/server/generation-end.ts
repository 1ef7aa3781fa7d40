import { type ServerResponse } from 'node:http';
import { type GenerationApi, type ResponseMeta } from '../api/contract.js';
import { type TokenGate } from '../engine/runner.js';
import { type RequestEnded } from '../telemetry/events.js';
import { type LatencyPlan } from '../timing/latency.js';
import { type Looked } from './admission.js';
import { type ApiRequest, type AppContext } from './context.js';
import { reportEnd } from './request-events.js';

// An admitted generation and its end event: what begin() in inference.ts builds and every answer path
// (stream, JSON, fault, disconnect) ends with.

/** One admitted generation: everything the answer step needs, named. */
export interface Generation extends Looked {
  readonly ctx: AppContext;
  readonly api: GenerationApi;
  readonly req: ApiRequest;
  readonly res: ServerResponse;
  readonly meta: ResponseMeta;
  readonly latency: LatencyPlan;
  /** Engine model: the request's batch slot; null in the open-loop model. */
  readonly gate: TokenGate | null;
  /** Tokens the plan produces (reasoning + content, all choices). */
  readonly planned: number;
  /** Decode steps (the longest choice): what the answer's timing pays for. */
  readonly steps: number;
  /** ms from arrival until the request was admitted (parsed, planned, past the engine's queue answer). */
  readonly admittedMs: number;
  /** Queueing before the first token: until the engine gave a slot, or until admission. */
  readonly queued: () => number;
  /** The fields of the end event that do not depend on how the request ended. */
  readonly base: EndBase;
}

export type EndBase = Pick<
  RequestEnded,
  | 'kind'
  | 'admitted'
  | 'endpoint'
  | 'generation'
  | 'model'
  | 'stream'
  | 'promptTokens'
  | 'cachedTokens'
  | 'plannedTokens'
  | 'maxTokens'
  | 'accuracy'
>;
/** How a request ended: the end event's fields besides the base and the queue time. */
export type EndFields = Omit<RequestEnded, keyof EndBase | 'queueMs'>;

/** A request that ended before its first token: nothing generated, nothing timed. */
export const unanswered = (
  status: number,
  outcome: 'error' | 'disconnect',
  errorType: string,
  e2eMs: number,
): EndFields => ({
  status,
  outcome,
  errorType,
  completionTokens: 0,
  reasoningTokens: 0,
  finishReason: outcome === 'error' ? 'error' : 'abort',
  ttftMs: null,
  lastTokenMs: null,
  e2eMs,
  itl: null,
});

/** Reports how a generation ended: its base fields, how it ended, and its queue time. */
export function ended(g: Generation, f: EndFields): void {
  const b = g.base;
  // Spelled out rather than spread: two object spreads per request were the largest single source of
  // garbage on the request path (an allocation profile of a burst), and what a young collection finds
  // is what delays the other streams' tokens.
  const event: RequestEnded = {
    kind: b.kind,
    admitted: b.admitted,
    endpoint: b.endpoint,
    generation: b.generation,
    model: b.model,
    stream: b.stream,
    status: f.status,
    outcome: f.outcome,
    errorType: f.errorType,
    promptTokens: b.promptTokens,
    completionTokens: f.completionTokens,
    reasoningTokens: f.reasoningTokens,
    cachedTokens: b.cachedTokens,
    plannedTokens: b.plannedTokens,
    maxTokens: b.maxTokens,
    finishReason: f.finishReason,
    queueMs: g.queued(),
    ttftMs: f.ttftMs,
    lastTokenMs: f.lastTokenMs,
    e2eMs: f.e2eMs,
    itl: f.itl,
    accuracy: b.accuracy,
  };
  reportEnd(g.ctx, g.req, event);
}
