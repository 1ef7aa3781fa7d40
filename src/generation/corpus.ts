import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusCachePath, DEFAULT_CORPUS_PATH } from './assets.js';
import { stableKey } from './hash.js';
import { type Tokenizer } from './tokenizer.js';

/** The output vocabulary: consecutive text fragments, one per output token. */
export interface Corpus {
  readonly tokens: readonly string[];
  /** Where it came from, for /health and logs. */
  readonly source: string;
}

/** As aiperf's prompt generator does: non-empty stripped lines joined by single spaces. */
export function normaliseCorpusText(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

function readJsonTokens(path: string): string[] | undefined {
  try {
    const tokens = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return Array.isArray(tokens) && tokens.length > 0 && tokens.every((t) => typeof t === 'string')
      ? tokens
      : undefined;
  } catch {
    return undefined;
  }
}

/** Splits text into tokens, memoised on disk by content and tokenizer so workers and restarts skip the work. */
function splitCached(text: string, tokenizer: Tokenizer): string[] {
  const dir = join(tmpdir(), 'aiperf-mock-server');
  const file = join(dir, `corpus-${stableKey(text, tokenizer.name)}.json`);
  const cached = readJsonTokens(file);
  if (cached) return cached;
  const tokens = tokenizer.split(text);
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(tokens));
    renameSync(tmp, file); // atomic: a worker never reads a half-written cache
  } catch {
    // A read-only filesystem only costs the next start the same work again.
  }
  return tokens;
}

/**
 * Loads the built-in corpus (pre-split by the build for the builtin encoding) or `path`.
 * A corpus that yields no tokens is an error, since every output token is drawn from it.
 */
export function loadCorpus(path: string | undefined, tokenizer: Tokenizer): Corpus {
  if (path === undefined) {
    const prebuilt = existsSync(corpusCachePath(tokenizer.name))
      ? readJsonTokens(corpusCachePath(tokenizer.name))
      : undefined;
    if (prebuilt) return { tokens: prebuilt, source: `builtin (${tokenizer.name})` };
  }
  const file = path ?? DEFAULT_CORPUS_PATH;
  const text = normaliseCorpusText(readFileSync(file, 'utf8'));
  if (text.length === 0) throw new Error(`corpus ${file} holds no text`);
  return { tokens: splitCached(text, tokenizer), source: `${path ?? 'builtin'} (${tokenizer.name})` };
}
