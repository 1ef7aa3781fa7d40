import assert from 'node:assert/strict';
import { InferenceClient } from '@huggingface/inference';
import { CohereClientV2 } from 'cohere-ai';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { retryTiming } from '../support/retry.js';
import { postJson, startServer, type TestServer } from '../support/server.js';

const norm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

describe('embeddings, rankings and TGI with the official clients', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer([
      '--ttft',
      '2',
      '--itl',
      '1',
      '--embedding-base-latency',
      '5',
      '--ranking-base-latency',
      '5',
    ]);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it('openai embeddings: base64 by default (decoded by the client), float on request, deterministic, dimensions', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const a = await client.embeddings.create({ model: 'text-embedding', input: ['Hello world', 'Goodbye'] });
    assert.equal(a.object, 'list');
    assert.equal(a.data.length, 2);
    assert.equal(a.data[0]!.object, 'embedding');
    assert.equal(a.data[0]!.embedding.length, 768);
    assert.ok(Math.abs(norm(a.data[0]!.embedding) - 1) < 1e-3, 'unit length');
    assert.ok(a.usage.prompt_tokens > 0 && a.usage.total_tokens === a.usage.prompt_tokens);
    const f = await client.embeddings.create({
      model: 'text-embedding',
      input: 'Hello world',
      encoding_format: 'float',
      dimensions: 256,
    });
    assert.equal(f.data[0]!.embedding.length, 256);
    const again = await client.embeddings.create({
      model: 'text-embedding',
      input: 'Hello world',
      encoding_format: 'float',
    });
    const b64 = a.data[0]!.embedding;
    again.data[0]!.embedding.forEach((x, i) =>
      assert.ok(Math.abs(x - b64[i]!) < 1e-6, 'base64 and float carry the same vector'),
    );
    const ids = await client.embeddings.create({
      model: 'text-embedding',
      input: [1, 2, 3, 4],
      encoding_format: 'float',
    });
    assert.equal(ids.usage.prompt_tokens, 4);
    await assert.rejects(
      client.embeddings.create({ model: 'm', input: [] }),
      (e: unknown) => e instanceof OpenAI.BadRequestError,
    );
  });

  it('NIM ranking: rankings sorted by logit, every passage once, deterministic', async () => {
    const body = {
      model: 'nv-rerank',
      query: { text: 'what is a lighthouse?' },
      passages: [{ text: 'a tower with a lamp' }, { text: 'a kind of bread' }, { text: 'harbor lights' }],
    };
    const r = (await (await postJson(`${server.url}/v1/ranking`, body)).json()) as {
      rankings: { index: number; logit: number; relevance_score: number }[];
    };
    assert.deepEqual(r.rankings.map((x) => x.index).sort(), [0, 1, 2]);
    for (let i = 1; i < r.rankings.length; i++) assert.ok(r.rankings[i - 1]!.logit >= r.rankings[i]!.logit);
    r.rankings.forEach((x) => assert.ok(Math.abs(1 / (1 + Math.exp(-x.logit)) - x.relevance_score) < 1e-6));
    const again = (await (await postJson(`${server.url}/v1/ranking`, body)).json()) as unknown;
    assert.deepEqual(again, r);
  });

  it('TEI rerank: a top-level array, text on request; errors in TEI shape', async () => {
    const r = (await (
      await postJson(`${server.url}/rerank`, { query: 'q', texts: ['a', 'b', 'c'], return_text: true })
    ).json()) as { index: number; score: number; text: string }[];
    assert.ok(Array.isArray(r) && r.length === 3);
    r.forEach((x) => assert.equal(x.text, ['a', 'b', 'c'][x.index]));
    const bad = await postJson(`${server.url}/rerank`, { texts: ['a'] });
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys((await bad.json()) as object).sort(), ['error', 'error_type']);
  });

  it('cohere-ai v2 rerank with top_n; errors in Cohere shape', async () => {
    const cohere = new CohereClientV2({ token: 'x', environment: server.url });
    const r = await cohere.rerank({
      model: 'rerank-v3.5',
      query: 'harbor',
      documents: ['boats', 'bread', 'tides', 'lamps'],
      topN: 2,
    });
    assert.equal(r.results.length, 2);
    assert.ok(r.results[0]!.relevanceScore >= r.results[1]!.relevanceScore);
    assert.ok(typeof r.id === 'string');
    const bad = await postJson(`${server.url}/v2/rerank`, { model: 'm', query: 'q' });
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys((await bad.json()) as object), ['message']);
  });

  it('@huggingface/inference textGeneration and textGenerationStream (the client speaks /v1/completions)', async () => {
    const hf = new InferenceClient().endpoint(server.url);
    const out = await hf.textGeneration({ inputs: 'Once upon a time', parameters: { max_new_tokens: 12 } });
    assert.ok(typeof out.generated_text === 'string' && out.generated_text.length > 0);
    let text = '';
    let events = 0;
    const params = { max_new_tokens: 9, ignore_eos: true } as Record<string, unknown>;
    for await (const ev of hf.textGenerationStream({ inputs: 'Once upon a time', parameters: params })) {
      const chunk = ev as unknown as { choices: { text: string }[] };
      text += chunk.choices[0]?.text ?? '';
      events++;
    }
    assert.equal(events, 9);
    assert.ok(text.length > 0);
  });

  it('TGI /generate and /generate_stream wire format', async () => {
    const res = await postJson(`${server.url}/generate_stream`, {
      inputs: 'Once upon a time',
      parameters: { max_new_tokens: 5, ignore_eos: true },
    });
    assert.match(String(res.headers.get('content-type')), /^text\/event-stream/);
    const raw = await res.text();
    assert.ok(!raw.includes('[DONE]'), 'TGI ends without [DONE]');
    const events = raw
      .trim()
      .split('\n\n')
      .map(
        (e) =>
          JSON.parse(e.replace(/^data: /, '')) as {
            index: number;
            token: { id: number; text: string; special: boolean };
            generated_text: string | null;
            details: { finish_reason: string } | null;
          },
      );
    assert.equal(events.length, 5);
    events.forEach((e, i) => {
      assert.equal(e.index, i);
      assert.equal(typeof e.token.text, 'string');
      assert.equal(e.generated_text === null, i < 4);
    });
    assert.equal(events[4]!.generated_text, events.map((e) => e.token.text).join(''));
    assert.equal(events[4]!.details!.finish_reason, 'length');
    const plain = (await (await postJson(`${server.url}/generate`, { inputs: 'Once upon a time' })).json()) as Record<
      string,
      unknown
    >;
    assert.deepEqual(Object.keys(plain), ['generated_text']);
    const withDetails = (await (
      await postJson(`${server.url}/generate`, {
        inputs: 'hi',
        parameters: { max_new_tokens: 4, ignore_eos: true, details: true },
      })
    ).json()) as {
      generated_text: string;
      details: { generated_tokens: number; tokens: { text: string }[] };
    };
    assert.equal(withDetails.details.generated_tokens, 4);
    assert.equal(withDetails.details.tokens.map((t) => t.text).join(''), withDetails.generated_text);
    const bad = await postJson(`${server.url}/generate`, { parameters: {} });
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys((await bad.json()) as object).sort(), ['error', 'error_type']);
  });

  it('embedding latency is base + per input × inputs', async (t) => {
    const timed = async (inputs: number): Promise<number> => {
      const start = performance.now();
      const res = await postJson(`${server.url}/v1/embeddings`, {
        model: 'm',
        input: Array.from({ length: inputs }, (_, i) => `input ${i}`),
      });
      // Until the answer starts: reading and parsing 300 KB of vectors is the client's own time.
      const took = performance.now() - start;
      assert.equal(((await res.json()) as { data: unknown[] }).data.length, inputs);
      return took;
    };
    await timed(1); // warm up
    // The least of three: noise (a GC pause, a busy CI host) only ever adds time, the model's term never leaves.
    const least = async (inputs: number): Promise<number> =>
      Math.min(await timed(inputs), await timed(inputs), await timed(inputs));
    await retryTiming(t, async () => {
      const one = await least(1);
      const twenty = await least(20);
      // 5 + 2 × inputs ms, plus a few ms of the client's own; the difference is the per-input term alone.
      assert.ok(one >= 5 + 2 && one < 5 + 2 + 15, `${one.toFixed(1)} ms for 5 + 2 × 1`);
      assert.ok(twenty >= 5 + 2 * 20 && twenty < 5 + 2 * 20 + 15, `${twenty.toFixed(1)} ms for 5 + 2 × 20`);
      assert.ok(Math.abs(twenty - one - 2 * 19) < 10, `20 inputs took ${(twenty - one).toFixed(1)} ms more than 1`);
    });
  });
});

describe('custom multimodal and chat embeddings', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer(['--ttft', '2', '--itl', '1']);
  });
  after(async () => {
    await server.stop();
  });

  it('custom multimodal: AIPerf template body with a 4 MB image data URI; videos absent', async () => {
    const image = `data:image/png;base64,${Buffer.alloc(3_000_000, 7).toString('base64')}`;
    const body = {
      modality_bundle: {
        text_fragments: ['describe', 'this picture'],
        visual_assets: { images: [image] },
        audio_streams: ['wav,UklGR'],
      },
      inference_params: { model_id: 'openai/gpt-oss-120b', sampling_config: { max_tokens: null } },
    };
    const res = await postJson(`${server.url}/v1/custom-multimodal`, body);
    assert.equal(res.status, 200);
    const r = (await res.json()) as {
      text: string;
      completion: {
        generated_text: string;
        metadata: { tokens_used: { input: number; output: number; total: number } };
      };
    };
    assert.equal(r.text, 'Processed 2 text fragments, 1 images, 1 audio streams');
    assert.equal(r.completion.generated_text, r.text);
    const t = r.completion.metadata.tokens_used;
    assert.ok(t.input > 0 && t.output > 0 && t.total === t.input + t.output);
    const bad = await postJson(`${server.url}/v1/custom-multimodal`, {
      modality_bundle: { text_fragments: 'not a list' },
    });
    assert.equal(bad.status, 400);
  });

  it('chat embeddings: one vector per message, deterministic', async () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: [{ type: 'text', text: 'hello' }] },
      ],
    };
    const a = (await (await postJson(`${server.url}/v1/chat/embeddings`, body)).json()) as {
      data: { embedding: number[] }[];
      usage: Record<string, number>;
    };
    const b = (await (await postJson(`${server.url}/v1/chat/embeddings`, body)).json()) as typeof a;
    assert.equal(a.data.length, 2);
    assert.deepEqual(a, b);
    assert.deepEqual(Object.keys(a.usage).sort(), ['prompt_tokens', 'total_tokens']);
    assert.equal((await postJson(`${server.url}/v1/chat/embeddings`, { model: 'm' })).status, 400);
  });
});
