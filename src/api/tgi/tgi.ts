import { type OutputPlan } from '../../generation/planner.js';
import { badRequest } from '../../server/errors.js';
import { optionalBool, optionalCount, optionalObject, optionalString, requireObject } from '../fields.js';
import { type GenerationApi, type GenerationRequest, type StreamBody } from '../contract.js';

/** TGI's default max_new_tokens when the request gives none (as TGI and upstream). */
export const TGI_DEFAULT_MAX_NEW_TOKENS = 50;

function parseTgi(raw: unknown, stream: boolean): GenerationRequest {
  const body = requireObject(raw);
  const inputs = body['inputs'];
  if (inputs === undefined || inputs === null) throw badRequest("Missing required field 'inputs'", 'inputs');
  if (typeof inputs !== 'string') throw badRequest("Field 'inputs' must be a string", 'inputs');
  const params = optionalObject(body, 'parameters') ?? {};
  const stop = params['stop'];
  if (stop !== undefined && stop !== null && !(Array.isArray(stop) && stop.every((s) => typeof s === 'string'))) {
    throw badRequest("Field 'parameters.stop' must be a list of strings", 'parameters.stop');
  }
  return {
    model: optionalString(body, 'model') ?? 'tgi',
    stream,
    includeUsage: false,
    promptText: inputs,
    promptTokenCount: null,
    maxTokens: optionalCount(params, 'max_new_tokens') ?? TGI_DEFAULT_MAX_NEW_TOKENS,
    minTokens: optionalCount(params, 'min_tokens') ?? optionalCount(body, 'min_tokens'),
    ignoreEos: optionalBool(params, 'ignore_eos') || optionalBool(body, 'ignore_eos'),
    reasoningEffort: null,
    details: optionalBool(params, 'details'),
  };
}

const finishReason = (plan: OutputPlan): string => (plan.finishReason === 'length' ? 'length' : 'eos_token');

/** TGI token ids: the real vocabulary ids are not kept, so ids are stable per position of the answer. */
const token = (text: string, i: number) => ({ id: 1000 + i, text, logprob: -0.1, special: false });

function details(plan: OutputPlan) {
  return {
    finish_reason: finishReason(plan),
    generated_tokens: plan.content.length,
    seed: null,
    prefill: [],
    tokens: plan.content.map(token),
  };
}

function tgiStream(plan: OutputPlan): StreamBody {
  const C = plan.content.length;
  const events = Math.max(C, 1);
  const text = plan.content.join();
  const q = JSON.stringify;
  return {
    events,
    tokenEvents: C,
    frame(i) {
      const tok = C === 0 ? { id: 0, text: '', logprob: 0, special: true } : token(plan.content.at(i), i);
      if (i < events - 1) return `data: {"index":${i},"token":${q(tok)},"generated_text":null,"details":null}\n\n`;
      const last = { finish_reason: finishReason(plan), generated_tokens: C, seed: null };
      return `data: {"index":${i},"token":${q(tok)},"generated_text":${q(text)},"details":${q(last)}}\n\n`;
    },
    trailer: '', // TGI ends the stream without [DONE]
    errorFrame: (message) => `data: ${JSON.stringify({ error: message, error_type: 'generation' })}\n\n`,
  };
}

/** HF TGI `POST /generate`: `{"generated_text"}`, with `details` when asked. */
export const TGI_GENERATE_API: GenerationApi = {
  endpoint: '/generate',
  family: 'tgi',
  summary: 'HF TGI generation',
  idPrefix: 'cmpl-',
  reasoning: false,
  parse: (raw) => parseTgi(raw, false),
  body: (_meta, plan, request) =>
    request.details
      ? { generated_text: plan.content.join(), details: details(plan) }
      : { generated_text: plan.content.join() },
  stream: (_meta, plan) => tgiStream(plan),
};

/** HF TGI `POST /generate_stream`: one SSE event per token, the last with `generated_text` and details. */
export const TGI_STREAM_API: GenerationApi = Object.assign({}, TGI_GENERATE_API, {
  endpoint: '/generate_stream',
  summary: 'HF TGI streaming generation (SSE)',
  parse: (raw: unknown) => parseTgi(raw, true),
});
