import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { after, before, describe, it } from 'node:test';
import { getJson, postJson, startServer, type TestServer } from '../support/server.js';

const KEY = 'sk-test-7f3a9c';
const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 };

describe('--api-key on the Authorization header', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer(['--fast', '--api-key', KEY]);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it('the openai client with the key is served; with a wrong key it gets AuthenticationError', async () => {
    const good = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const r = await good.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(r.object, 'chat.completion');
    const bad = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'wrong', maxRetries: 0 });
    await assert.rejects(
      bad.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      (e: unknown) => e instanceof OpenAI.AuthenticationError && e.status === 401 && e.code === 'invalid_api_key',
    );
  });

  it('missing, wrong, raw and Bearer forms; every inference route is guarded in its own shape', async () => {
    const status = async (path: string, headers: Record<string, string>): Promise<[number, unknown]> => {
      const r = await postJson(`${server.url}${path}`, chat, headers);
      return [r.status, await r.json()];
    };
    assert.equal((await status('/v1/chat/completions', {}))[0], 401);
    assert.equal((await status('/v1/chat/completions', { authorization: 'Bearer nope' }))[0], 401);
    assert.equal((await status('/v1/chat/completions', { authorization: `Bearer ${KEY}` }))[0], 200);
    assert.equal((await status('/v1/chat/completions', { AUTHORIZATION: KEY }))[0], 200, 'raw key, any case');
    assert.equal((await status('/v1/chat/completions', { authorization: `${KEY}x` }))[0], 401);
    const [s1, tgi] = await status('/generate', {});
    assert.equal(s1, 401);
    assert.deepEqual(Object.keys(tgi as object).sort(), ['error', 'error_type']);
    const [s2, cohere] = await status('/v2/rerank', {});
    assert.equal(s2, 401);
    assert.deepEqual(Object.keys(cohere as object), ['message']);
    const [s3, anthropic] = await status('/v1/messages', {});
    assert.equal(s3, 401);
    assert.equal((anthropic as { error: { type: string } }).error.type, 'authentication_error');
  });

  it('health, models and metrics stay open; the key is never shown or logged', async () => {
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200);
    const text = await health.text();
    assert.ok(!text.includes(KEY));
    assert.ok(!('apiKey' in (JSON.parse(text) as { config: object }).config));
    assert.equal((await fetch(`${server.url}/v1/models`)).status, 200);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 200);
    assert.ok(!JSON.stringify(server.logs).includes(KEY));
  });
});

describe('--api-key on a custom header (X-Api-Key)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer(['--fast', '--api-key', KEY, '--auth-header-name', 'X-Api-Key']);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it('the anthropic client with the key in X-Api-Key is served; a wrong one is an AuthenticationError (its Authorization header does not count)', async () => {
    const good = new Anthropic({
      baseURL: server.url,
      apiKey: 'unused',
      defaultHeaders: { 'x-api-key': KEY },
      maxRetries: 0,
    });
    const m = await good.messages.create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(m.type, 'message');
    const bad = new Anthropic({
      baseURL: server.url,
      apiKey: KEY,
      defaultHeaders: { 'x-api-key': 'wrong' },
      maxRetries: 0,
    });
    await assert.rejects(
      bad.messages.create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
      (e: unknown) => e instanceof Anthropic.AuthenticationError && e.status === 401,
    );
  });

  it('"Bearer <key>" counts only on Authorization', async () => {
    const r = await postJson(`${server.url}/v1/chat/completions`, chat, { 'x-api-key': `Bearer ${KEY}` });
    assert.equal(r.status, 401);
  });
});

describe('readiness delays', () => {
  it('503 with Retry-After and /health "loading" until the inference delay passes; models listed after theirs', async () => {
    const server = await startServer([
      '--fast',
      '--workers',
      '2',
      '--inference-ready-delay-seconds',
      '3',
      '--models-ready-delay-seconds',
      '3',
    ]);
    try {
      const early = await postJson(`${server.url}/v1/chat/completions`, chat);
      assert.equal(early.status, 503);
      const retryAfter = Number(early.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 3, `Retry-After ${retryAfter}`);
      assert.match(((await early.json()) as { error: { message: string } }).error.message, /not ready/);
      const health = await fetch(`${server.url}/health`);
      assert.equal(health.status, 503);
      assert.equal(((await health.json()) as { status: string }).status, 'loading');
      assert.equal((await fetch(`${server.url}/health/live`)).status, 200);
      assert.deepEqual((await getJson<{ data: unknown[] }>(`${server.url}/v1/models`)).data, []);
      // The openai client retries a 503 and honours Retry-After: it is served once the server is ready.
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 5 });
      const r = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.object, 'chat.completion');
      assert.equal((await fetch(`${server.url}/health`)).status, 200);
      assert.equal((await getJson<{ data: unknown[] }>(`${server.url}/v1/models`)).data.length, 1);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
