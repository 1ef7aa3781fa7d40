import seedrandom from 'seedrandom';
import { keyToUint32 } from './hash.js';
import { TokenSpan } from './token-span.js';

export type FinishReason = 'stop' | 'length' | 'tool_calls';
export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high';

/** Reasoning tokens per effort (upstream: low 100, medium 250, high 500; none/minimal think not at all). */
export const REASONING_BUDGET: Record<ReasoningEffort, number> = {
  none: 0,
  minimal: 0,
  low: 100,
  medium: 250,
  high: 500,
};

/** Models whose name contains one of these think first (`reasoning_content`), as upstream decides. */
export function isReasoningModel(model: string): boolean {
  const m = model.toLowerCase();
  return m.includes('gpt-oss') || m.includes('qwen');
}

/** Everything the planner needs, already extracted and validated from the request. */
export interface PlanInput {
  readonly promptTokens: number;
  /** Stable digest of the request content (hash.stableKey). */
  readonly key: string;
  /** Effective cap (max_completion_tokens ?? max_tokens), already clamped to the server's limit. */
  readonly maxTokens: number | null;
  readonly minTokens: number | null;
  readonly ignoreEos: boolean;
  /** Requested reasoning tokens (0 for non-reasoning requests). */
  readonly reasoningBudget: number;
  /** The server's ceiling on any output (`--max-tokens-limit`). */
  readonly limit: number;
}

export interface OutputPlan {
  readonly promptTokens: number;
  readonly reasoning: TokenSpan;
  readonly content: TokenSpan;
  readonly finishReason: FinishReason;
  /** Prompt tokens served from the prefix cache (set after the cache lookup; 0 in a fresh plan). */
  readonly cachedTokens: number;
  /** Anthropic `cache_creation_input_tokens`: marked-for-caching prompt tokens that were not cached yet. */
  readonly cacheCreationTokens: number;
  /** A stable 32-bit draw from the request (logprob values derive from it). */
  readonly seed: number;
  /** Set when the answer is a function call: `content` is then its arguments (JSON text). */
  readonly toolCall?: { readonly id: string; readonly name: string };
  /** With --accuracy-dataset: whether the answer is a dataset row's right or wrong answer, or no row matched. */
  readonly accuracy?: 'correct' | 'wrong' | 'unmatched';
  /** Choices 1..n-1 of an `n` > 1 request (this plan is choice 0). */
  readonly others?: readonly OutputPlan[];
}

/**
 * A copy of a plan with some fields changed. Object.assign, not `{ ...plan, ...changes }`: V8 adds
 * properties to a spread copy ~200 × slower than it builds a literal, and a plan is copied on most
 * requests (a prefix-cache hit, a schema, a stop sequence; docs/decisions/0014).
 */
export const revised = (plan: OutputPlan, changes: Partial<OutputPlan>): OutputPlan => Object.assign({}, plan, changes);

/** Every choice of a plan, choice 0 first. */
export const choicesOf = (plan: OutputPlan): readonly OutputPlan[] => (plan.others ? [plan, ...plan.others] : [plan]);

/** Tokens produced over all choices (usage's completion_tokens). */
export function plannedTokens(plan: OutputPlan): number {
  let n = 0;
  for (const c of choicesOf(plan)) n += c.content.length + c.reasoning.length;
  return n;
}

/** Reasoning tokens over all choices. */
export function reasoningTokens(plan: OutputPlan): number {
  let n = 0;
  for (const c of choicesOf(plan)) n += c.reasoning.length;
  return n;
}

/** Decode steps the answer takes: the longest choice (n choices are decoded side by side). */
export function planSteps(plan: OutputPlan): number {
  let n = 0;
  for (const c of choicesOf(plan)) n = Math.max(n, c.content.length + c.reasoning.length);
  return n;
}

/** The finish reason as an engine counts it: a tool call is an ordinary stop to vLLM's engine metrics. */
export const engineFinishReason = (plan: OutputPlan): 'stop' | 'length' =>
  plan.finishReason === 'length' ? 'length' : 'stop';

/** Below this an uncapped answer is not lengthened further: streaming metrics need a few tokens. */
export const MIN_UNCAPPED_TOKENS = 16;

export interface Lengths {
  readonly reasoning: number;
  readonly content: number;
  readonly finishReason: FinishReason;
}

/**
 * The length rules. `rand` is a uniform [0, 1) draw that is a pure function of the request.
 * - no cap: content in [max(16, ⌊0.8·P⌋), max(that, ⌊1.2·P⌋)], min_tokens raising the floor, finish "stop";
 * - cap C: reasoning takes min(budget, C) first; content in [b, C − reasoning] where b = min_tokens or
 *   min(⌊0.8·P⌋ ≥ 1, cap), finish "length" exactly when the cap is reached;
 * - ignore_eos with a cap: exactly the cap, finish "length".
 */
export function planLengths(input: PlanInput, rand: number): Lengths {
  const P = input.promptTokens;
  const cap = input.maxTokens === null ? null : Math.min(input.maxTokens, input.limit);
  const reasoning = cap === null ? Math.min(input.reasoningBudget, input.limit) : Math.min(input.reasoningBudget, cap);
  const pick = (lo: number, hi: number): number => lo + Math.floor(rand * (hi - lo + 1));
  if (cap === null) {
    let lo = Math.max(MIN_UNCAPPED_TOKENS, Math.floor(0.8 * P));
    if (input.minTokens !== null) lo = Math.max(lo, input.minTokens);
    lo = Math.min(lo, input.limit - reasoning);
    const hi = Math.min(Math.max(lo, Math.floor(1.2 * P)), input.limit - reasoning);
    return { reasoning, content: pick(lo, hi), finishReason: 'stop' };
  }
  const room = cap - reasoning;
  if (room <= 0) return { reasoning, content: 0, finishReason: 'length' };
  if (input.ignoreEos) return { reasoning, content: room, finishReason: 'length' };
  const floor =
    input.minTokens !== null ? Math.min(input.minTokens, room) : Math.min(Math.max(1, Math.floor(0.8 * P)), room);
  const content = pick(floor, room);
  return { reasoning, content, finishReason: content === room ? 'length' : 'stop' };
}

/**
 * Plans a whole answer up front: lengths, where its tokens come from in the corpus, finish reason.
 * Pure: the same input and corpus give the same plan in any process.
 */
export function planOutput(input: PlanInput, corpus: readonly string[]): OutputPlan {
  // Alea: seedrandom's small-state generator; ARC4 (the default) allocates and mixes 256 cells per request.
  const rng = seedrandom.alea(input.key);
  const lengths = planLengths(input, rng());
  const start = Math.floor(rng() * corpus.length);
  const reasoningStart = (start + (corpus.length >> 1)) % corpus.length;
  return {
    promptTokens: input.promptTokens,
    reasoning: new TokenSpan(corpus, reasoningStart, lengths.reasoning),
    content: new TokenSpan(corpus, start, lengths.content),
    finishReason: lengths.finishReason,
    cachedTokens: 0,
    cacheCreationTokens: 0,
    seed: keyToUint32(input.key),
  };
}
