import { type PrefixCache } from './prefix-cache.js';

/**
 * The server's one prefix cache as a worker reaches it: held by this process, or by the cluster primary
 * (asked over IPC), so a repeated prompt hits whichever worker receives it.
 */
export interface PrefixStore {
  /** Leading blocks of the chain already cached (at most maxBlocks); they become most recently used. */
  lookup(hashes: readonly number[], maxBlocks: number): number | Promise<number>;
  /** The request's prefill is done: its blocks enter the cache. */
  store(hashes: readonly number[], tokenIds: readonly number[] | null): void;
  /** Empties the cache (the reset routes); resolves once it is empty. */
  clear(): Promise<void>;
  /** Whether stores must carry the prompt's token ids (the KV events publish them). */
  readonly wantsTokenIds: boolean;
}

export function localPrefixStore(cache: PrefixCache, wantsTokenIds: boolean): PrefixStore {
  return {
    lookup: (hashes, maxBlocks) => cache.lookup(hashes, maxBlocks),
    store: (hashes, tokenIds) => cache.store(hashes, tokenIds),
    clear: () => {
      cache.clear();
      return Promise.resolve();
    },
    wantsTokenIds,
  };
}
