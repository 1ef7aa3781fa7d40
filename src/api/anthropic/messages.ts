import { randomBytes } from 'node:crypto';
import { type OutputPlan } from '../../generation/planner.js';
import { badRequest } from '../../server/errors.js';
import { type JsonObject, optionalBool, optionalObject, partsText, requireObject, requiredString } from '../fields.js';
import { type GenerationApi, type GenerationRequest, type StreamBody } from '../contract.js';

function blockText(content: unknown, where: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw badRequest(`${where} must be a string or a list of content blocks`, where);
  return partsText(content);
}

const isMarked = (block: unknown): boolean =>
  typeof block === 'object' && block !== null && typeof (block as JsonObject)['cache_control'] === 'object';

/**
 * Anthropic's prompt caching: the prefix up to and including the last block marked with `cache_control`
 * (system, then messages; the prompt text joins them as parseMessagesRequest does). Undefined when
 * nothing is marked. Tools are not part of the prompt text here, so a mark on a tool adds nothing.
 */
function markedPrefix(contents: readonly unknown[]): string | undefined {
  for (let s = contents.length - 1; s >= 0; s--) {
    const content = contents[s];
    if (!Array.isArray(content)) continue;
    for (let k = content.length - 1; k >= 0; k--) {
      if (!isMarked(content[k])) continue;
      const before = contents.slice(0, s).map((c, i) => blockText(c, `block ${i}`));
      return [...before, partsText(content.slice(0, k + 1))].filter(Boolean).join('\n');
    }
  }
  return undefined;
}

export function parseMessagesRequest(raw: unknown): GenerationRequest {
  const body = requireObject(raw);
  const model = requiredString(body, 'model');
  const max = body['max_tokens'];
  if (max === undefined || max === null) throw badRequest('max_tokens: Field required', 'max_tokens');
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1)
    throw badRequest('max_tokens: must be an integer >= 1', 'max_tokens');
  const messages = body['messages'];
  if (!Array.isArray(messages)) throw badRequest('messages: Field required (a list of messages)', 'messages');
  const texts = messages.map((m, i) => {
    if (typeof m !== 'object' || m === null || typeof (m as JsonObject)['role'] !== 'string') {
      throw badRequest(`messages.${i}: must be an object with role and content`, `messages.${i}`);
    }
    return blockText((m as JsonObject)['content'], `messages.${i}.content`);
  });
  const system = blockText(body['system'], 'system');
  const thinking = optionalObject(body, 'thinking');
  const budget = thinking?.['budget_tokens'];
  const thinks =
    thinking !== null &&
    thinking['type'] !== 'disabled' &&
    typeof budget === 'number' &&
    Number.isInteger(budget) &&
    budget > 0;
  const tools = body['tools'];
  const choice = optionalObject(body, 'tool_choice');
  let toolName: string | null = null;
  if (Array.isArray(tools) && tools.length > 0 && choice?.['type'] !== 'none') {
    const first = tools[0] as JsonObject | null;
    toolName = typeof first?.['name'] === 'string' ? (first['name'] as string) : 'tool';
  }
  const marked = markedPrefix([body['system'], ...messages.map((m) => (m as JsonObject)['content'])]);
  return {
    model,
    stream: optionalBool(body, 'stream'),
    includeUsage: true,
    promptText: [system, ...texts].filter(Boolean).join('\n'),
    ...(marked === undefined ? {} : { cacheMarkText: marked }),
    promptTokenCount: null,
    maxTokens: max,
    minTokens: null,
    ignoreEos: false,
    reasoningEffort: null,
    // Thinking leaves at least one token of the cap for text, as upstream does.
    reasoningBudget: thinks ? Math.min(budget, Math.max(max - 1, 0)) : 0,
    toolName,
    turnSeparator: '\n',
  };
}

export const messageId = (): string => `msg_${randomBytes(12).toString('hex')}`;
const toolId = (): string => `toolu_${randomBytes(12).toString('hex')}`;
const SIGNATURE = 'mock-signature';

function stopReason(plan: OutputPlan, request: GenerationRequest): string {
  if (request.toolName) return 'tool_use';
  return plan.finishReason === 'length' ? 'max_tokens' : 'end_turn';
}

/**
 * Anthropic counts cached and cache-written prompt tokens apart from `input_tokens` (the three add up
 * to the prompt): reads are the prefix cache's hit, writes the marked prefix it did not hold yet.
 * `outputTokens`: message_start's count (1) instead of the plan's.
 */
function usage(plan: OutputPlan, outputTokens = plan.content.length + plan.reasoning.length) {
  return {
    input_tokens: plan.promptTokens - plan.cachedTokens - plan.cacheCreationTokens,
    cache_creation_input_tokens: plan.cacheCreationTokens,
    cache_read_input_tokens: plan.cachedTokens,
    output_tokens: outputTokens,
  };
}

export function messageBody(id: string, plan: OutputPlan, request: GenerationRequest): Record<string, unknown> {
  const content: Record<string, unknown>[] = [];
  if (plan.reasoning.length > 0)
    content.push({ type: 'thinking', thinking: plan.reasoning.join(), signature: SIGNATURE });
  content.push({ type: 'text', text: plan.content.join() });
  if (request.toolName) content.push({ type: 'tool_use', id: toolId(), name: request.toolName, input: {} });
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: request.model,
    content,
    stop_reason: stopReason(plan, request),
    stop_sequence: null,
    usage: usage(plan),
  };
}

const ev = (type: string, data: Record<string, unknown>): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/**
 * Anthropic's stream: message_start and ping lead the first event; a thinking block (one
 * thinking_delta per token, then its signature) comes before the text block (one text_delta per
 * token); an optional tool_use block; then message_delta with the stop reason and usage, and message_stop.
 */
export function messageStream(id: string, plan: OutputPlan, request: GenerationRequest): StreamBody {
  const R = plan.reasoning.length;
  const C = plan.content.length;
  const textIndex = R > 0 ? 1 : 0;
  const events = R + Math.max(C, 1);
  const start =
    ev('message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model: request.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: usage(plan, 1),
      },
    }) + ev('ping', {});
  const openText = ev('content_block_start', { index: textIndex, content_block: { type: 'text', text: '' } });
  let trailer = ev('content_block_stop', { index: textIndex });
  if (request.toolName) {
    const i = textIndex + 1;
    trailer +=
      ev('content_block_start', {
        index: i,
        content_block: { type: 'tool_use', id: toolId(), name: request.toolName, input: {} },
      }) +
      ev('content_block_delta', { index: i, delta: { type: 'input_json_delta', partial_json: '{}' } }) +
      ev('content_block_stop', { index: i });
  }
  trailer +=
    ev('message_delta', {
      delta: { stop_reason: stopReason(plan, request), stop_sequence: null },
      usage: usage(plan),
    }) + ev('message_stop', {});
  return {
    events,
    tokenEvents: R + C,
    frame(i) {
      let out = i === 0 ? start : '';
      if (i < R) {
        if (i === 0) out += ev('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } });
        out += ev('content_block_delta', {
          index: 0,
          delta: { type: 'thinking_delta', thinking: plan.reasoning.at(i) },
        });
        if (i === R - 1)
          out +=
            ev('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: SIGNATURE } }) +
            ev('content_block_stop', { index: 0 });
        return out;
      }
      if (i === R) out += openText;
      if (C > 0)
        out += ev('content_block_delta', {
          index: textIndex,
          delta: { type: 'text_delta', text: plan.content.at(i - R) },
        });
      return out;
    },
    trailer,
    errorFrame: (message) =>
      `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'api_error', message } })}\n\n`,
  };
}

export const MESSAGES_API: GenerationApi = {
  endpoint: '/v1/messages',
  family: 'anthropic',
  summary: 'Anthropic Messages (stream or not; thinking, tools)',
  idPrefix: 'msg_',
  newId: messageId,
  reasoning: false,
  parse: parseMessagesRequest,
  checkHeaders(headers) {
    if (!headers['anthropic-version']) throw badRequest('anthropic-version: header is required');
  },
  body: (meta, plan, request) => messageBody(meta.id, plan, request),
  stream: (meta, plan, request) => messageStream(meta.id, plan, request),
};
