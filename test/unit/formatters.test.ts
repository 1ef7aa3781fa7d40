import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messageBody, messageStream } from '../../src/api/anthropic/messages.js';
import { chatCompletionBody, chatStreamBody, type StreamShape, type StreamUsage } from '../../src/api/openai/format.js';
import { completionStreamBody } from '../../src/api/openai/format-completions.js';
import { type GenerationRequest, type StreamBody } from '../../src/api/contract.js';
import { responsesStream } from '../../src/api/responses/responses.js';
import { TGI_STREAM_API } from '../../src/api/tgi/tgi.js';
import { type OutputPlan } from '../../src/generation/planner.js';
import { TokenSpan } from '../../src/generation/token-span.js';
import { encode } from '../../src/server/stream-wire.js';

const meta = { id: 'chatcmpl-1', created: 1700000000, model: 'm' };
const plan: OutputPlan = {
  promptTokens: 5,
  reasoning: TokenSpan.of([]),
  content: TokenSpan.of(['Hello', ' world']),
  finishReason: 'length',
  cachedTokens: 2,
  cacheCreationTokens: 0,
  seed: 7,
};
const thinking: OutputPlan = { ...plan, reasoning: TokenSpan.of(['Hm', '.']) };
const request: GenerationRequest = {
  model: 'm',
  stream: true,
  includeUsage: true,
  promptText: 'hi',
  promptTokenCount: null,
  maxTokens: 2,
  minTokens: null,
  ignoreEos: false,
  reasoningEffort: null,
};
const shape = (usage: StreamUsage): StreamShape => ({ usage, logprobs: null, interval: 1 });
const all = (b: StreamBody): string => Array.from({ length: b.events }, (_, i) => b.frame(i)).join('') + b.trailer;

describe('OpenAI formatters (golden)', () => {
  it('chat stream frames', () => {
    const body = chatStreamBody(meta, plan, shape('none'));
    const head =
      '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[{"index":0,"delta":{';
    assert.equal(
      all(body),
      `data: ${head}"role":"assistant","content":"Hello"},"logprobs":null,"finish_reason":null}]}\n\n` +
        `data: ${head}"content":" world"},"logprobs":null,"finish_reason":"length"}]}\n\n` +
        'data: [DONE]\n\n',
    );
  });
  it('chat stream with reasoning and usage', () => {
    const frames = all(chatStreamBody(meta, thinking, shape('final')))
      .trim()
      .split('\n\n');
    assert.equal(frames.length, 6);
    const chunks = frames.slice(0, 5).map(
      (f) =>
        JSON.parse(f.slice(6)) as {
          choices: { delta: Record<string, string> }[];
          usage?: { completion_tokens: number };
        },
    );
    assert.deepEqual(chunks[0]!.choices[0]!.delta, { role: 'assistant', reasoning_content: 'Hm' });
    assert.deepEqual(chunks[2]!.choices[0]!.delta, { content: 'Hello' });
    assert.equal(chunks[4]!.usage?.completion_tokens, 4);
  });
  it('continuous usage (vLLM continuous_usage_stats): every chunk has the running counts, then the usage chunk', () => {
    const frames = all(chatStreamBody(meta, thinking, shape('continuous')))
      .trim()
      .split('\n\n');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.slice(6)) as { usage?: Record<string, number> });
    assert.equal(chunks.length, 5); // 4 token chunks + the usage chunk
    assert.deepEqual(
      chunks.slice(0, 4).map((c) => c.usage),
      [1, 2, 3, 4].map((k) => ({ prompt_tokens: 5, total_tokens: 5 + k, completion_tokens: k })),
    );
    assert.equal(chunks[4]!.usage!['completion_tokens'], 4);
    const completion = all(completionStreamBody(meta, plan, shape('continuous')))
      .trim()
      .split('\n\n');
    assert.match(
      completion[1]!,
      /"finish_reason":"length"}\],"usage":\{"prompt_tokens":5,"total_tokens":7,"completion_tokens":2\}\}$/,
    );
  });
  it('completion stream frames', () => {
    const head =
      '{"id":"chatcmpl-1","object":"text_completion","created":1700000000,"model":"m","choices":[{"index":0,"text":';
    assert.equal(
      all(completionStreamBody(meta, plan, shape('none'))),
      `data: ${head}"Hello","logprobs":null,"finish_reason":null}]}\n\ndata: ${head}" world","logprobs":null,"finish_reason":"length"}]}\n\ndata: [DONE]\n\n`,
    );
  });
  it('token text is the same JSON string JSON.stringify makes, whether or not it needs escaping', () => {
    // Plain tokens are quoted in place; the rest go through JSON.stringify (escapes, surrogates).
    const tokens = [
      'plain',
      ' say "hi"',
      'back\\slash',
      'line\nbreak',
      'tab\t',
      '\u0001',
      'émoji 🚀',
      '\ud800',
      '',
      '\u2028',
    ];
    const tricky: OutputPlan = { ...plan, reasoning: TokenSpan.of(tokens), content: TokenSpan.of(tokens) };
    for (const body of [
      chatStreamBody(meta, tricky, shape('none')),
      completionStreamBody(meta, tricky, shape('none')),
    ]) {
      for (let i = 0; i < body.events; i++) {
        const frame = body.frame(i);
        const token = tokens[i % tokens.length]!;
        assert.ok(frame.includes(JSON.stringify(token)), `frame ${i}: ${frame}`);
        const chunk = JSON.parse(frame.slice(6)) as {
          choices: { text?: string; delta?: { content?: string; reasoning_content?: string } }[];
        };
        const c = chunk.choices[0]!;
        assert.equal(c.text ?? c.delta?.content ?? c.delta?.reasoning_content, token);
      }
    }
  });
  it('a body that builds its HTTP chunks builds the chunk of its frame, byte for byte', () => {
    // chunked.ts: the common chat and completions streams build each event as the HTTP chunk it is
    // written as, with the size line summed from pieces instead of measured. Escapes, multi-byte and
    // lone surrogates (written as U+FFFD, 3 bytes) must count as the socket writes them.
    const tokens = ['plain', ' say "hi"', 'back\\slash', 'line\nbreak', '\u0001', 'émoji 🚀', '\ud800', '', '\u2028'];
    const tricky: OutputPlan = { ...plan, reasoning: TokenSpan.of(tokens), content: TokenSpan.of(tokens) };
    const empty: OutputPlan = { ...plan, content: TokenSpan.of([]), finishReason: 'stop' };
    const metas = [meta, { ...meta, model: 'modèle/ü' }];
    const bodies = metas.flatMap((m) => [
      chatStreamBody(m, tricky, shape('none')),
      chatStreamBody(m, empty, shape('final')),
      completionStreamBody(m, tricky, shape('final')),
      completionStreamBody(m, tricky, shape('none'), 'echo «»'),
    ]);
    let chunks = 0;
    for (const body of bodies) {
      assert.ok(body.chunk, 'the common stream builds its chunks');
      for (let i = 0; i < body.events - 1; i++, chunks++) assert.equal(body.chunk(i), encode(body.frame(i), true));
    }
    assert.ok(chunks > 30);
    // Not where the chunk would need more than one choice's pieces: n > 1, grouped events, logprobs.
    assert.equal(chatStreamBody(meta, { ...plan, others: [plan] }, shape('none')).chunk, undefined);
    assert.equal(chatStreamBody(meta, plan, { usage: 'none', logprobs: null, interval: 2 }).chunk, undefined);
    assert.equal(chatStreamBody(meta, plan, { usage: 'none', logprobs: 2, interval: 1 }).chunk, undefined);
    assert.equal(chatStreamBody(meta, plan, shape('continuous')).chunk, undefined);
  });
  it('chat body', () => {
    assert.deepEqual(chatCompletionBody(meta, thinking), {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'm',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello world', reasoning_content: 'Hm.' },
          logprobs: null,
          finish_reason: 'length',
        },
      ],
      usage: {
        prompt_tokens: 5,
        completion_tokens: 4,
        total_tokens: 9,
        prompt_tokens_details: { cached_tokens: 2 },
        completion_tokens_details: {
          reasoning_tokens: 2,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
    });
  });
});

describe('TGI, Anthropic and Responses formatters (golden)', () => {
  it('TGI stream frames', () => {
    assert.equal(
      all(TGI_STREAM_API.stream(meta, plan, request, { streamInterval: 1 })),
      'data: {"index":0,"token":{"id":1000,"text":"Hello","logprob":-0.1,"special":false},"generated_text":null,"details":null}\n\n' +
        'data: {"index":1,"token":{"id":1001,"text":" world","logprob":-0.1,"special":false},"generated_text":"Hello world","details":{"finish_reason":"length","generated_tokens":2,"seed":null}}\n\n',
    );
  });
  it('Anthropic stream event sequence and body', () => {
    const frames = all(messageStream('msg_1', thinking, request))
      .trim()
      .split('\n\n');
    const events = frames.map((f) => {
      const [ev, data] = f.split('\n');
      const json = JSON.parse(data!.slice(6)) as { type: string; delta?: Record<string, unknown> };
      assert.equal(ev, `event: ${json.type}`);
      return json;
    });
    assert.deepEqual(
      events.map((e) => e.type + (e.delta && 'type' in e.delta ? `:${String(e.delta['type'])}` : '')),
      [
        'message_start',
        'ping',
        'content_block_start',
        'content_block_delta:thinking_delta',
        'content_block_delta:thinking_delta',
        'content_block_delta:signature_delta',
        'content_block_stop',
        'content_block_start',
        'content_block_delta:text_delta',
        'content_block_delta:text_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ],
    );
    assert.deepEqual(messageBody('msg_1', plan, request), {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'm',
      content: [{ type: 'text', text: 'Hello world' }],
      stop_reason: 'max_tokens',
      stop_sequence: null,
      // 2 of the 5 prompt tokens came from the prefix cache: Anthropic counts them apart from input_tokens.
      usage: { input_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 2, output_tokens: 2 },
    });
  });
  it('Responses stream: event types in order with running sequence numbers', () => {
    const frames = all(responsesStream({ ...meta, id: 'resp_1' }, request, plan))
      .trim()
      .split('\n\n');
    const events = frames.map(
      (f) => JSON.parse(f.split('\n')[1]!.slice(6)) as { type: string; sequence_number: number; delta?: string },
    );
    assert.deepEqual(
      events.map((e) => e.type),
      [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ],
    );
    assert.deepEqual(
      events.map((e) => e.sequence_number),
      events.map((_, i) => i),
    );
    assert.deepEqual(
      events.filter((e) => e.delta !== undefined).map((e) => e.delta),
      ['Hello', ' world'],
    );
  });
});
