import { type OutputPlan } from '../../generation/planner.js';
import { type OpenAIUsage, openAIUsage } from '../../generation/usage.js';
import { type ResponseMeta, type StreamBody } from '../contract.js';

const q = JSON.stringify;

const DONE_FRAME = 'data: [DONE]\n\n';

/** OpenAI's in-band error event (AIPerf and inference-perf detect it): a data line with an `error` object. */
function openAIErrorFrame(message: string): string {
  return `data: ${q({ error: { message, type: 'server_error', param: null, code: 500 } })}\n\n`;
}

/** Characters JSON.stringify would escape (or might: any surrogate, in case it is a lone one). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON must escape
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A token as a JSON string. Most tokens need no escaping: quoting them in place saves the escaped copy
 * JSON.stringify makes per token, young garbage whose scavenges delay every stream's next token.
 */
function jsonText(text: string): string {
  return ESCAPED.test(text) ? q(text) : `"${text}"`;
}

function head(meta: ResponseMeta, object: string): string {
  return `{"id":${q(meta.id)},"object":"${object}","created":${meta.created},"model":${q(meta.model)}`;
}

function usageFrame(meta: ResponseMeta, object: string, usage: OpenAIUsage): string {
  return `data: ${head(meta, object)},"choices":[],"usage":${q(usage)}}\n\n`;
}

/**
 * Usage in a stream: none, the final usage chunk (`stream_options.include_usage`), or also on every chunk
 * (`continuous_usage_stats` with `include_usage`, as vLLM has it: the tokens so far, prompt included).
 */
export type StreamUsage = 'none' | 'final' | 'continuous';

/**
 * The end of chunk i after its delta or text: `lead` closes the delta (chat) or separates the text,
 * then logprobs and finish_reason (on the last chunk), and with continuous usage the running count
 * (`tokens` events carry one token each; a zero-content last chunk adds none).
 */
function chunkEnd(lead: string, plan: OutputPlan, usage: StreamUsage, tokens: number) {
  const more = `${lead}"logprobs":null,"finish_reason":null}]`;
  const last = `${lead}"logprobs":null,"finish_reason":"${plan.finishReason}"}]`;
  const P = plan.promptTokens;
  return (i: number, isLast: boolean): string => {
    const choice = isLast ? last : more;
    if (usage !== 'continuous') return `${choice}}\n\n`;
    const k = Math.min(i + 1, tokens);
    return `${choice},"usage":{"prompt_tokens":${P},"total_tokens":${P + k},"completion_tokens":${k}}}\n\n`;
  };
}

export function chatCompletionBody(meta: ResponseMeta, plan: OutputPlan): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: plan.content.join() };
  if (plan.reasoning.length > 0) message['reasoning_content'] = plan.reasoning.join();
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finishReason }],
    usage: openAIUsage(plan),
  };
}

/**
 * Chat stream: one reasoning token per chunk, then one content token per chunk; `role` rides on the
 * first chunk (no role-only chunk); the last content chunk carries finish_reason. With zero content
 * tokens (cap 0, or reasoning used the whole cap) a final chunk with empty content still ends the
 * stream with a finish_reason. Then the usage chunk (only if asked for) and [DONE].
 */
export function chatStreamBody(meta: ResponseMeta, plan: OutputPlan, usage: StreamUsage): StreamBody {
  const prefix = `data: ${head(meta, 'chat.completion.chunk')},"choices":[{"index":0,"delta":{`;
  const open = `${prefix}"role":"assistant",`;
  const R = plan.reasoning.length;
  const C = plan.content.length;
  const events = R + Math.max(C, 1);
  const end = chunkEnd('},', plan, usage, R + C);
  return {
    events,
    tokenEvents: R + C,
    frame(i: number): string {
      const start = i === 0 ? open : prefix;
      if (i < R) return `${start}"reasoning_content":${jsonText(plan.reasoning.at(i))}${end(i, false)}`;
      const text = C === 0 ? '' : plan.content.at(i - R);
      return `${start}"content":${jsonText(text)}${end(i, i === events - 1)}`;
    },
    // Built when the stream ends, not held for its whole life.
    get trailer() {
      return (usage !== 'none' ? usageFrame(meta, 'chat.completion.chunk', openAIUsage(plan)) : '') + DONE_FRAME;
    },
    errorFrame: openAIErrorFrame,
  };
}

/** `echo` on completions: the prompt text the answer starts with ('' when not asked). */
export function completionBody(meta: ResponseMeta, plan: OutputPlan, echo = ''): Record<string, unknown> {
  return {
    id: meta.id,
    object: 'text_completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, text: echo + plan.content.join(), logprobs: null, finish_reason: plan.finishReason }],
    usage: openAIUsage(plan),
  };
}

/** Completions stream: one token per chunk, finish_reason on the last, usage chunk if asked, [DONE]. */
export function completionStreamBody(meta: ResponseMeta, plan: OutputPlan, usage: StreamUsage, echo = ''): StreamBody {
  const prefix = `data: ${head(meta, 'text_completion')},"choices":[{"index":0,"text":`;
  const C = plan.content.length;
  const events = Math.max(C, 1);
  const end = chunkEnd(',', plan, usage, C);
  return {
    events,
    tokenEvents: C,
    frame(i: number): string {
      // As vLLM does, the echoed prompt rides on the first chunk, ahead of the first token.
      const text = (i === 0 ? echo : '') + (C === 0 ? '' : plan.content.at(i));
      return `${prefix}${jsonText(text)}${end(i, i === events - 1)}`;
    },
    get trailer() {
      return (usage !== 'none' ? usageFrame(meta, 'text_completion', openAIUsage(plan)) : '') + DONE_FRAME;
    },
    errorFrame: openAIErrorFrame,
  };
}
