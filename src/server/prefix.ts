import { blockHashes, maxHitBlocks } from '../cache/block-hash.js';
import { type GenerationRequest } from '../api/contract.js';
import { type OutputPlan } from '../generation/planner.js';
import { type AppContext } from './context.js';

/** What the prefix cache gave a request, and how its blocks enter the cache once its prefill is done. */
export interface PromptCache {
  readonly plan: OutputPlan;
  /** Caches the prompt's full blocks (called once, when the first token is due). */
  readonly store: () => void;
}

/** The store of a request the cache does not see (caching off, or a prompt shorter than a block). */
export const noStore = (): void => undefined;

/**
 * Looks the prompt's block chain up in the server's prefix cache: the plan then reports the hit
 * (`cachedTokens`, whole blocks) and, for a prompt marked with Anthropic `cache_control`, the marked
 * tokens not yet cached (`cacheCreationTokens`). In cluster mode the cache is the primary's: one IPC
 * round trip.
 */
export async function lookupPrompt(
  ctx: AppContext,
  request: GenerationRequest,
  plan: OutputPlan,
  promptIds: readonly number[] | null,
): Promise<PromptCache> {
  const cache = ctx.prefix;
  if (!cache || !promptIds) return { plan, store: noStore };
  const B = ctx.config.kvBlockTokens;
  const forced = ctx.config.prefixCacheHitRate;
  if (forced !== undefined) {
    // Synthetic hit share (--prefix-cache-hit-rate): no lookup, no store, the same answer every time.
    const cachedTokens = Math.floor(forced * maxHitBlocks(promptIds.length, B)) * B;
    return { plan: cachedTokens === 0 ? plan : { ...plan, cachedTokens }, store: noStore };
  }
  const hashes = blockHashes(promptIds, B);
  if (hashes.length === 0) return { plan, store: noStore };
  const hit = cache.lookup(hashes, maxHitBlocks(promptIds.length, B));
  const cachedTokens = (typeof hit === 'number' ? hit : await hit) * B;
  const marked = request.cacheMarkText === undefined ? 0 : ctx.tokenizer.count(request.cacheMarkText);
  const cacheCreationTokens = Math.max(0, Math.min(marked, plan.promptTokens) - cachedTokens);
  let stored = false;
  return {
    plan: cachedTokens === 0 && cacheCreationTokens === 0 ? plan : { ...plan, cachedTokens, cacheCreationTokens },
    store: () => {
      if (stored) return;
      stored = true;
      cache.store(hashes, cache.wantsTokenIds ? promptIds : null);
    },
  };
}
