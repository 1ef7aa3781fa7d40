import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { getJson, postJson, startServer, type TestServer } from '../support/server.js';

interface Health {
  telemetry: { streamsOpen: number; requestsInFlight: number; disconnectsTotal: number; tokensTotal: number };
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail('condition not reached in time');
}

describe('OpenAI API with the official openai client', () => {
  let server: TestServer;
  let client: OpenAI;
  before(async () => {
    server = await startServer(['--ttft', '5', '--itl', '1']);
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'not-checked', maxRetries: 0 });
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  const messages = [{ role: 'user' as const, content: 'Tell me about the lighthouse by the harbor in winter.' }];

  it('chat completion, non-streaming', async () => {
    const r = await client.chat.completions.create({ model: 'gpt-4', messages, max_completion_tokens: 40 });
    assert.equal(r.object, 'chat.completion');
    assert.match(r.id, /^chatcmpl-/);
    assert.equal(r.model, 'gpt-4');
    const choice = r.choices[0]!;
    assert.equal(choice.message.role, 'assistant');
    assert.ok(choice.message.content && choice.message.content.length > 0);
    assert.ok(['stop', 'length'].includes(choice.finish_reason));
    assert.ok(r.usage && r.usage.completion_tokens > 0 && r.usage.completion_tokens <= 40);
    assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
    assert.ok(r.usage.prompt_tokens >= 10, `o200k prompt count ${r.usage.prompt_tokens}`);
  });

  it('chat completion, streaming with include_usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4',
      messages,
      max_tokens: 12,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true },
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    const content = chunks.filter((c) => c.choices.length > 0);
    assert.equal(content.length, 12, 'one token per chunk, exactly the cap with ignore_eos');
    assert.equal(content[0]!.choices[0]!.delta.role, 'assistant');
    assert.ok(content.slice(1).every((c) => c.choices[0]!.delta.role === undefined));
    assert.equal(content.at(-1)!.choices[0]!.finish_reason, 'length');
    assert.ok(content.slice(0, -1).every((c) => c.choices[0]!.finish_reason === null));
    const usage = chunks.at(-1)!;
    assert.deepEqual(usage.choices, []);
    assert.equal(usage.usage?.completion_tokens, 12);
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]!.id));
  });

  it('no usage chunk unless include_usage is asked for', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4', messages, max_tokens: 5, stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    assert.ok(chunks.length >= 1 && chunks.length <= 5, `${chunks.length} chunks for max_tokens 5`);
    assert.ok(chunks.every((c) => c.choices.length === 1 && !c.usage));
  });

  it('text completion, non-streaming and streaming, prompt forms', async () => {
    const r = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Once upon a time',
      max_tokens: 7,
      ignore_eos: true,
    } as OpenAI.CompletionCreateParamsNonStreaming);
    assert.equal(r.object, 'text_completion');
    assert.match(r.id, /^cmpl-/);
    assert.equal(r.usage?.completion_tokens, 7);
    assert.equal(r.choices[0]!.finish_reason, 'length');
    for (const prompt of [
      ['first prompt', 'second prompt'],
      [1, 2, 3, 4, 5],
      [
        [1, 2],
        [3, 4, 5],
      ],
    ]) {
      const s = await client.completions.create({
        model: 'm',
        prompt,
        max_tokens: 4,
        ignore_eos: true,
        stream: true,
        stream_options: { include_usage: true },
      } as OpenAI.CompletionCreateParamsStreaming);
      const chunks: OpenAI.Completion[] = [];
      for await (const c of s) chunks.push(c);
      const text = chunks.filter((c) => c.choices.length > 0);
      assert.equal(text.length, 4);
      assert.equal(text.at(-1)!.choices[0]!.finish_reason, 'length');
      assert.ok(chunks.every((c) => c.object === 'text_completion'));
      if (typeof prompt[0] === 'number') assert.equal(chunks.at(-1)!.usage?.prompt_tokens, 5);
    }
  });

  it('reasoning model: reasoning_content first, counted inside the cap', async () => {
    const r = await client.chat.completions.create({
      model: 'openai/gpt-oss-120b',
      messages,
      max_completion_tokens: 300,
      reasoning_effort: 'low',
    });
    const msg = r.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
    assert.ok(msg.reasoning_content && msg.reasoning_content.length > 0);
    assert.equal(r.usage?.completion_tokens_details?.reasoning_tokens, 100);
    assert.ok(r.usage!.completion_tokens <= 300);
    const stream = await client.chat.completions.create({
      model: 'Qwen/Qwen3-0.6B',
      messages,
      max_completion_tokens: 30,
      reasoning_effort: 'high',
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: Record<string, unknown>[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) {
      if (c.choices[0]) deltas.push(c.choices[0].delta as Record<string, unknown>);
      if (c.usage) usage = c.usage;
    }
    // cap 30 < high budget 500: every token is reasoning; the stream still ends with a finish_reason.
    assert.equal(deltas.filter((d) => typeof d['reasoning_content'] === 'string').length, 30);
    assert.equal(usage?.completion_tokens_details?.reasoning_tokens, 30);
    assert.equal(usage?.completion_tokens, 30);
  });

  it('min_tokens and max_tokens bound the length', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: `short ${i}` }],
        max_tokens: 30,
        min_tokens: 20,
      } as OpenAI.ChatCompletionCreateParamsNonStreaming);
      const n = r.usage!.completion_tokens;
      assert.ok(n >= 20 && n <= 30, String(n));
      assert.equal(r.choices[0]!.finish_reason, n === 30 ? 'length' : 'stop');
    }
  });

  it('same request, same answer', async () => {
    const ask = () => client.chat.completions.create({ model: 'gpt-4', messages, max_tokens: 64 });
    const [a, b] = await Promise.all([ask(), ask()]);
    assert.equal(a.choices[0]!.message.content, b.choices[0]!.message.content);
    assert.deepEqual(a.usage, b.usage);
    assert.notEqual(a.id, b.id);
  });

  it('bad input gets a 400 that names the field, in the OpenAI error shape', async () => {
    const cases: [unknown, RegExp][] = [
      ['{"model": "m", "messages": [', /not valid JSON/],
      [{ messages: [] }, /'model'/],
      [{ model: 'm' }, /'messages'/],
      [{ model: 'm', messages: 'hi' }, /'messages' must be an array/],
      [{ model: 'm', messages: [], max_tokens: -1 }, /'max_tokens' must be >= 0/],
      [{ model: 'm', messages: [], max_tokens: 'ten' }, /'max_tokens' must be an integer/],
      [{ model: 'm', messages: [], stream: 'yes' }, /'stream' must be a boolean/],
      [{ model: 'm', messages: [], reasoning_effort: 'extreme' }, /'reasoning_effort'/],
      [[1, 2], /must be a JSON object/],
    ];
    for (const [body, pattern] of cases) {
      const res = await postJson(`${server.url}/v1/chat/completions`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const json = (await res.json()) as { error: { message: string; type: string; param: unknown; code: unknown } };
      assert.match(json.error.message, pattern);
      assert.equal(json.error.type, 'invalid_request_error');
      assert.ok('param' in json.error && 'code' in json.error);
    }
    const res = await postJson(`${server.url}/v1/completions`, { model: 'm', prompt: [{}] });
    assert.equal(res.status, 400);
    await assert.rejects(
      client.chat.completions.create({ model: 'm', messages, max_tokens: -5 }),
      (e: unknown) => e instanceof OpenAI.BadRequestError,
    );
  });

  it('unknown routes 404 and wrong methods 405, as JSON', async () => {
    const nf = await fetch(`${server.url}/v1/nothing-here`);
    assert.equal(nf.status, 404);
    assert.equal(((await nf.json()) as { error: { type: string } }).error.type, 'not_found_error');
    const na = await fetch(`${server.url}/v1/chat/completions`);
    assert.equal(na.status, 405);
    assert.equal(na.headers.get('allow'), 'POST');
  });

  it('every route the server lists on / is documented in docs/endpoints.md', async () => {
    const root = await getJson<{ endpoints: { method: string; path: string }[] }>(`${server.url}/`);
    const doc = readFileSync(new URL('../../../docs/endpoints.md', import.meta.url), 'utf8');
    assert.ok(root.endpoints.length >= 27);
    for (const { method, path } of root.endpoints)
      assert.match(
        doc,
        new RegExp(`\\| ${method} +\\| \`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``),
        `${method} ${path}`,
      );
  });

  it('routes as the express router did: any case, a trailing slash, HEAD by GET, a query string', async () => {
    const body = JSON.stringify({ model: 'm', messages, max_tokens: 2 });
    for (const path of ['/V1/Chat/Completions', '/v1/chat/completions/', '/v1/chat/completions?x=1']) {
      const r = await fetch(`${server.url}${path}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(r.status, 200, path);
      assert.equal(((await r.json()) as { object: string }).object, 'chat.completion', path);
    }
    const head = await fetch(`${server.url}/health`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const options = await fetch(`${server.url}/v1/chat/completions`, { method: 'OPTIONS' });
    assert.equal(options.status, 405);
    assert.equal(options.headers.get('allow'), 'POST');
  });

  it('a client that disconnects mid-stream is cancelled and counted', async () => {
    const before = (await getJson<Health>(`${server.url}/health`)).telemetry.disconnectsTotal;
    const stream = await client.chat.completions.create({
      model: 'm',
      messages,
      max_tokens: 5000,
      ignore_eos: true,
      stream: true,
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    let seen = 0;
    for await (const _ of stream) {
      if (++seen === 3) break; // leaving the loop aborts the HTTP request
    }
    await waitFor(async () => {
      const h = await getJson<Health>(`${server.url}/health`);
      return h.telemetry.streamsOpen === 0 && h.telemetry.disconnectsTotal === before + 1;
    });
  });

  it('models, health and root', async () => {
    const models = await client.models.list();
    const m = models.data[0] as OpenAI.Model & { root?: string };
    assert.equal(m.id, 'mock-model');
    assert.equal(m.object, 'model');
    assert.equal(m.root, 'mock-model');
    const health = await getJson<Record<string, unknown>>(`${server.url}/health`);
    assert.equal(health['status'], 'healthy');
    assert.equal((health['config'] as Record<string, unknown>)['ttft'], 5);
    const root = await getJson<{ name: string; endpoints: { path: string }[] }>(`${server.url}/`);
    assert.equal(root.name, 'aiperf-mock-server');
    assert.ok(root.endpoints.some((e) => e.path === '/v1/chat/completions'));
  });
});

describe('error injection', () => {
  it('--error-rate 100 fails every inference request with an OpenAI-shaped 500', async () => {
    const server = await startServer(['--fast', '--error-rate', '100', '--random-seed', '1']);
    try {
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
      for (const stream of [false, true]) {
        await assert.rejects(
          client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream }),
          (e: unknown) => e instanceof OpenAI.InternalServerError,
        );
      }
      const res = await postJson(`${server.url}/v1/completions`, { model: 'm', prompt: 'x' });
      assert.equal(res.status, 500);
      const body = (await res.json()) as { error: Record<string, unknown> };
      assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
      assert.equal((await fetch(`${server.url}/health`)).status, 200, 'health is never failed');
    } finally {
      await server.stop();
    }
  });

  it('a seeded error rate gives the same sequence in every run', async () => {
    const run = async (): Promise<number[]> => {
      const server = await startServer(['--fast', '--error-rate', '30', '--random-seed', '42']);
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 200; i++) {
          const r = await postJson(`${server.url}/v1/completions`, { model: 'm', prompt: 'x', max_tokens: 1 });
          await r.arrayBuffer();
          statuses.push(r.status);
        }
        return statuses;
      } finally {
        await server.stop();
      }
    };
    const [a, b] = [await run(), await run()];
    assert.deepEqual(a, b);
    const failures = a.filter((s) => s === 500).length;
    // Binomial(200, 0.3): mean 60, sd 6.5; the 99.9 % range is 39..81.
    assert.ok(failures >= 39 && failures <= 81, `${failures} of 200 failed at 30 %`);
    assert.ok(
      a.every((s) => s === 200 || s === 500),
      'only successes and injected 500s',
    );
  });
});
