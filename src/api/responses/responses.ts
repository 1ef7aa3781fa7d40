import { randomBytes } from 'node:crypto';
import { type OutputPlan, type ReasoningEffort } from '../../generation/planner.js';
import { badRequest } from '../../server/errors.js';
import {
  type JsonObject,
  optionalBool,
  optionalChoice,
  optionalCount,
  optionalObject,
  optionalString,
  partsText,
  requireObject,
  requiredString,
} from '../fields.js';
import { type GenerationApi, type GenerationRequest, type ResponseMeta, type StreamBody } from '../contract.js';

const EFFORTS: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high'];

function itemText(item: unknown, i: number): string {
  if (typeof item === 'string') return item;
  if (typeof item !== 'object' || item === null)
    throw badRequest(`input[${i}] must be a string or an input item`, 'input');
  const content = (item as JsonObject)['content'];
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? partsText(content) : '';
}

export function parseResponsesRequest(raw: unknown): GenerationRequest {
  const body = requireObject(raw);
  const input = body['input'];
  if (input === undefined || input === null) throw badRequest("Missing required parameter: 'input'.", 'input');
  if (typeof input !== 'string' && !Array.isArray(input))
    throw badRequest("Invalid type for 'input': expected a string or an array of input items.", 'input');
  const texts = typeof input === 'string' ? [input] : input.map(itemText);
  const instructions = optionalString(body, 'instructions');
  const reasoning = optionalObject(body, 'reasoning');
  return {
    model: requiredString(body, 'model'),
    stream: optionalBool(body, 'stream'),
    includeUsage: true,
    promptText: [instructions ?? '', ...texts].filter(Boolean).join('\n'),
    promptTokenCount: null,
    maxTokens: optionalCount(body, 'max_output_tokens'),
    minTokens: optionalCount(body, 'min_tokens'),
    ignoreEos: optionalBool(body, 'ignore_eos'),
    reasoningEffort: reasoning ? optionalChoice(reasoning, 'effort', EFFORTS) : null,
    turnSeparator: '\n',
  };
}

const hex = (): string => randomBytes(24).toString('hex');

interface Ids {
  readonly reasoning: string;
  readonly message: string;
}

function usage(plan: OutputPlan) {
  const output = plan.content.length + plan.reasoning.length;
  return {
    input_tokens: plan.promptTokens,
    input_tokens_details: { cached_tokens: plan.cachedTokens },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: plan.reasoning.length },
    total_tokens: plan.promptTokens + output,
  };
}

function reasoningItem(id: string, text: string | null) {
  return {
    id,
    type: 'reasoning',
    summary: [],
    ...(text === null ? {} : { content: [{ type: 'reasoning_text', text }] }),
  };
}

function messageItem(id: string, text: string, done: boolean) {
  return {
    id,
    type: 'message',
    status: done ? 'completed' : 'in_progress',
    role: 'assistant',
    content: done ? [{ type: 'output_text', text, annotations: [], logprobs: [] }] : [],
  };
}

function response(
  meta: ResponseMeta,
  request: GenerationRequest,
  plan: OutputPlan,
  ids: Ids,
  done: boolean,
): Record<string, unknown> {
  const capped = plan.finishReason === 'length' && request.maxTokens !== null;
  const output: unknown[] = [];
  if (done && plan.reasoning.length > 0) output.push(reasoningItem(ids.reasoning, plan.reasoning.join()));
  if (done) output.push(messageItem(ids.message, plan.content.join(), true));
  return {
    id: meta.id,
    object: 'response',
    created_at: meta.created,
    status: !done ? 'in_progress' : capped ? 'incomplete' : 'completed',
    error: null,
    incomplete_details: done && capped ? { reason: 'max_output_tokens' } : null,
    instructions: null,
    max_output_tokens: request.maxTokens,
    model: request.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: request.reasoningEffort, summary: null },
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: done ? usage(plan) : null,
    metadata: {},
  };
}

/**
 * The Responses stream: response.created, response.in_progress, then per output item its
 * output_item.added (and content_part.added), one delta event per token (reasoning_text.delta, then
 * output_text.delta), the .done events, and response.completed with the whole response. Every event
 * carries `type` and a running `sequence_number`.
 */
export function responsesStream(meta: ResponseMeta, request: GenerationRequest, plan: OutputPlan): StreamBody {
  const ids: Ids = { reasoning: `rs_${hex()}`, message: `msg_${hex()}` };
  const R = plan.reasoning.length;
  const C = plan.content.length;
  const msgIndex = R > 0 ? 1 : 0;
  const text = plan.content.join();
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  const events = R + Math.max(C, 1);
  const openMessage = (): string =>
    ev('response.output_item.added', { output_index: msgIndex, item: messageItem(ids.message, '', false) }) +
    ev('response.content_part.added', {
      item_id: ids.message,
      output_index: msgIndex,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    });
  return {
    events,
    tokenEvents: R + C,
    frame(i) {
      let out = '';
      if (i === 0) {
        const started = response(meta, request, plan, ids, false);
        out += ev('response.created', { response: started }) + ev('response.in_progress', { response: started });
        if (R > 0) {
          out +=
            ev('response.output_item.added', { output_index: 0, item: reasoningItem(ids.reasoning, null) }) +
            ev('response.content_part.added', {
              item_id: ids.reasoning,
              output_index: 0,
              content_index: 0,
              part: { type: 'reasoning_text', text: '' },
            });
        }
      }
      if (i < R) {
        out += ev('response.reasoning_text.delta', {
          item_id: ids.reasoning,
          output_index: 0,
          content_index: 0,
          delta: plan.reasoning.at(i),
        });
        if (i === R - 1) {
          const full = plan.reasoning.join();
          out +=
            ev('response.reasoning_text.done', {
              item_id: ids.reasoning,
              output_index: 0,
              content_index: 0,
              text: full,
            }) +
            ev('response.content_part.done', {
              item_id: ids.reasoning,
              output_index: 0,
              content_index: 0,
              part: { type: 'reasoning_text', text: full },
            }) +
            ev('response.output_item.done', { output_index: 0, item: reasoningItem(ids.reasoning, full) });
        }
        return out;
      }
      if (i === R) out += openMessage();
      if (C > 0)
        out += ev('response.output_text.delta', {
          item_id: ids.message,
          output_index: msgIndex,
          content_index: 0,
          delta: plan.content.at(i - R),
          logprobs: [],
        });
      return out;
    },
    errorFrame: (message) => ev('error', { code: 'server_error', message, param: null }),
    get trailer() {
      return (
        ev('response.output_text.done', {
          item_id: ids.message,
          output_index: msgIndex,
          content_index: 0,
          text,
          logprobs: [],
        }) +
        ev('response.content_part.done', {
          item_id: ids.message,
          output_index: msgIndex,
          content_index: 0,
          part: { type: 'output_text', text, annotations: [] },
        }) +
        ev('response.output_item.done', { output_index: msgIndex, item: messageItem(ids.message, text, true) }) +
        ev('response.completed', { response: response(meta, request, plan, ids, true) })
      );
    },
  };
}

export const RESPONSES_API: GenerationApi = {
  endpoint: '/v1/responses',
  family: 'openai',
  summary: 'OpenAI Responses (stream or not)',
  idPrefix: 'resp_',
  newId: () => `resp_${hex()}`,
  reasoning: true,
  parse: parseResponsesRequest,
  body: (meta, plan, request) =>
    response(meta, request, plan, { reasoning: `rs_${hex()}`, message: `msg_${hex()}` }, true),
  stream: (meta, plan, request) => responsesStream(meta, request, plan),
};
