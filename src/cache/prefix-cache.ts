/** What a KV-event publisher is told as blocks enter and leave the cache (vLLM's three events). */
export interface KvEventListener {
  /** A run of consecutive new blocks: `parent` is the hash before the first (null at the prompt's start). */
  stored(hashes: readonly number[], parent: number | null, tokenIds: readonly number[] | null): void;
  removed(hashes: readonly number[]): void;
  cleared(): void;
}

/** Counts the metric pages and /health show. */
export interface PrefixCacheStats {
  readonly blocks: number;
  readonly capacity: number;
  readonly storedTotal: number;
  readonly evictedTotal: number;
  readonly resetsTotal: number;
}

/**
 * The server's prefix cache: a set of block hashes (block-hash.ts) with least-recently-used eviction.
 * A Map keeps the eviction order (first key = next victim). A request's chain is touched from its last
 * block to its first, so a prompt's tail blocks are evicted before its head, as vLLM frees them.
 * Pure: no I/O, no clock; capacity is asked each time (the batch engine's running requests hold blocks
 * the cache cannot use).
 */
export class PrefixCache {
  private readonly blocks = new Map<number, true>();
  private storedTotal = 0;
  private evictedTotal = 0;
  private resetsTotal = 0;

  constructor(
    private readonly blockTokens: number,
    private readonly capacity: () => number,
    private readonly events: KvEventListener | null = null,
  ) {}

  /** Leading blocks of `hashes` already cached, at most `maxBlocks`; the hits become most recently used. */
  lookup(hashes: readonly number[], maxBlocks: number): number {
    const limit = Math.min(maxBlocks, hashes.length);
    let n = 0;
    while (n < limit && this.blocks.has(hashes[n]!)) n++;
    this.touch(hashes, n);
    return n;
  }

  /**
   * A request's prefill is done: its full blocks are cached (already cached ones are touched). New blocks
   * go out as one stored event per consecutive run; then the least recently used blocks are evicted
   * down to capacity. `tokenIds` (the prompt's ids) only feed the events.
   */
  store(hashes: readonly number[], tokenIds: readonly number[] | null): void {
    const events = this.events;
    if (events) {
      let runStart = -1;
      for (let i = 0; i <= hashes.length; i++) {
        const isNew = i < hashes.length && !this.blocks.has(hashes[i]!);
        if (isNew && runStart < 0) runStart = i;
        if (!isNew && runStart >= 0) {
          const ids = tokenIds ? tokenIds.slice(runStart * this.blockTokens, i * this.blockTokens) : null;
          events.stored(hashes.slice(runStart, i), runStart > 0 ? hashes[runStart - 1]! : null, ids);
          runStart = -1;
        }
      }
    }
    for (const h of hashes) if (!this.blocks.has(h)) this.storedTotal++;
    this.touch(hashes, hashes.length);
    this.evict();
  }

  /** Drops every block (the engines' reset routes). */
  clear(): void {
    this.blocks.clear();
    this.resetsTotal++;
    this.events?.cleared();
  }

  has(hash: number): boolean {
    return this.blocks.has(hash);
  }

  get size(): number {
    return this.blocks.size;
  }

  stats(): PrefixCacheStats {
    return {
      blocks: this.blocks.size,
      capacity: Math.max(0, this.capacity()),
      storedTotal: this.storedTotal,
      evictedTotal: this.evictedTotal,
      resetsTotal: this.resetsTotal,
    };
  }

  /** Makes the first `n` blocks of a chain the most recently used, head last (evicted last). */
  private touch(hashes: readonly number[], n: number): void {
    for (let i = n - 1; i >= 0; i--) {
      const h = hashes[i]!;
      this.blocks.delete(h);
      this.blocks.set(h, true);
    }
  }

  private evict(): void {
    const cap = Math.max(0, this.capacity());
    if (this.blocks.size <= cap) return;
    const victims: number[] = [];
    for (const h of this.blocks.keys()) {
      if (this.blocks.size - victims.length <= cap) break;
      victims.push(h);
    }
    for (const h of victims) this.blocks.delete(h);
    this.evictedTotal += victims.length;
    this.events?.removed(victims);
  }
}
