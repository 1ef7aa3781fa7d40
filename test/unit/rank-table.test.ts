import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { Tiktoken } from 'js-tiktoken/lite';
import { rankCachePath } from '../../src/generation/assets.js';
import { RankTable } from '../../src/generation/rank-table.js';
import { createTokenizer, loadTiktoken } from '../../src/generation/tokenizer.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('rank table (decision 0013)', () => {
  // Ranks 0..5 with an unused rank 2, a multi-byte token and a prefix of another token.
  const tokens = [bytes('a'), bytes('b'), null, bytes('ab'), bytes('héllo'), bytes('abc')];
  const table = RankTable.fromTokens(tokens);

  it('finds every token by its bytes and by js-tiktoken`s comma-joined key; unknown and unused ones are absent', () => {
    tokens.forEach((t, rank) => {
      if (t === null) return;
      assert.equal(table.rankOf(t), rank);
      assert.equal(table.get(Array.from(t).join(',')), rank);
      assert.deepEqual(table.textOf(rank), t);
    });
    assert.equal(table.rankOf(bytes('ba')), -1);
    assert.equal(table.rankOf(bytes('')), -1);
    assert.equal(table.get('98,97'), undefined);
    assert.equal(table.get(''), undefined);
    assert.equal(table.textOf(2), undefined);
    assert.equal(table.textOf(6), undefined);
    assert.deepEqual(table.texts.get(4), bytes('héllo'));
    assert.equal(table.count, 6);
    // A byte range inside a longer buffer, as the BPE's slices are.
    assert.equal(table.rankOf(bytes('xxabcx'), 2, 4), 3);
  });

  it('a key longer than the lookup scratch buffer', () => {
    const long = new Uint8Array(300).fill(120);
    const t = RankTable.fromTokens([long]);
    assert.equal(t.get(Array.from(long).join(',')), 0);
  });

  it('survives its file round trip with its metadata', () => {
    const file = table.toFile({ pat_str: 'x+', special_tokens: { '<|end|>': 9 } });
    const { table: back, meta } = RankTable.fromFile(file);
    assert.deepEqual(meta, { pat_str: 'x+', special_tokens: { '<|end|>': 9 }, count: 6 });
    tokens.forEach((t, rank) => assert.deepEqual(back.textOf(rank), t ?? undefined));
    assert.equal(back.rankOf(bytes('abc')), 5);
  });

  it('the built o200k_base file holds exactly the library`s ranks (every one of them, both directions)', () => {
    assert.ok(existsSync(rankCachePath('o200k_base')), 'npm run build writes the file');
    const { table: built } = loadTiktoken('o200k_base');
    const ranks = createRequire(import.meta.url)('js-tiktoken/ranks/o200k_base') as ConstructorParameters<
      typeof Tiktoken
    >[0];
    const lib = new Tiktoken(ranks) as unknown as { rankMap: Map<string, number>; textMap: Map<number, Uint8Array> };
    let checked = 0;
    for (const [key, rank] of lib.rankMap) {
      if (built.get(key) !== rank) assert.fail(`rank of ${key}: ${built.get(key)} instead of ${rank}`);
      const text = built.textOf(rank);
      if (text === undefined || Buffer.compare(text, lib.textMap.get(rank)!) !== 0) assert.fail(`bytes of ${rank}`);
      checked++;
    }
    assert.ok(checked > 199_000, `${checked} ranks`);
    let used = 0;
    for (let r = 0; r < built.count; r++) if (built.textOf(r) !== undefined) used++;
    assert.equal(used, lib.rankMap.size);
  });

  it('an encoding without a build file (cl100k_base) is built from the library and counts as it does', () => {
    assert.ok(!existsSync(rankCachePath('cl100k_base')), 'the build writes only o200k_base');
    const ranks = createRequire(import.meta.url)('js-tiktoken/ranks/cl100k_base') as ConstructorParameters<
      typeof Tiktoken
    >[0];
    const reference = new Tiktoken(ranks);
    const t = createTokenizer({ encoding: 'cl100k_base' });
    for (const s of [
      'Déjà vu: naïve café — 東京 ✨ code() { return x**2; }',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    ]) {
      assert.deepEqual(t.encode(s), reference.encode(s, [], []));
      assert.equal(t.split(s).join(''), s);
    }
  });
});
