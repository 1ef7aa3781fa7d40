import { type ReasoningEffort } from '../../generation/planner.js';
import { type GenerationRequest } from '../contract.js';
import { badRequest } from '../../server/errors.js';
import { chatExtras, completionExtras } from './options.js';
import {
  type JsonObject,
  optionalBool,
  optionalChoice,
  optionalCount,
  optionalObject,
  requireObject,
  requiredString,
} from '../fields.js';

const EFFORTS: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high'];

function common(body: JsonObject, capField: number | null) {
  const streamOptions = optionalObject(body, 'stream_options');
  return {
    model: requiredString(body, 'model'),
    stream: optionalBool(body, 'stream'),
    includeUsage: streamOptions !== null && optionalBool(streamOptions, 'include_usage'),
    continuousUsage: streamOptions !== null && optionalBool(streamOptions, 'continuous_usage_stats'),
    maxTokens: capField,
    minTokens: optionalCount(body, 'min_tokens'),
    ignoreEos: optionalBool(body, 'ignore_eos'),
    stop: stopOf(body),
  };
}

type Common = ReturnType<typeof common>;
/** What each API adds to the common fields. */
type Own = Pick<
  GenerationRequest,
  | 'promptText'
  | 'promptTokenCount'
  | 'reasoningEffort'
  | 'output'
  | 'turnSeparator'
  | 'echo'
  | 'maxTokenId'
  | 'promptTokenIds'
>;

/**
 * Both APIs' request in one literal of one shape. Spelled out, not `{ ...common, promptText, … }`: V8
 * adds properties to a spread copy ~200 × slower than it builds a literal, once per request
 * (docs/decisions/0014).
 */
function generationRequest(c: Common, own: Own): GenerationRequest {
  return {
    model: c.model,
    stream: c.stream,
    includeUsage: c.includeUsage,
    continuousUsage: c.continuousUsage,
    maxTokens: c.maxTokens,
    minTokens: c.minTokens,
    ignoreEos: c.ignoreEos,
    stop: c.stop,
    promptText: own.promptText,
    promptTokenCount: own.promptTokenCount,
    reasoningEffort: own.reasoningEffort,
    output: own.output,
    turnSeparator: own.turnSeparator,
    echo: own.echo,
    maxTokenId: own.maxTokenId,
    promptTokenIds: own.promptTokenIds,
  };
}

/** `stop`: a string or a list of strings (null or absent: none). */
function stopOf(body: JsonObject): readonly string[] {
  const v = body['stop'];
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  throw badRequest("Field 'stop' must be a string or a list of strings", 'stop');
}

/** Text of one message's content: a string, or the `text` of its text parts (images etc. carry none). */
function contentText(content: unknown, i: number): string {
  if (content === undefined || content === null) return ''; // assistant tool-call turns have none
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) {
    throw badRequest(`messages[${i}].content must be a string or an array of content parts`, `messages[${i}].content`);
  }
  const parts: string[] = [];
  content.forEach((part, j) => {
    if (typeof part !== 'object' || part === null) {
      throw badRequest(`messages[${i}].content[${j}] must be an object`, `messages[${i}].content`);
    }
    const text = (part as JsonObject)['text'];
    if (typeof text === 'string') parts.push(text);
  });
  return parts.join('\n');
}

export function parseChatRequest(raw: unknown): GenerationRequest {
  const body = requireObject(raw);
  const messages = body['messages'];
  if (messages === undefined || messages === null) throw badRequest("Missing required field 'messages'", 'messages');
  if (!Array.isArray(messages)) throw badRequest("Field 'messages' must be an array", 'messages');
  const texts = messages.map((m, i) => {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      throw badRequest(`messages[${i}] must be an object with 'role' and 'content'`, `messages[${i}]`);
    }
    const role = (m as JsonObject)['role'];
    if (typeof role !== 'string') throw badRequest(`messages[${i}].role must be a string`, `messages[${i}].role`);
    return contentText((m as JsonObject)['content'], i);
  });
  // max_completion_tokens wins when both are given (OpenAI's newer name); an explicit 0 is honoured.
  const completionCap = optionalCount(body, 'max_completion_tokens');
  const legacyCap = optionalCount(body, 'max_tokens');
  const c = common(body, completionCap ?? legacyCap);
  const reasoningEffort = optionalChoice(body, 'reasoning_effort', EFFORTS);
  // OpenAI's wording for an empty list (checked after the other fields, which name their own errors).
  if (texts.length === 0) throw badRequest("[] is too short - 'messages'", 'messages');
  return generationRequest(c, {
    promptText: texts.join('\n'),
    promptTokenCount: null,
    reasoningEffort,
    output: chatExtras(body),
    turnSeparator: '\n',
  });
}

/** vLLM's CompletionRequest validator, for an absent or empty prompt. */
const EMPTY_PROMPT = 'Either prompt or prompt_embeds must be provided and non-empty.';

/** The largest of many numbers (no spread: a 100k-id prompt would overflow the call stack). */
const maxOf = (xs: readonly number[]): number => xs.reduce((m, x) => (x > m ? x : m), -1);

const isTokenIds = (v: unknown): v is number[] =>
  Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0);

/** `prompt`: a string, a list of strings, a list of token ids, or a list of token-id lists. */
function promptOf(body: JsonObject): { text: string; tokenCount: number | null; ids?: number[]; maxId?: number } {
  const p = body['prompt'];
  if (p === undefined || p === null) throw badRequest("Missing required field 'prompt'", 'prompt');
  if (typeof p === 'string') {
    if (p === '') throw badRequest(EMPTY_PROMPT, 'prompt');
    return { text: p, tokenCount: null };
  }
  if (!Array.isArray(p)) throw badRequest("Field 'prompt' must be a string, a list of strings or token ids", 'prompt');
  if (p.length === 0) throw badRequest(EMPTY_PROMPT, 'prompt');
  if (p.every((x) => typeof x === 'string'))
    return { text: (p as string[]).filter(Boolean).join('\n'), tokenCount: null };
  if (isTokenIds(p)) return { text: p.join(' '), tokenCount: p.length, ids: p, maxId: maxOf(p) };
  if (p.every(isTokenIds)) {
    const lists = p as number[][];
    return {
      text: lists.map((l) => l.join(' ')).join('\n'),
      tokenCount: lists.reduce((n, l) => n + l.length, 0),
      ids: lists.flat(),
      maxId: maxOf(lists.map(maxOf)),
    };
  }
  throw badRequest("Field 'prompt' must be a string, a list of strings, token ids or lists of token ids", 'prompt');
}

export function parseCompletionRequest(raw: unknown): GenerationRequest {
  const body = requireObject(raw);
  const prompt = promptOf(body);
  const c = common(body, optionalCount(body, 'max_tokens'));
  return generationRequest(c, {
    promptText: prompt.text,
    promptTokenCount: prompt.tokenCount,
    reasoningEffort: null,
    echo: optionalBool(body, 'echo'),
    output: completionExtras(body),
    maxTokenId: prompt.maxId,
    promptTokenIds: prompt.ids,
  });
}
