import { choicesOf, type OutputPlan } from '../../generation/planner.js';
import { openAIUsage } from '../../generation/usage.js';
import { flat, piece, textChunk } from '../chunked.js';
import { type ResponseMeta, type StreamBody } from '../contract.js';
import { DONE_FRAME, head, jsonText, openAIErrorFrame, runningUsage, type StreamShape, usageFrame } from './format.js';
import { groupedBody, Grouping } from './grouping.js';
import { topLogprobs } from './logprobs.js';

/** Length in code points, as Python's len() counts text offsets. */
const codePoints = (s: string): number => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
};

/**
 * Completions logprobs (OpenAI's legacy shape) for tokens [from, to) of a choice: `tokens`,
 * `token_logprobs`, `top_logprobs` (one object per token: the sampled token and up to N alternatives)
 * and `text_offset` (code points from the start of the choice's text, echo included).
 */
function completionLogprobs(plan: OutputPlan, choice: number, from: number, to: number, top: number, offset: number) {
  const tokens: string[] = [];
  const values: number[] = [];
  const tops: Record<string, number>[] = [];
  const offsets: number[] = [];
  for (let i = from; i < to; i++) {
    const token = plan.content.at(i);
    const list = topLogprobs(token, plan.seed, choice, i, Math.max(top, 1));
    tokens.push(token);
    values.push(list[0]!.logprob);
    tops.push(Object.fromEntries(list.map((t) => [t.token, t.logprob])));
    offsets.push(offset);
    offset += codePoints(token);
  }
  return { tokens, token_logprobs: values, top_logprobs: tops, text_offset: offsets };
}

/** The end of a chunk that is not its choice's last (no logprobs, no running usage). */
const MORE_TAIL = ',"logprobs":null,"finish_reason":null}]}\n\n';
/** MORE_TAIL closing a token's JSON string and the HTTP chunk (chunked.ts). */
const MORE_CLOSE = piece(`"${MORE_TAIL}\r\n`, true);

/** `echo` on completions: the prompt text each choice starts with ('' when not asked). */
export function completionBody(meta: ResponseMeta, plan: OutputPlan, echo = '', logprobs: number | null = null) {
  return {
    id: meta.id,
    object: 'text_completion',
    created: meta.created,
    model: meta.model,
    choices: choicesOf(plan).map((c, index) => ({
      index,
      text: echo + c.content.join(),
      logprobs:
        logprobs === null ? null : completionLogprobs(c, index, 0, c.content.length, logprobs, codePoints(echo)),
      finish_reason: c.finishReason,
    })),
    usage: openAIUsage(plan),
  };
}

/**
 * Completions stream: one token per chunk (N with `--stream-interval` N), each choice's finish_reason
 * on its last chunk, one chunk per running choice per event with n > 1, usage chunk if asked, [DONE].
 * As vLLM does, the echoed prompt rides on a choice's first chunk, ahead of its first token.
 */
export function completionStreamBody(meta: ResponseMeta, plan: OutputPlan, shape: StreamShape, echo = ''): StreamBody {
  const g = new Grouping(plan, shape.interval, (p) => ({
    slots: Math.max(p.content.length, 1),
    tokens: p.content.length,
  }));
  const chunkHead = head(meta, 'text_completion');
  // One object literal, not a spread copy: one shape for every stream's choices (see chatStreamBody).
  const choices = g.choices.map(({ plan: p, index, slots, tokens, last }) => {
    const prefix = flat(`data: ${chunkHead},"choices":[{"index":${index},"text":`);
    const lastTail = flat(`,"logprobs":null,"finish_reason":"${p.finishReason}"}]}\n\n`);
    // Where a token's JSON string opens, as a chunk piece (chunked.ts); the last event's closing piece is
    // built when it goes.
    const open = piece(`${prefix}"`);
    return { plan: p, index, slots, tokens, last, prefix, lastTail, open, offset: codePoints(echo) };
  });
  let delivered = 0;
  // The common stream (one token per chunk, no logprobs, no running usage): precomputed pieces only.
  const simple = shape.interval === 1 && shape.logprobs === null && shape.usage !== 'continuous';
  const choiceFrame = (c: (typeof choices)[number], j: number): string => {
    if (simple) {
      const text = (j === 0 ? echo : '') + (j < c.tokens ? c.plan.content.at(j) : '');
      return `${c.prefix}${jsonText(text)}${j === c.last ? c.lastTail : MORE_TAIL}`;
    }
    const from = g.from(j);
    const to = Math.min(g.to(j), c.tokens);
    let text = j === 0 ? echo : '';
    for (let i = from; i < to; i++) text += c.plan.content.at(i);
    delivered += Math.max(0, to - from);
    let lp = 'null';
    if (shape.logprobs !== null && to > from) {
      const l = completionLogprobs(c.plan, c.index, from, to, shape.logprobs, c.offset);
      c.offset = l.text_offset.at(-1)! + codePoints(l.tokens.at(-1)!);
      lp = JSON.stringify(l);
    }
    const finish = j === c.last ? `"${c.plan.finishReason}"` : 'null';
    return `${c.prefix}${jsonText(text)},"logprobs":${lp},"finish_reason":${finish}}]${runningUsage(shape, plan, delivered)}}\n\n`;
  };
  // The same chunk as choiceFrame's common case, built as the HTTP chunk it is written as (chunked.ts).
  const choiceChunk = (c: (typeof choices)[number], j: number): string =>
    textChunk(
      c.open,
      (j === 0 ? echo : '') + (j < c.tokens ? c.plan.content.at(j) : ''),
      j === c.last ? piece(`"${c.lastTail}\r\n`, true) : MORE_CLOSE,
    );
  return groupedBody(
    g,
    choices,
    choiceFrame,
    () => (shape.usage !== 'none' ? usageFrame(meta, 'text_completion', openAIUsage(plan)) : '') + DONE_FRAME,
    openAIErrorFrame,
    simple ? choiceChunk : undefined,
  );
}
