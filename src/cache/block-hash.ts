/**
 * Prefix-cache block hashes, as vLLM builds them: the prompt's token ids cut into full blocks of
 * `blockTokens`, each block's hash a digest of its parent's hash and its own ids, so equal hashes mean
 * equal *prefixes*, not just equal blocks. The partial last block is never hashed (vLLM caches full
 * blocks only).
 *
 * The digest is two murmur3-style 32-bit lanes folded to 52 bits: exact in a JS number (a Map key,
 * a msgpack integer for the KV events) and fixed across processes, so every cluster worker computes the
 * hashes the primary's cache holds. It is not vLLM's sha256 (KV-aware routers rehash the events' token
 * ids themselves and use the engine's hash only as an opaque id).
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
/** The parent of every first block (vLLM's NONE_HASH): fixed, so hashes are reproducible. */
const ROOT_HI = 0x243f6a88;
const ROOT_LO = 0x85a308d3;
const TWO_32 = 0x1_0000_0000;

function mixIn(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Full blocks of a prompt of `tokens` tokens. */
export const fullBlocks = (tokens: number, blockTokens: number): number => Math.floor(tokens / blockTokens);

/**
 * Blocks a request may take from the cache: vLLM always recomputes at least the prompt's last token
 * (it needs its logits), so a prompt of P tokens hits at most ⌊(P − 1) / B⌋ blocks.
 */
export const maxHitBlocks = (tokens: number, blockTokens: number): number =>
  tokens > 0 ? Math.floor((tokens - 1) / blockTokens) : 0;

/** The chained hash of every full block of `ids`, first block first. */
export function blockHashes(ids: readonly number[], blockTokens: number): number[] {
  const n = fullBlocks(ids.length, blockTokens);
  const out = new Array<number>(n);
  let hi = ROOT_HI;
  let lo = ROOT_LO;
  for (let b = 0; b < n; b++) {
    let h1 = hi ^ 0x5bd1e995;
    let h2 = lo ^ 0x27d4eb2f;
    const end = (b + 1) * blockTokens;
    for (let i = b * blockTokens; i < end; i++) {
      const id = ids[i]!;
      h1 = mixIn(h1, id);
      h2 = mixIn(h2, id ^ 0x9e3779b9);
    }
    hi = fmix(h1 ^ blockTokens ^ (h2 >>> 7));
    lo = fmix(h2 ^ blockTokens ^ Math.imul(h1, 0x2545f491));
    out[b] = (hi & 0xfffff) * TWO_32 + lo;
  }
  return out;
}
