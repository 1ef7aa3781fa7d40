import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';
import { rankCachePath } from './assets.js';
import { chunkText, countChunks } from './chunker.js';
import { splitByDecode } from './split-tokens.js';
import { findHfTokenizer, type HfTokenizerFile, loadHfTokenizer } from './hf-tokenizer.js';

export const TIKTOKEN_ENCODINGS = ['o200k_base', 'cl100k_base', 'p50k_base', 'r50k_base', 'gpt2'] as const;
export type TiktokenEncodingName = (typeof TIKTOKEN_ENCODINGS)[number];

/** What the planner needs from a tokenizer: count a prompt, split a corpus into output tokens. */
export interface Tokenizer {
  /** `o200k_base`, `cl100k_base`, ... or `chunker`. */
  readonly name: string;
  count(text: string): number;
  /** The prompt's token ids (the prefix cache hashes them); `encode(t).length === count(t)`. */
  encode(text: string): number[];
  split(text: string): string[];
  /** Token ids below this exist (regular and special tokens); Infinity when ids mean nothing (chunker). */
  readonly vocabSize: number;
}

/** Fields js-tiktoken 1.x keeps on every instance; we fill them from a prebuilt cache (see loadTiktoken). */
interface TiktokenInternals {
  rankMap: Map<string, number>;
  textMap: Map<number, Uint8Array>;
}

const require = createRequire(import.meta.url);

function loadRanks(encoding: TiktokenEncodingName): TiktokenBPE {
  const mod = require(`js-tiktoken/ranks/${encoding}`) as { default?: TiktokenBPE } & TiktokenBPE;
  return mod.default ?? mod;
}

/** The build's cache of one encoding: its regex, special tokens and rank-map keys in rank order. */
interface RankCache {
  readonly pat_str: string;
  readonly special_tokens: Record<string, number>;
  readonly keys: (string | null)[];
}

/**
 * js-tiktoken's constructor needs ~1.1 s to build its rank map for o200k_base, which would break the
 * 1 s start-up budget per worker. The build writes the map's keys in rank order (`npm run build`,
 * scripts/build-assets.ts); filling the same map from that file takes ~0.15 s and skips loading the
 * 2 MB ranks module. Without a cache file we fall back to the library constructor: slower, identical.
 */
export function loadTiktoken(encoding: TiktokenEncodingName): Tiktoken {
  const cachePath = rankCachePath(encoding);
  if (!existsSync(cachePath)) return new Tiktoken(loadRanks(encoding));
  const cache = JSON.parse(readFileSync(cachePath, 'utf8')) as RankCache;
  const enc = new Tiktoken({ pat_str: cache.pat_str, special_tokens: cache.special_tokens, bpe_ranks: '' });
  const rankMap = (enc as unknown as TiktokenInternals).rankMap;
  const keys = cache.keys;
  for (let rank = 0; rank < keys.length; rank++) {
    const key = keys[rank];
    if (key !== null && key !== undefined) rankMap.set(key, rank);
  }
  return enc;
}

/** What loadTiktoken reads back: built from the library's own constructor, so the two cannot differ. */
export function rankCache(encoding: TiktokenEncodingName): RankCache {
  const ranks = loadRanks(encoding);
  const enc = new Tiktoken(ranks);
  const keys: (string | null)[] = [];
  for (const [key, rank] of (enc as unknown as TiktokenInternals).rankMap) keys[rank] = key;
  for (let i = 0; i < keys.length; i++) if (keys[i] === undefined) keys[i] = null;
  return { pat_str: ranks.pat_str, special_tokens: ranks.special_tokens, keys };
}

/** Distinct prompt pieces remembered per worker (~2 MB at most). */
const PIECE_MEMO_LIMIT = 20_000;

class TiktokenTokenizer implements Tokenizer {
  private textMapReady = false;
  private readonly pattern: RegExp;
  private readonly rankMap: Map<string, number>;
  private readonly utf8 = new TextEncoder();
  private vocab = 0;
  private readonly pieces = new Map<string, readonly number[]>();

  constructor(
    readonly name: TiktokenEncodingName,
    private readonly enc: Tiktoken,
  ) {
    this.rankMap = (enc as unknown as TiktokenInternals).rankMap;
    this.pattern = new RegExp((enc as unknown as { patStr: string }).patStr, 'gu');
  }

  /** Highest rank or special-token id + 1, computed on first use (only token-id prompts need it). */
  get vocabSize(): number {
    if (this.vocab === 0) {
      let max = -1;
      for (const rank of this.rankMap.values()) if (rank > max) max = rank;
      const special = (this.enc as unknown as { specialTokens: Record<string, number> }).specialTokens;
      for (const id of Object.values(special)) if (id > max) max = id;
      this.vocab = max + 1;
    }
    return this.vocab;
  }

  /**
   * Same count as `encode(text, [], []).length` (special-token text is ordinary text to us, so
   * "<|endoftext|>" in a prompt never throws), without what encode rebuilds on every call: two
   * regexes and two sets. Each regex piece's ids are found once and remembered (prompts repeat
   * their words): a piece that is one token in the rank map is one lookup, the rest go through the
   * library's BPE.
   */
  count(text: string): number {
    if (text.length === 0) return 0;
    let n = 0;
    this.pattern.lastIndex = 0;
    for (let m = this.pattern.exec(text); m !== null; m = this.pattern.exec(text)) n += this.piece(m[0]).length;
    return n;
  }

  /** The ids `count` counts, found the same way. */
  encode(text: string): number[] {
    const ids: number[] = [];
    if (text.length === 0) return ids;
    this.pattern.lastIndex = 0;
    for (let m = this.pattern.exec(text); m !== null; m = this.pattern.exec(text))
      for (const id of this.piece(m[0])) ids.push(id);
    return ids;
  }

  /** One regex piece's ids, remembered; the memo is dropped whole when full (bounded memory, no LRU). */
  private piece(piece: string): readonly number[] {
    const known = this.pieces.get(piece);
    if (known !== undefined) return known;
    const rank = this.rankMap.get(this.utf8.encode(piece).join(','));
    const ids = rank !== undefined ? [rank] : this.enc.encode(piece, [], []);
    if (this.pieces.size >= PIECE_MEMO_LIMIT) this.pieces.clear();
    this.pieces.set(piece, ids);
    return ids;
  }

  split(text: string): string[] {
    this.ensureTextMap();
    return splitByDecode(this.enc.encode(text, [], []), (ids) => this.enc.decode(ids));
  }

  /** A cache-built encoder has no decode table until a corpus actually has to be split. */
  private ensureTextMap(): void {
    if (this.textMapReady) return;
    const internals = this.enc as unknown as TiktokenInternals;
    if (internals.textMap.size === 0) {
      for (const [key, rank] of internals.rankMap)
        internals.textMap.set(rank, Uint8Array.from(key.split(',').map(Number)));
    }
    this.textMapReady = true;
  }
}

/** FNV-1a of a chunk: the chunker has no vocabulary, so a chunk's id is a stable digest of its text. */
function chunkId(chunk: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < chunk.length; i++) h = Math.imul(h ^ chunk.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export const chunkerTokenizer: Tokenizer = {
  name: 'chunker',
  count: countChunks,
  encode: (text) => chunkText(text).map(chunkId),
  split: chunkText,
  vocabSize: Infinity,
};

/** Which tokenizer to build: decided once (the primary logs the warning once, not once per worker). */
export interface TokenizerChoice {
  readonly encoding: TiktokenEncodingName | 'chunker' | 'huggingface';
  /** The tokenizer.json to load, for `huggingface`. */
  readonly hf?: HfTokenizerFile;
  /** Set when the requested tokenizer cannot be used and the builtin one stands in. */
  readonly warning?: string;
}

/**
 * `builtin` is o200k_base; tiktoken encodings by name. A Hugging Face tokenizer is loaded from this
 * machine only (hf-tokenizer.ts: a tokenizer.json path or directory, the local hub cache, or the
 * shipped Qwen3 tokenizer); any other name falls back to the builtin encoding with one warning, since
 * nothing is downloaded at run time.
 */
export function chooseTokenizer(
  requested: string,
  noTokenizer: boolean,
  revision = 'main',
  env: NodeJS.ProcessEnv = process.env,
): TokenizerChoice {
  if (noTokenizer) return { encoding: 'chunker' };
  const name = requested.trim().toLowerCase();
  if (name === 'builtin') return { encoding: 'o200k_base' };
  if ((TIKTOKEN_ENCODINGS as readonly string[]).includes(name)) return { encoding: name as TiktokenEncodingName };
  const hf = findHfTokenizer(requested.trim(), revision, env);
  if (hf) return { encoding: 'huggingface', hf };
  return {
    encoding: 'o200k_base',
    warning: `tokenizer ${JSON.stringify(requested)} is not on this machine (no tokenizer.json at that path, in the Hugging Face cache, or shipped) and cannot be downloaded; using the builtin o200k_base encoding`,
  };
}

export function createTokenizer(choice: TokenizerChoice): Tokenizer {
  if (choice.encoding === 'chunker') return chunkerTokenizer;
  if (choice.encoding === 'huggingface') return loadHfTokenizer(choice.hf!);
  return new TiktokenTokenizer(choice.encoding, loadTiktoken(choice.encoding));
}
