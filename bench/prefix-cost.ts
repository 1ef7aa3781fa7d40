/**
 * What the prefix cache adds to a request's CPU: tokenising a prompt into ids (instead of only counting
 * them), hashing its blocks, and one lookup + store in a warm cache. Measured in this process on the
 * server's own code, for the prompt sizes users send (1k and 8k tokens); median of many runs.
 */
import { blockHashes, maxHitBlocks } from '../src/cache/block-hash.js';
import { PrefixCache } from '../src/cache/prefix-cache.js';
import { flat } from '../src/api/chunked.js';
import { chatStreamBody } from '../src/api/openai/format.js';
import { type StreamBody } from '../src/api/contract.js';
import { encode } from '../src/server/stream-wire.js';
import { loadCorpus } from '../src/generation/corpus.js';
import { type OutputPlan } from '../src/generation/planner.js';
import { TokenSpan } from '../src/generation/token-span.js';
import { chooseTokenizer, createTokenizer } from '../src/generation/tokenizer.js';
import { median } from './stats.js';

export interface PrefixCostRow {
  promptTokens: number;
  /** µs per prompt: tokenizer.count (what a request costs with caching off). */
  countUs: number;
  /** µs per prompt: tokenizer.encode (the ids the cache needs). */
  encodeUs: number;
  /** µs per prompt: chained block hashes of those ids. */
  hashUs: number;
  /** µs per prompt: hashing, then a lookup and a store in a cache holding 8192 blocks. */
  cacheUs: number;
}

const WORDS = 'the harbour pilot reads the tide tables before dawn and charts a course past the reef'.split(' ');

function promptOf(tokens: number, seed: number): string {
  const out: string[] = [];
  for (let i = 0; out.length < tokens; i++) out.push(WORDS[(i * 7 + seed) % WORDS.length]! + (i % 13 === 0 ? '.' : ''));
  return out.join(' ');
}

function timeUs(runs: number, fn: (i: number) => void): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn(i);
    samples.push((performance.now() - t0) * 1000);
  }
  return median(samples);
}

export function prefixCost(quick: boolean): PrefixCostRow[] {
  const tokenizer = createTokenizer(chooseTokenizer('builtin', false));
  const runs = quick ? 20 : 300;
  return [1000, 8000].map((size) => {
    const prompts = Array.from({ length: 16 }, (_, s) => promptOf(size, s));
    for (const p of prompts) tokenizer.encode(p); // warm the JIT and the tokenizer
    const ids = prompts.map((p) => tokenizer.encode(p));
    const cache = new PrefixCache(16, () => 8192);
    for (const i of ids) cache.store(blockHashes(i, 16), null);
    return {
      promptTokens: ids[0]!.length,
      countUs: timeUs(runs, (i) => tokenizer.count(prompts[i % 16]!)),
      encodeUs: timeUs(runs, (i) => tokenizer.encode(prompts[i % 16]!)),
      hashUs: timeUs(runs, (i) => blockHashes(ids[i % 16]!, 16)),
      cacheUs: timeUs(runs, (i) => {
        const h = blockHashes(ids[i % 16]!, 16);
        cache.lookup(h, maxHitBlocks(ids[i % 16]!.length, 16));
        cache.store(h, null);
      }),
    };
  });
}

export interface TokenizerCostRow {
  tokenizer: string;
  /** ms to load it (rank map or tokenizer.json) and its corpus, as a worker does at start-up. */
  loadMs: number;
  /** µs to count a ~1k-token prompt (median). */
  count1kUs: number;
}

/** Start-up and per-prompt cost of each shipped tokenizer, in this process. */
export function tokenizerCost(quick: boolean): TokenizerCostRow[] {
  const runs = quick ? 20 : 300;
  return ['builtin', 'Qwen/Qwen3-0.6B'].map((name) => {
    const t0 = performance.now();
    const tokenizer = createTokenizer(chooseTokenizer(name, false));
    loadCorpus(undefined, tokenizer);
    const loadMs = performance.now() - t0;
    const prompts = Array.from({ length: 16 }, (_, s) => promptOf(1000, s));
    for (const p of prompts) tokenizer.count(p);
    return { tokenizer: tokenizer.name, loadMs, count1kUs: timeUs(runs, (i) => tokenizer.count(prompts[i % 16]!)) };
  });
}

export interface FrameCostRow {
  variant: string;
  /** µs per streamed token to build its chat chunk (median of whole 1,000-token streams). */
  perTokenUs: number;
}

/** What the chat formatter costs per token, plain and with logprobs (top 5), in this process. */
export function frameCost(quick: boolean): FrameCostRow[] {
  const tokenizer = createTokenizer(chooseTokenizer('builtin', false));
  const corpus = loadCorpus(undefined, tokenizer).tokens;
  const plan: OutputPlan = {
    promptTokens: 100,
    reasoning: TokenSpan.of([]),
    content: new TokenSpan(corpus, 1000, 1000),
    finishReason: 'length',
    cachedTokens: 0,
    cacheCreationTokens: 0,
    seed: 42,
  };
  const meta = { id: 'chatcmpl-bench', created: 1, model: 'm' };
  const runs = quick ? 5 : 60;
  // As the server writes them: a chunk's string is flattened by the socket write (flat() stands in for it).
  const written = [
    {
      variant: 'plain, as the HTTP chunk written: frame measured and encoded (before decision 0016)',
      build: (body: StreamBody, i: number) => flat(encode(body.frame(i), true)),
    },
    {
      variant: 'plain, as the HTTP chunk written: built as the chunk (decision 0016)',
      build: (body: StreamBody, i: number) => flat(body.chunk!(i)),
    },
  ].map(({ variant, build }) => {
    const perStream = timeUs(runs, () => {
      const body = chatStreamBody(meta, plan, { usage: 'final', logprobs: null, interval: 1 });
      for (let i = 0; i < body.events - 1; i++) build(body, i);
    });
    return { variant, perTokenUs: perStream / 1000 };
  });
  return [
    { variant: 'plain', logprobs: null },
    { variant: 'logprobs, top 5', logprobs: 5 },
  ]
    .map(({ variant, logprobs }) => {
      const perStream = timeUs(runs, () => {
        const body = chatStreamBody(meta, plan, { usage: 'final', logprobs, interval: 1 });
        for (let i = 0; i < body.events; i++) body.frame(i);
      });
      return { variant, perTokenUs: perStream / 1000 };
    })
    .concat(written);
}
