import { choicesOf, type OutputPlan } from '../../generation/planner.js';
import { type OpenAIUsage, openAIUsage } from '../../generation/usage.js';
import { ESCAPED, flat, type Piece, piece, textChunk } from '../chunked.js';
import { type ResponseMeta, type StreamBody } from '../contract.js';
import { groupedBody, Grouping } from './grouping.js';
import { topLogprobs, utf8Bytes } from './logprobs.js';

const q = JSON.stringify;

export const DONE_FRAME = 'data: [DONE]\n\n';

/** OpenAI's in-band error event (AIPerf and inference-perf detect it): a data line with an `error` object. */
export function openAIErrorFrame(message: string): string {
  return `data: ${q({ error: { message, type: 'server_error', param: null, code: 500 } })}\n\n`;
}

/**
 * A token as a JSON string. Most tokens need no escaping: quoting them in place saves the escaped copy
 * JSON.stringify makes per token, young garbage whose scavenges delay every stream's next token.
 */
export function jsonText(text: string): string {
  return ESCAPED.test(text) ? q(text) : `"${text}"`;
}

export function head(meta: ResponseMeta, object: string): string {
  return `{"id":${q(meta.id)},"object":"${object}","created":${meta.created},"model":${q(meta.model)}`;
}

export function usageFrame(meta: ResponseMeta, object: string, usage: OpenAIUsage): string {
  return `data: ${head(meta, object)},"choices":[],"usage":${q(usage)}}\n\n`;
}

/**
 * Usage in a stream: none, the final usage chunk (`stream_options.include_usage`), or also on every chunk
 * (`continuous_usage_stats` with `include_usage`, as vLLM has it: the tokens so far, prompt included).
 */
export type StreamUsage = 'none' | 'final' | 'continuous';

/** How an OpenAI stream is shaped: usage, logprobs (top alternatives, null: none), tokens per event. */
export interface StreamShape {
  readonly usage: StreamUsage;
  readonly logprobs: number | null;
  readonly interval: number;
}

/** The running usage a chunk carries with continuous usage ('' otherwise), after `delivered` tokens. */
export function runningUsage(shape: StreamShape, plan: OutputPlan, delivered: number): string {
  if (shape.usage !== 'continuous') return '';
  const P = plan.promptTokens;
  return `,"usage":{"prompt_tokens":${P},"total_tokens":${P + delivered},"completion_tokens":${delivered}}`;
}

/** A chat logprobs entry (OpenAI's shape): the token, its logprob and bytes, and `top` alternatives. */
function chatLogprob(token: string, plan: OutputPlan, choice: number, i: number, top: number) {
  const tops = topLogprobs(token, plan.seed, choice, i, Math.max(top, 1));
  return {
    token,
    logprob: tops[0]!.logprob,
    bytes: utf8Bytes(token),
    top_logprobs: tops.slice(0, top).map((t) => ({ token: t.token, logprob: t.logprob, bytes: utf8Bytes(t.token) })),
  };
}

function toolCalls(plan: OutputPlan, args: string): unknown[] {
  const call = plan.toolCall!;
  return [{ id: call.id, type: 'function', function: { name: call.name, arguments: args } }];
}

/** The end of a chunk that is not its choice's last (no logprobs, no running usage). */
const MORE_TAIL = '},"logprobs":null,"finish_reason":null}]}\n\n';
/** A choice's first chunk: the role rides on it (vLLM sends no role-only chunk). */
const firstOpen = (prefix: string): string => `${prefix}"role":"assistant",`;

/** MORE_TAIL closing a token's JSON string and the HTTP chunk (chunked.ts). */
const MORE_CLOSE = piece(`"${MORE_TAIL}\r\n`, true);

export function chatCompletionBody(meta: ResponseMeta, plan: OutputPlan, logprobs: number | null = null) {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: choicesOf(plan).map((c, index) => {
      const text = c.content.join();
      const message: Record<string, unknown> = c.toolCall
        ? { role: 'assistant', content: null, tool_calls: toolCalls(c, text) }
        : { role: 'assistant', content: text };
      if (c.reasoning.length > 0) message['reasoning_content'] = c.reasoning.join();
      const lp = logprobs === null ? null : { content: c.content.map((t, i) => chatLogprob(t, c, index, i, logprobs)) };
      return { index, message, logprobs: lp, finish_reason: c.finishReason };
    }),
    usage: openAIUsage(plan),
  };
}

/**
 * Chat stream: reasoning tokens (`reasoning_content`) then content tokens, one per chunk (or N per
 * chunk with `--stream-interval` N); `role` rides on the first chunk (no role-only chunk); each choice's
 * last chunk carries its finish_reason. A tool call streams as vLLM does: the chunk with its first
 * argument token carries the call's id, type and name, later chunks only argument text. With zero
 * content tokens a final chunk with empty content still ends the choice with a finish_reason. With
 * n > 1 every event holds one chunk per choice still running. Then the usage chunk (if asked) and [DONE].
 */
export function chatStreamBody(meta: ResponseMeta, plan: OutputPlan, shape: StreamShape): StreamBody {
  // A choice without content still ends with an (empty) content chunk: one slot more than its tokens.
  const g = new Grouping(plan, shape.interval, (p) => ({
    slots: p.reasoning.length + Math.max(p.content.length, 1),
    tokens: p.reasoning.length + p.content.length,
  }));
  const chunkHead = head(meta, 'chat.completion.chunk');
  // One object literal, not a spread of the grouping's choice: every stream's choices then share one
  // shape, and the per-token reads in choiceFrame stay monomorphic (spread copies ended up megamorphic).
  const choices = g.choices.map(({ plan: p, index, slots, tokens, last }) => {
    const prefix = flat(`data: ${chunkHead},"choices":[{"index":${index},"delta":{`);
    const lastTail = flat(`},"logprobs":null,"finish_reason":"${p.finishReason}"}]}\n\n`);
    // What every later event starts with, as a chunk piece (chunked.ts); the first and last events' pieces
    // are built when they go, and the reasoning piece when a reasoning token does: a stream holds only what
    // most of its events use (a burst's streams are all alive at once).
    const content = piece(`${prefix}"content":"`);
    return {
      plan: p,
      index,
      slots,
      tokens,
      last,
      prefix,
      lastTail,
      content,
      reasoning: undefined as Piece | undefined,
    };
  });
  // The common stream (one token per chunk, no logprobs, no tool call, no running usage) builds each chunk
  // from precomputed pieces: per-token garbage is what delays every other stream's next token.
  const simple = shape.interval === 1 && shape.logprobs === null && shape.usage !== 'continuous';
  let delivered = 0;
  const choiceFrame = (c: (typeof choices)[number], j: number): string => {
    const p = c.plan;
    const R = p.reasoning.length;
    if (simple && !p.toolCall) {
      const start = j === 0 ? firstOpen(c.prefix) : c.prefix;
      const tail = j === c.last ? c.lastTail : MORE_TAIL;
      if (j < R) return `${start}"reasoning_content":${jsonText(p.reasoning.at(j))}${tail}`;
      return `${start}"content":${jsonText(j < c.tokens ? p.content.at(j - R) : '')}${tail}`;
    }
    const from = g.from(j);
    const to = Math.min(g.to(j), c.tokens);
    let reasoning = '';
    let content = '';
    for (let i = from; i < to; i++) {
      if (i < R) reasoning += p.reasoning.at(i);
      else content += p.content.at(i - R);
    }
    delivered += Math.max(0, to - from);
    const fields: string[] = [];
    if (reasoning) fields.push(`"reasoning_content":${jsonText(reasoning)}`);
    if (p.toolCall) {
      const starts = (from <= R && R < to) || (p.content.length === 0 && j === c.last);
      if (starts) fields.push(`"tool_calls":${q(toolCalls(p, content)).replace(/^\[\{/, '[{"index":0,')}`);
      else if (content) fields.push(`"tool_calls":[{"index":0,"function":{"arguments":${jsonText(content)}}}]`);
    } else if (content || !reasoning) fields.push(`"content":${jsonText(content)}`);
    let lp = 'null';
    if (shape.logprobs !== null && to > R) {
      const entries = [];
      for (let i = Math.max(from, R); i < to; i++)
        entries.push(chatLogprob(p.content.at(i - R), p, c.index, i - R, shape.logprobs));
      lp = q({ content: entries });
    }
    const finish = j === c.last ? `"${p.finishReason}"` : 'null';
    return `${j === 0 ? firstOpen(c.prefix) : c.prefix}${fields.join(',')}},"logprobs":${lp},"finish_reason":${finish}}]${runningUsage(shape, plan, delivered)}}\n\n`;
  };
  // The same chunk as choiceFrame's common case, built as the HTTP chunk it is written as (chunked.ts).
  const choiceChunk = (c: (typeof choices)[number], j: number): string => {
    const p = c.plan;
    const R = p.reasoning.length;
    const close = j === c.last ? piece(`"${c.lastTail}\r\n`, true) : MORE_CLOSE;
    if (j < R) {
      const open =
        j === 0
          ? piece(`${firstOpen(c.prefix)}"reasoning_content":"`)
          : (c.reasoning ??= piece(`${c.prefix}"reasoning_content":"`));
      return textChunk(open, p.reasoning.at(j), close);
    }
    const open = j === 0 ? piece(`${firstOpen(c.prefix)}"content":"`) : c.content;
    return textChunk(open, j < c.tokens ? p.content.at(j - R) : '', close);
  };
  return groupedBody(
    g,
    choices,
    choiceFrame,
    () => (shape.usage !== 'none' ? usageFrame(meta, 'chat.completion.chunk', openAIUsage(plan)) : '') + DONE_FRAME,
    openAIErrorFrame,
    simple && !choices[0]!.plan.toolCall ? choiceChunk : undefined,
  );
}
