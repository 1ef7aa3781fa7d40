import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import OpenAI from 'openai';
import { postJson, startServer, type TestServer } from '../support/server.js';

const ROUTES = [
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/responses',
  '/v1/messages',
  '/v1/embeddings',
  '/v1/chat/embeddings',
  '/v1/custom-multimodal',
  '/v1/ranking',
  '/rerank',
  '/v2/rerank',
  '/generate',
  '/generate_stream',
  '/v1/images/generations',
  '/v1/images/edits',
  '/v1/videos',
  '/rag/api/prompt',
  '/v1/infer',
];
const FIELDS = [
  'model',
  'messages',
  'prompt',
  'input',
  'inputs',
  'query',
  'passages',
  'texts',
  'documents',
  'max_tokens',
  'stream',
  'parameters',
  'modality_bundle',
  'thinking',
  'tools',
  'n',
  'size',
  'response_format',
  'partial_images',
  'seconds',
  'filters',
  'inference_model',
  'logprobs',
  'top_logprobs',
  'prompt_logprobs',
  'tool_choice',
  'guided_json',
  'structured_outputs',
  'stream_options',
];

describe('property: generated bad bodies never produce a 5xx', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer(['--fast']);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it('any JSON value, or an object of known field names with arbitrary values, on every route', async () => {
    const body = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue(), { maxKeys: 6 }),
      fc.string().map((s) => ({ raw: s })),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), body, async (route, value) => {
        const raw =
          typeof value === 'object' && value !== null && 'raw' in value
            ? String((value as { raw: string }).raw)
            : JSON.stringify(value);
        const res = await postJson(`${server.url}${route}`, raw, { 'anthropic-version': '2023-06-01' });
        const text = await res.text();
        if (res.status >= 500) return false;
        if (res.status >= 400) JSON.parse(text); // errors are JSON in the family's shape
        return true;
      }),
      { numRuns: 400, seed: 42 },
    );
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const ok = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'still fine?' }],
      max_tokens: 3,
    });
    assert.ok(ok.choices[0]!.message.content);
  });

  it('the official openai client retries a 429 and honours Retry-After', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 1 });
    const start = performance.now();
    await assert.rejects(
      client.chat.completions.create(
        { model: 'm', messages: [{ role: 'user', content: 'x' }] },
        { headers: { 'X-Mock-Fault': '429' } },
      ),
      (e: unknown) => e instanceof OpenAI.RateLimitError,
    );
    const took = performance.now() - start;
    assert.ok(took >= 950, `one retry after Retry-After: 1 took ${took.toFixed(0)} ms`);
  });
});
