import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import OpenAI from 'openai';
import { retryTiming } from '../support/retry.js';
import { postJson, startServer } from '../support/server.js';
import { serverWithOpenAI } from '../support/openai-server.js';

/**
 * Wire fidelity beyond plain text with the official openai SDK: logprobs (OpenAI's chat and legacy
 * completions shapes; vLLM's limit of 20, vllm/v1/engine/processor.py), tool calls (streamed as
 * vLLM streams them, assembled by the SDK's stream helper), structured output (response_format,
 * vLLM's guided_json), n > 1 and --stream-interval (vLLM's option of that name).
 */
const WEATHER = {
  type: 'object',
  properties: {
    city: { type: 'string', minLength: 2 },
    unit: { enum: ['celsius', 'fahrenheit'] },
    days: { type: 'integer', minimum: 1, maximum: 14 },
  },
  required: ['city', 'unit', 'days'],
  additionalProperties: false,
} as const;
const tools: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Forecast', parameters: WEATHER } },
  { type: 'function', function: { name: 'noop', parameters: { type: 'object', properties: {} } } },
];
const ajv = new Ajv({ strict: false });
const validWeather = ajv.compile(WEATHER);
const messages = [{ role: 'user' as const, content: 'What will the weather be in the harbour town?' }];

describe('OpenAI output options with the openai SDK', () => {
  const ctx = serverWithOpenAI(['--ttft', '2', '--itl', '1']);

  it('chat logprobs: one entry per content token, top alternatives, probabilities that sum to at most 1', async () => {
    const ask = () =>
      ctx.client.chat.completions.create({ model: 'm', messages, max_tokens: 12, logprobs: true, top_logprobs: 3 });
    const r = await ask();
    const entries = r.choices[0]!.logprobs!.content!;
    assert.equal(entries.length, r.usage!.completion_tokens);
    assert.equal(entries.map((e) => e.token).join(''), r.choices[0]!.message.content);
    for (const e of entries) {
      assert.equal(e.top_logprobs.length, 3);
      assert.equal(e.top_logprobs[0]!.token, e.token); // the sampled token is the most likely
      assert.deepEqual(e.bytes, [...Buffer.from(e.token)]);
      const p = e.top_logprobs.reduce((s, t) => s + Math.exp(t.logprob), 0);
      assert.ok(e.logprob < 0 && p <= 1 + 1e-9, `${e.token}: ${p}`);
      for (let k = 1; k < 3; k++) assert.ok(e.top_logprobs[k]!.logprob < e.top_logprobs[k - 1]!.logprob);
    }
    assert.deepEqual((await ask()).choices[0]!.logprobs, r.choices[0]!.logprobs, 'deterministic');
    // Streaming: every content chunk carries its token's entry.
    const stream = await ctx.client.chat.completions.create({
      model: 'm',
      messages,
      max_tokens: 12,
      logprobs: true,
      top_logprobs: 1,
      stream: true,
    });
    const streamed: string[] = [];
    for await (const c of stream) for (const e of c.choices[0]?.logprobs?.content ?? []) streamed.push(e.token);
    assert.equal(streamed.join(''), r.choices[0]!.message.content);
  });

  it('completions logprobs N: tokens, token_logprobs, top_logprobs, text_offset (echo included)', async () => {
    const r = await ctx.client.completions.create({
      model: 'm',
      prompt: 'Tide tables:',
      max_tokens: 8,
      logprobs: 2,
      echo: true,
    });
    const lp = r.choices[0]!.logprobs!;
    assert.equal(lp.tokens!.length, r.usage!.completion_tokens);
    assert.equal('Tide tables:' + lp.tokens!.join(''), r.choices[0]!.text);
    assert.equal(lp.text_offset![0], 'Tide tables:'.length);
    for (let i = 0; i < lp.tokens!.length; i++) {
      const top = lp.top_logprobs![i]!;
      assert.equal(Object.keys(top).length, 2);
      assert.equal(top[lp.tokens![i]!], lp.token_logprobs![i]);
      if (i > 0) assert.equal(lp.text_offset![i], lp.text_offset![i - 1]! + [...lp.tokens![i - 1]!].length);
    }
  });

  it("logprob limits are vLLM's: 400 above 20, top_logprobs without logprobs, prompt_logprobs above 20", async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['/v1/chat/completions', { messages, logprobs: true, top_logprobs: 21 }, /greater than max allowed: 20/],
      ['/v1/chat/completions', { messages, top_logprobs: 2 }, /`logprobs` must be set to true/],
      ['/v1/completions', { prompt: 'x', logprobs: 21 }, /Requested sample logprobs of 21/],
      ['/v1/completions', { prompt: 'x', prompt_logprobs: 21 }, /Requested prompt logprobs of 21/],
      ['/v1/chat/completions', { messages, n: 0 }, /n must be at least 1/],
      ['/v1/chat/completions', { messages, tools: 'x' }, /tools/],
      ['/v1/chat/completions', { messages, tool_choice: 'required' }, /`tools` must be set/],
      ['/v1/chat/completions', { messages, response_format: { type: 'json_schema' } }, /schema: Field required/],
      ['/v1/completions', { prompt: 'x', guided_json: '{not json' }, /guided_json/],
      ['/v1/completions', { prompt: 'x', guided_json: { type: 'array', minItems: 1e9 } }, /Invalid JSON schema/],
      [
        '/v1/chat/completions',
        { messages, response_format: { type: 'json_schema', json_schema: { schema: { type: 'nonsense' } } } },
        /.+/,
      ],
    ];
    for (const [path, body, message] of cases) {
      const res = await postJson(ctx.server.url + path, { model: 'm', max_tokens: 2, ...body });
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.status}`);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, message);
    }
    const ok = await postJson(`${ctx.server.url}/v1/completions`, {
      model: 'm',
      prompt: 'x',
      max_tokens: 2,
      prompt_logprobs: 5,
    });
    assert.equal(ok.status, 200);
  });

  it('tool calls: required and named choices answer with arguments valid against the schema', async () => {
    for (const tool_choice of ['required', { type: 'function', function: { name: 'get_weather' } }] as const) {
      const r = await ctx.client.chat.completions.create({ model: 'm', messages, max_tokens: 60, tools, tool_choice });
      const choice = r.choices[0]!;
      assert.equal(choice.finish_reason, 'tool_calls');
      assert.equal(choice.message.content, null);
      const call = choice.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
      assert.match(call.id, /^chatcmpl-tool-/);
      if (typeof tool_choice === 'object' || call.function.name === 'get_weather')
        assert.ok(validWeather(JSON.parse(call.function.arguments)), ajv.errorsText(validWeather.errors));
    }
    const none = await ctx.client.chat.completions.create({
      model: 'm',
      messages,
      max_tokens: 5,
      tools,
      tool_choice: 'none',
    });
    assert.equal(none.choices[0]!.message.tool_calls, undefined);
    const bad = await postJson(`${ctx.server.url}/v1/chat/completions`, {
      model: 'm',
      messages,
      tools,
      tool_choice: { type: 'function', function: { name: 'nope' } },
    });
    assert.equal(bad.status, 400);
  });

  it("tool calls stream as vLLM's (id and name first, arguments across deltas); the SDK's stream helper assembles them", async () => {
    const stream = ctx.client.chat.completions.stream({
      model: 'm',
      messages,
      max_tokens: 60,
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    let argumentDeltas = 0;
    stream.on('chunk', (c) => {
      if (c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments) argumentDeltas++;
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    assert.equal(call.function.name, 'get_weather');
    assert.ok(validWeather(JSON.parse(call.function.arguments)));
    assert.equal(final.choices[0]!.finish_reason, 'tool_calls');
    assert.ok(argumentDeltas > 3, `${argumentDeltas} argument deltas`);
    // The non-streaming answer to the same request is the same call.
    const once = await ctx.client.chat.completions.create({
      model: 'm',
      messages,
      max_tokens: 60,
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    assert.deepEqual(once.choices[0]!.message.tool_calls, final.choices[0]!.message.tool_calls);
  });

  it('structured output: json_schema (the SDK parse helper), json_object and guided_json validate; length honoured', async () => {
    const schema = {
      type: 'object',
      properties: {
        title: { type: 'string' },
        summary: { type: 'string' },
        stars: { type: 'integer', minimum: 1, maximum: 5 },
      },
      required: ['title', 'summary', 'stars'],
      additionalProperties: false,
    };
    const valid = ajv.compile(schema);
    for (const max_tokens of [30, 200]) {
      const r = await ctx.client.chat.completions.parse({
        model: 'm',
        messages,
        max_tokens,
        ignore_eos: true,
        response_format: { type: 'json_schema', json_schema: { name: 'review', schema, strict: true } },
      } as OpenAI.ChatCompletionCreateParamsNonStreaming);
      const parsed = r.choices[0]!.message.parsed;
      assert.ok(valid(parsed), ajv.errorsText(valid.errors));
      const used = r.usage!.completion_tokens;
      assert.ok(used <= max_tokens && used >= 0.7 * max_tokens, `${used} tokens for max_tokens ${max_tokens}`);
    }
    const obj = await ctx.client.chat.completions.create({
      model: 'm',
      messages,
      max_tokens: 40,
      response_format: { type: 'json_object' },
    });
    assert.equal(typeof JSON.parse(obj.choices[0]!.message.content!), 'object');
    const guided = await postJson(`${ctx.server.url}/v1/completions`, {
      model: 'm',
      prompt: 'Forecast:',
      max_tokens: 50,
      guided_json: WEATHER,
    });
    const text = ((await guided.json()) as { choices: { text: string }[] }).choices[0]!.text;
    assert.ok(validWeather(JSON.parse(text)), text);
  });

  it('n > 1: distinct choices with their own indexes, interleaved in the stream, usage summed', async () => {
    const r = await ctx.client.chat.completions.create({ model: 'm', messages, max_tokens: 10, n: 3 });
    assert.deepEqual(
      r.choices.map((c) => c.index),
      [0, 1, 2],
    );
    assert.equal(new Set(r.choices.map((c) => c.message.content)).size, 3);
    const stream = ctx.client.chat.completions.stream({
      model: 'm',
      messages,
      max_tokens: 10,
      n: 3,
      stream_options: { include_usage: true },
    });
    const order: number[] = [];
    stream.on('chunk', (c) => {
      if (c.choices[0]) order.push(c.choices[0].index);
    });
    const final = await stream.finalChatCompletion();
    assert.deepEqual(
      final.choices.map((c) => c.message.content),
      r.choices.map((c) => c.message.content),
    );
    assert.deepEqual(order.slice(0, 3), [0, 1, 2], 'one chunk per choice per step');
    assert.equal(final.usage!.completion_tokens, r.usage!.completion_tokens);
    const completion = await ctx.client.completions.create({ model: 'm', prompt: 'x', max_tokens: 4, n: 2 });
    assert.equal(completion.choices.length, 2);
    const tooMany = await postJson(`${ctx.server.url}/v1/chat/completions`, { model: 'm', messages, n: 129 });
    assert.equal(tooMany.status, 400);
  });
});

describe('--stream-interval (vLLM): several tokens per event', () => {
  /** One 14-token stream: each event's read time (ms from the request) and its text. */
  function events(url: string): Promise<{ at: number; tokens: string }[]> {
    const list: { at: number; tokens: string }[] = [];
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(
        `${url}/v1/chat/completions`,
        { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
        (res) => {
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            buf += d;
            let k: number;
            while ((k = buf.indexOf('\n\n')) >= 0) {
              const frame = buf.slice(0, k);
              buf = buf.slice(k + 2);
              if (frame === 'data: [DONE]') continue;
              const chunk = JSON.parse(frame.slice(6)) as { choices: { delta: { content?: string } }[] };
              list.push({ at: performance.now() - t0, tokens: chunk.choices[0]?.delta.content ?? '' });
            }
          });
          res.on('end', () => resolve(list));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ model: 'm', messages, max_tokens: 14, ignore_eos: true, stream: true }));
    });
  }

  it('the first token alone, then N per event, each event when its last token is due', async (t) => {
    const server = await startServer(['--ttft', '10', '--itl', '5', '--stream-interval', '4']);
    try {
      await events(server.url); // the first stream pays the server's first-use costs
      // Measured again when a gap is out of bounds (a descheduled client or server on a shared host).
      await retryTiming(t, async () => {
        const seen = await events(server.url);
        // 14 tokens: 1 + 4 + 4 + 4 + 1.
        assert.equal(seen.length, 5);
        assert.equal(seen.map((e) => e.tokens).join('').length > 0, true);
        const gaps = seen.slice(1).map((e, i) => e.at - seen[i]!.at);
        // Events 1-3 span 4 ITLs (20 ms) each, the last one ITL (5 ms). The first gap is measured from the
        // first read, which the client's own start-up delays: it is only bounded below.
        assert.ok(gaps[0]! > 10, `first gap ${gaps[0]!.toFixed(1)} ms`);
        for (const g of gaps.slice(1, 3)) assert.ok(g > 17 && g < 30, `gap ${g.toFixed(1)} ms`);
        assert.ok(gaps[3]! > 2 && gaps[3]! < 15, `last gap ${gaps[3]!.toFixed(1)} ms`);
      });
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
