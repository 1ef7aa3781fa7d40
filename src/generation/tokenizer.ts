import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';
import { rankCachePath } from './assets.js';
import { type EncodingMeta, RankTable } from './rank-table.js';
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

/**
 * The two fields of js-tiktoken 1.x that its encode and decode read (only with `get`); we point both
 * at a RankTable (decision 0013).
 */
interface TiktokenInternals {
  rankMap: { get(key: string): number | undefined };
  textMap: { get(rank: number): Uint8Array | undefined };
}

const require = createRequire(import.meta.url);

function loadRanks(encoding: TiktokenEncodingName): TiktokenBPE {
  const mod = require(`js-tiktoken/ranks/${encoding}`) as { default?: TiktokenBPE } & TiktokenBPE;
  return mod.default ?? mod;
}

/** An encoder whose rank and decode maps are `table`. */
function onTable(table: RankTable, meta: EncodingMeta): Tiktoken {
  const enc = new Tiktoken({ pat_str: meta.pat_str, special_tokens: meta.special_tokens, bpe_ranks: '' });
  const internals = enc as unknown as TiktokenInternals;
  internals.rankMap = table;
  internals.textMap = table.texts;
  return enc;
}

/** The table and metadata of an encoding, from the library's own constructor (so the two cannot differ). */
function libraryTable(encoding: TiktokenEncodingName): { table: RankTable; meta: EncodingMeta } {
  const ranks = loadRanks(encoding);
  const textMap = (new Tiktoken(ranks) as unknown as { textMap: Map<number, Uint8Array> }).textMap;
  const tokens: (Uint8Array | null)[] = [];
  for (const [rank, bytes] of textMap) tokens[rank] = bytes;
  for (let r = 0; r < tokens.length; r++) tokens[r] ??= null;
  return {
    table: RankTable.fromTokens(tokens),
    meta: { pat_str: ranks.pat_str, special_tokens: ranks.special_tokens },
  };
}

/**
 * js-tiktoken's constructor needs ~1.1 s to build its rank map for o200k_base, which would break the
 * 1 s start-up budget per worker. The build writes the encoding's rank table to a file (`npm run
 * build`, scripts/build-assets.ts; decisions 0001 and 0013), which loads in a few milliseconds and skips
 * the 2 MB ranks module. Without the file we fall back to the library constructor: slower, identical.
 */
export function loadTiktoken(encoding: TiktokenEncodingName): { enc: Tiktoken; table: RankTable } {
  const cachePath = rankCachePath(encoding);
  const { table, meta } = existsSync(cachePath) ? RankTable.fromFile(readFileSync(cachePath)) : libraryTable(encoding);
  return { enc: onTable(table, meta), table };
}

/** What loadTiktoken reads back (the build writes it). */
export function rankCacheFile(encoding: TiktokenEncodingName): Uint8Array {
  const { table, meta } = libraryTable(encoding);
  return table.toFile(meta);
}

/** Distinct prompt pieces remembered per worker (~2 MB at most). */
const PIECE_MEMO_LIMIT = 20_000;

class TiktokenTokenizer implements Tokenizer {
  private readonly pattern: RegExp;
  private readonly utf8 = new TextEncoder();
  private vocab = 0;
  private readonly pieces = new Map<string, readonly number[]>();

  constructor(
    readonly name: TiktokenEncodingName,
    private readonly enc: Tiktoken,
    private readonly table: RankTable,
  ) {
    this.pattern = new RegExp((enc as unknown as { patStr: string }).patStr, 'gu');
  }

  /** Highest rank or special-token id + 1 (only token-id prompts need it). */
  get vocabSize(): number {
    if (this.vocab === 0) {
      let max = this.table.count - 1;
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
   * their words): a piece that is one token is one table lookup, the rest go through the
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
    const rank = this.table.rankOf(this.utf8.encode(piece));
    const ids = rank >= 0 ? [rank] : this.enc.encode(piece, [], []);
    if (this.pieces.size >= PIECE_MEMO_LIMIT) this.pieces.clear();
    this.pieces.set(piece, ids);
    return ids;
  }

  split(text: string): string[] {
    return splitByDecode(this.enc.encode(text, [], []), (ids) => this.enc.decode(ids));
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
  const { enc, table } = loadTiktoken(choice.encoding);
  return new TiktokenTokenizer(choice.encoding, enc, table);
}
