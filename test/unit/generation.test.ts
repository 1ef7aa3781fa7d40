import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkText, countChunks } from '../../src/generation/chunker.js';
import { loadCorpus } from '../../src/generation/corpus.js';
import { stableKey } from '../../src/generation/hash.js';
import {
  isReasoningModel,
  MIN_UNCAPPED_TOKENS,
  type PlanInput,
  planLengths,
  planOutput,
  REASONING_BUDGET,
} from '../../src/generation/planner.js';
import { chooseTokenizer, createTokenizer } from '../../src/generation/tokenizer.js';
import { openAIUsage } from '../../src/generation/usage.js';

describe('chunker', () => {
  const table: [string, string[]][] = [
    ['Hello world', ['Hello ', 'worl', 'd']],
    ['Short', ['Shor', 't']],
    ['What is machine learning?', ['What', ' is ', 'mach', 'ine ', 'lear', 'ning', '?']],
    ['', []],
    ['héllo wörld', ['héllo ', 'wörl', 'd']],
  ];
  for (const [text, want] of table) {
    it(JSON.stringify(text), () => {
      assert.deepEqual(chunkText(text), want);
      assert.equal(countChunks(text), want.length);
    });
  }
});

const base: PlanInput = {
  promptTokens: 100,
  key: stableKey('m', 'p'),
  maxTokens: null,
  minTokens: null,
  ignoreEos: false,
  reasoningBudget: 0,
  limit: 100_000,
};

describe('planLengths', () => {
  const draws = [0, 0.25, 0.5, 0.999999];
  it('no cap: 0.8–1.2 × prompt, never below 16, finish stop', () => {
    for (const r of draws) {
      const l = planLengths(base, r);
      assert.ok(l.content >= 80 && l.content <= 120, String(l.content));
      assert.equal(l.finishReason, 'stop');
    }
    assert.equal(planLengths(base, 0).content, 80);
    assert.equal(planLengths(base, 0.999999).content, 120);
    assert.equal(planLengths({ ...base, promptTokens: 2 }, 0.5).content, MIN_UNCAPPED_TOKENS);
  });
  it('no cap with min_tokens raises the floor', () => {
    assert.equal(planLengths({ ...base, minTokens: 500 }, 0).content, 500);
  });
  it('cap: between floor and cap; finish length exactly at the cap', () => {
    const capped = { ...base, maxTokens: 50 };
    assert.equal(planLengths(capped, 0).content, 50); // floor min(80, 50) = cap
    const short = { ...base, promptTokens: 10, maxTokens: 50 };
    assert.equal(planLengths(short, 0).content, 8);
    assert.equal(planLengths(short, 0).finishReason, 'stop');
    assert.equal(planLengths(short, 0.999999).content, 50);
    assert.equal(planLengths(short, 0.999999).finishReason, 'length');
  });
  it('min_tokens is honoured under a cap', () => {
    const l = planLengths({ ...base, promptTokens: 10, maxTokens: 50, minTokens: 40 }, 0);
    assert.equal(l.content, 40);
    assert.equal(planLengths({ ...base, maxTokens: 10, minTokens: 40 }, 0).content, 10);
  });
  it('ignore_eos gives exactly the cap', () => {
    for (const r of draws)
      assert.deepEqual(planLengths({ ...base, maxTokens: 37, ignoreEos: true }, r), {
        reasoning: 0,
        content: 37,
        finishReason: 'length',
      });
  });
  it('max_tokens 0 gives nothing, finish length', () => {
    assert.deepEqual(planLengths({ ...base, maxTokens: 0 }, 0.3), { reasoning: 0, content: 0, finishReason: 'length' });
  });
  it('the server limit caps any request', () => {
    assert.equal(planLengths({ ...base, maxTokens: 1e9, ignoreEos: true, limit: 1000 }, 0).content, 1000);
    assert.ok(planLengths({ ...base, promptTokens: 1e6, limit: 1000 }, 0.5).content <= 1000);
  });
  // Upstream's reasoning vectors: reasoning is counted inside the cap and never exceeds it.
  const reasoning: [number, keyof typeof REASONING_BUDGET, number, number][] = [
    [50, 'medium', 50, 0],
    [80, 'low', 80, 0],
    [100, 'low', 100, 0],
    [1000, 'high', 500, 500],
  ];
  for (const [cap, effort, wantReasoning, maxContent] of reasoning) {
    it(`reasoning cap ${cap} effort ${effort}`, () => {
      for (const r of draws) {
        const l = planLengths({ ...base, maxTokens: cap, reasoningBudget: REASONING_BUDGET[effort] }, r);
        assert.equal(l.reasoning, wantReasoning);
        assert.ok(l.content <= maxContent);
        assert.ok(l.reasoning + l.content <= cap);
        if (maxContent === 0) assert.equal(l.finishReason, 'length');
      }
    });
  }
  it('reasoning without a cap uses the full effort budget', () => {
    assert.equal(planLengths({ ...base, reasoningBudget: 250 }, 0.5).reasoning, 250);
  });
  it('reasoning models are recognised by name', () => {
    for (const m of ['openai/gpt-oss-120b', 'Qwen/Qwen3-0.6B', 'qwen2.5']) assert.ok(isReasoningModel(m), m);
    for (const m of ['gpt-4', 'llama-3', 'mock-model']) assert.ok(!isReasoningModel(m), m);
  });
});

describe('planOutput', () => {
  const corpus = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  it('is a pure function of the request key', () => {
    const a = planOutput({ ...base, promptTokens: 20 }, corpus);
    const b = planOutput({ ...base, promptTokens: 20 }, corpus);
    assert.deepEqual(a, b);
    const c = planOutput({ ...base, promptTokens: 20, key: stableKey('m', 'other prompt') }, corpus);
    assert.notEqual(a.content.join(), c.content.join());
  });
  it('draws consecutive corpus tokens, wrapping', () => {
    const p = planOutput({ ...base, promptTokens: 20 }, corpus);
    const start = corpus.indexOf(p.content.at(0));
    assert.ok(p.content.length > corpus.length, 'long enough to wrap');
    p.content.map((t, i) => assert.equal(t, corpus[(start + i) % corpus.length]));
    assert.equal(p.content.join(), p.content.map((t) => t).join(''));
  });
  it('usage has the full OpenAI shape and adds up', () => {
    const p = planOutput({ ...base, maxTokens: 300, reasoningBudget: 100, ignoreEos: true }, corpus);
    const u = openAIUsage(p);
    assert.equal(u.completion_tokens, 300);
    assert.equal(u.completion_tokens_details.reasoning_tokens, 100);
    assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
    // A fresh plan has no cache hit: the prefix cache sets it after its lookup (server/prefix.ts).
    assert.equal(u.prompt_tokens_details.cached_tokens, 0);
  });
});

describe('tokenizer', () => {
  it('counts with o200k_base by default and never throws on special-token text', () => {
    const t = createTokenizer(chooseTokenizer('builtin', false));
    assert.equal(t.name, 'o200k_base');
    assert.equal(t.count('Hello world'), 2);
    assert.ok(t.count('<|endoftext|> and <|im_start|>') > 2);
    assert.equal(t.count(''), 0);
  });
  it('the cache-built encoder matches the library one, and split round-trips text', () => {
    const t = createTokenizer({ encoding: 'o200k_base' });
    const text = 'Déjà vu: naïve café — 東京 ✨ tokens, numbers 12345 and code() {}';
    assert.equal(t.split(text).join(''), text);
    assert.equal(t.split(text).length <= t.count(text), true);
  });
  it('other tiktoken encodings by name; Qwen3 is shipped; other Hugging Face names fall back with a warning', () => {
    assert.deepEqual(chooseTokenizer('cl100k_base', false), { encoding: 'cl100k_base' });
    const qwen = chooseTokenizer('Qwen/Qwen3-0.6B', false, 'main', {});
    assert.equal(qwen.encoding, 'huggingface');
    assert.equal(qwen.hf?.name, 'qwen3');
    assert.equal(chooseTokenizer('Qwen/Qwen3-30B-A3B', false, 'main', {}).hf?.name, 'qwen3');
    const hf = chooseTokenizer('meta-llama/Llama-3.1-8B', false, 'main', { HF_HUB_CACHE: '/nonexistent' });
    assert.equal(hf.encoding, 'o200k_base');
    assert.match(hf.warning ?? '', /meta-llama\/Llama-3.1-8B.*builtin o200k_base/);
    assert.deepEqual(chooseTokenizer('builtin', true), { encoding: 'chunker' });
  });
  it('ships a corpus for the builtin encoding and for the chunker', () => {
    for (const encoding of ['o200k_base', 'chunker'] as const) {
      const c = loadCorpus(undefined, createTokenizer({ encoding }));
      assert.ok(c.tokens.length > 50_000, `${encoding}: ${c.tokens.length}`);
      assert.match(c.source, /builtin/);
    }
  });
});

describe('tokenizer count and encode', () => {
  it('equal the library encode (ids and length) on prose, code, unicode and special-token text', async () => {
    const { Tiktoken } = await import('js-tiktoken/lite');
    const { createRequire } = await import('node:module');
    const ranks = createRequire(import.meta.url)('js-tiktoken/ranks/o200k_base') as ConstructorParameters<
      typeof Tiktoken
    >[0];
    const reference = new Tiktoken(ranks);
    const t = createTokenizer({ encoding: 'o200k_base' });
    const corpus = loadCorpus(undefined, t).tokens.slice(0, 4000).join('');
    const samples = [
      corpus,
      'Déjà vu: naïve café — 東京 ✨ tokens, numbers 12345 and code() { return x**2; }\n\n\tindented',
      '<|endoftext|> special <|im_start|>user\nhi<|im_end|>',
      '   leading spaces and trailing   ',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      '🙂🙃🙂 emoji 👩‍👩‍👧‍👦 family',
    ];
    // Twice: the second pass answers from the per-piece memo.
    for (let pass = 0; pass < 2; pass++)
      for (const s of samples) {
        const ids = reference.encode(s, [], []);
        assert.equal(t.count(s), ids.length, s.slice(0, 40));
        assert.deepEqual(t.encode(s), ids, s.slice(0, 40));
      }
  });
});
