import { blockHashes, maxHitBlocks } from '../cache/block-hash.js';
import { type GenerationRequest } from '../api/contract.js';
import { type OutputPlan, revised } from '../generation/planner.js';
import { type AppContext } from './context.js';
import { andThen } from './then.js';

/** What the prefix cache gave a request, and how its blocks enter the cache once its prefill is done. */
export interface PromptCache {
  readonly plan: OutputPlan;
  /** Caches the prompt's full blocks (called once, when the first token is due). */
  readonly store: () => void;
  /** Caches the full blocks of the prompt and the whole answer (choice 0), once it was delivered. */
  readonly storeAnswer: (answer: OutputPlan) => void;
}

/** The store of a request the cache does not see (caching off, or a prompt shorter than a block). */
export const noStore = (): void => undefined;

/**
 * Looks the prompt's block chain up in the server's prefix cache: the plan then reports the hit
 * (`cachedTokens`, whole blocks) and, for a prompt marked with Anthropic `cache_control`, the marked
 * tokens not yet cached (`cacheCreationTokens`). In cluster mode the cache is the primary's: one IPC
 * round trip.
 */
export function lookupPrompt(
  ctx: AppContext,
  request: GenerationRequest,
  plan: OutputPlan,
  promptIds: readonly number[] | null,
): PromptCache | Promise<PromptCache> {
  const cache = ctx.prefix;
  if (!cache || !promptIds) return { plan, store: noStore, storeAnswer: noStore };
  const B = ctx.config.kvBlockTokens;
  const forced = ctx.config.prefixCacheHitRate;
  if (forced !== undefined) {
    // Synthetic hit share (--prefix-cache-hit-rate): no lookup, no store, the same answer every time.
    const cachedTokens = Math.floor(forced * maxHitBlocks(promptIds.length, B)) * B;
    return { plan: cachedTokens === 0 ? plan : revised(plan, { cachedTokens }), store: noStore, storeAnswer: noStore };
  }
  const hashes = blockHashes(promptIds, B);
  const storeAnswer = answerStore(ctx, cache, request, promptIds.length);
  if (hashes.length === 0) return { plan, store: noStore, storeAnswer };
  const hit = cache.lookup(hashes, maxHitBlocks(promptIds.length, B));
  // A promise only in cluster mode (the primary's cache answers over IPC): no await otherwise (see andThen).
  return andThen(hit, (blocks) => withHit(ctx, cache, request, plan, promptIds, hashes, blocks * B, storeAnswer));
}

/** The cache's answer for a prompt that hit `cachedTokens`, and how its blocks are stored. */
function withHit(
  ctx: AppContext,
  cache: NonNullable<AppContext['prefix']>,
  request: GenerationRequest,
  plan: OutputPlan,
  promptIds: readonly number[],
  hashes: readonly number[],
  cachedTokens: number,
  storeAnswer: (answer: OutputPlan) => void,
): PromptCache {
  const marked = request.cacheMarkText === undefined ? 0 : ctx.tokenizer.count(request.cacheMarkText);
  const cacheCreationTokens = Math.max(0, Math.min(marked, plan.promptTokens) - cachedTokens);
  let stored = false;
  return {
    plan: cachedTokens === 0 && cacheCreationTokens === 0 ? plan : revised(plan, { cachedTokens, cacheCreationTokens }),
    store: () => {
      if (stored) return;
      stored = true;
      cache.store(hashes, cache.wantsTokenIds ? promptIds : null);
    },
    storeAnswer,
  };
}

/**
 * vLLM caches every full block a request computes, generated tokens included, so a conversation's next
 * turn (the prompt, the answer, a new message) hits the previous answer's blocks too. The sequence cached
 * here is what that next turn's prompt starts with: the prompt text, the separator and the answer's text,
 * encoded together (encoding the answer alone and appending it would split differently where the prompt
 * ends in whitespace). Reasoning is part of the generated sequence but not of what clients send back
 * (chat templates drop it), so after a reasoning answer the next turn's hit ends with the prompt, as on
 * vLLM. A tool call's arguments are not sent back as text: nothing is cached beyond the prompt.
 */
function answerStore(
  ctx: AppContext,
  cache: NonNullable<AppContext['prefix']>,
  request: GenerationRequest,
  promptLength: number,
): (answer: OutputPlan) => void {
  const separator = request.turnSeparator;
  if (separator === undefined || !ctx.config.prefixCacheAnswers) return noStore;
  const B = ctx.config.kvBlockTokens;
  return (answer) => {
    const generated = answer.content.length + answer.reasoning.length;
    // No new full block, or an answer that is not sent back as text: nothing to cache, nothing to encode.
    if (answer.toolCall || Math.floor((promptLength + generated) / B) <= Math.floor(promptLength / B)) return;
    const ids = ctx.tokenizer.encode(request.promptText + separator + answer.reasoning.join() + answer.content.join());
    cache.store(blockHashes(ids, B), cache.wantsTokenIds ? ids : null);
  };
}
