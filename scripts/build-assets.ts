/**
 * Build-time precomputation so that a worker starts in well under a second:
 * - the o200k_base rank table (js-tiktoken needs ~1.1 s to build its own; decisions 0001, 0013),
 * - the built-in corpus split into o200k_base, shipped Qwen3 and chunker tokens.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { BUILT_ASSETS_DIR, corpusCachePath, DEFAULT_CORPUS_PATH, rankCachePath } from '../src/generation/assets.js';
import { loadCorpus } from '../src/generation/corpus.js';
import { shippedQwen3 } from '../src/generation/hf-tokenizer.js';
import { chunkerTokenizer, createTokenizer, rankCacheFile } from '../src/generation/tokenizer.js';

mkdirSync(BUILT_ASSETS_DIR, { recursive: true });
writeFileSync(rankCachePath('o200k_base'), rankCacheFile('o200k_base'));
const qwen3 = createTokenizer({ encoding: 'huggingface', hf: shippedQwen3() });
for (const tokenizer of [createTokenizer({ encoding: 'o200k_base' }), qwen3, chunkerTokenizer]) {
  const corpus = loadCorpus(DEFAULT_CORPUS_PATH, tokenizer);
  writeFileSync(corpusCachePath(tokenizer.name), JSON.stringify(corpus.tokens));
  console.log(`corpus for ${tokenizer.name}: ${corpus.tokens.length} tokens`);
}
