/**
 * What AIPerf asks of a server, sent as AIPerf sends it. Bodies and headers follow AIPerf's source
 * (ai-dynamo/aiperf): src/aiperf/endpoints/openai_image_generation.py (`prompt`, `model`,
 * `response_format: "b64_json"`, `n: 1`, `stream` when streaming), openai_video_generation.py (`prompt`,
 * `model`, then polling GET /v1/videos/{id} until completed or failed), solido_rag.py (`query` list,
 * `filters: {"family": "Solido", "tool": "SDE"}`, `inference_model`), nim_image_retrieval.py (`input:
 * [{type: "image_url", url}]`), src/aiperf/common/control_hooks.py (POST with an empty body) and
 * src/aiperf/transports/base_transports.py (User-Agent, X-Request-ID, X-Correlation-ID, Accept:
 * text/event-stream when streaming). The openai SDK drives images and videos as its users would.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { PNG } from 'pngjs';
import { retryTiming } from '../support/retry.js';
import { callFresh, startServer, type TestServer } from '../support/server.js';
import { scrape, total } from '../support/prometheus.js';

/** AIPerf's request headers (base_transports.py); streaming adds Accept: text/event-stream. */
const aiperfHeaders = (stream: boolean, id = crypto.randomUUID()): Record<string, string> => ({
  'User-Agent': 'aiperf/0.5.0',
  'X-Request-ID': id,
  'X-Correlation-ID': 'session-1',
  'Content-Type': 'application/json',
  Accept: stream ? 'text/event-stream' : 'application/json',
});

const post = (url: string, body: unknown, headers: Record<string, string>): Promise<Response> =>
  fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });

/** The JSON payloads of an SSE body, as AIPerf's sse_utils reads them (event lines ignored). */
const sseData = (text: string): Record<string, unknown>[] =>
  text
    .split('\n\n')
    .filter(Boolean)
    .map((e) =>
      e
        .split('\n')
        .find((l) => l.startsWith('data: '))!
        .slice(6),
    )
    .filter((d) => d !== '[DONE]')
    .map((d) => JSON.parse(d) as Record<string, unknown>);

const decodePng = (b64: string): PNG => PNG.sync.read(Buffer.from(b64, 'base64'));

/** ISO BMFF boxes at the top level of an MP4: [type, size]. */
function topBoxes(mp4: Buffer): [string, number][] {
  const out: [string, number][] = [];
  for (let at = 0; at + 8 <= mp4.length;) {
    const size = mp4.readUInt32BE(at);
    out.push([mp4.toString('latin1', at + 4, at + 8), size]);
    if (size < 8) break;
    at += size;
  }
  return out;
}

describe('AIPerf endpoint types: images, videos, SOLIDO RAG, image retrieval', () => {
  let server: TestServer;
  let client: OpenAI;
  before(async () => {
    server = await startServer([
      '--ttft',
      '2',
      '--itl',
      '1',
      '--image-generation-ms',
      '120',
      '--video-generation-ms',
      '600',
    ]);
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    // fetch loads undici on first use (~50 ms): paid here, not inside the first timed request.
    await (await fetch(`${server.url}/health`)).text();
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it('image_generation, non-streaming: the body AIPerf sends; data[].b64_json is a valid PNG; usage; one image time', async (t) => {
    await retryTiming(t, async () => {
      const t0 = performance.now();
      const res = await post(
        `${server.url}/v1/images/generations`,
        { prompt: 'a lighthouse at dusk', model: 'gpt-image-1', response_format: 'b64_json', n: 1 },
        aiperfHeaders(false),
      );
      const took = performance.now() - t0;
      assert.equal(res.status, 200);
      const body = (await res.json()) as {
        created: number;
        data: { b64_json: string; revised_prompt: string }[];
        size: string;
        quality: string;
        output_format: string;
        background: string;
        usage: { input_tokens: number; output_tokens: number; total_tokens: number };
      };
      assert.equal(body.data.length, 1);
      const png = decodePng(body.data[0]!.b64_json);
      assert.equal(png.width, 32);
      assert.equal(body.data[0]!.revised_prompt, 'a lighthouse at dusk');
      assert.deepEqual([body.size, body.output_format], ['1024x1024', 'png']);
      assert.ok(body.usage.input_tokens > 0 && body.usage.output_tokens > 0);
      assert.equal(body.usage.total_tokens, body.usage.input_tokens + body.usage.output_tokens);
      assert.ok(took >= 120 && took < 120 + 60, `${took.toFixed(1)} ms for one 120 ms image`);
      // Deterministic: the same prompt gives the same picture.
      const again = (await (
        await post(
          `${server.url}/v1/images/generations`,
          { prompt: 'a lighthouse at dusk', model: 'gpt-image-1', n: 1 },
          aiperfHeaders(false),
        )
      ).json()) as typeof body;
      assert.equal(again.data[0]!.b64_json, body.data[0]!.b64_json);
    });
  });

  it('image_generation with the openai SDK: n = 2 as urls that serve the PNGs; streaming with partial images', async (t) => {
    await retryTiming(t, async () => {
      const r = await client.images.generate({
        model: 'gpt-image-1',
        prompt: 'two boats',
        n: 2,
        response_format: 'url',
      });
      assert.equal(r.data!.length, 2);
      for (const item of r.data!) {
        const png = await fetch(item.url!);
        assert.equal(png.headers.get('content-type'), 'image/png');
        assert.equal(PNG.sync.read(Buffer.from(await png.arrayBuffer())).height, 32);
      }
      // From the request's start: the SDK returns the stream once the headers are in, a few ms later.
      const t0 = performance.now();
      const stream = await client.images.generate({
        model: 'gpt-image-1',
        prompt: 'a storm',
        stream: true,
        partial_images: 2,
      });
      const events: OpenAI.Images.ImageGenStreamEvent[] = [];
      const at: number[] = [];
      for await (const e of stream) {
        events.push(e);
        at.push(performance.now() - t0);
      }
      assert.deepEqual(
        events.map((e) => e.type),
        ['image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed'],
      );
      assert.deepEqual(
        events.map((e) => (e.type === 'image_generation.partial_image' ? e.partial_image_index : 'final')),
        [0, 1, 'final'],
      );
      for (const e of events) assert.equal(decodePng(e.b64_json).width, 32);
      const done = events[2] as OpenAI.Images.ImageGenCompletedEvent;
      assert.ok(done.usage.output_tokens > 0);
      // 120 ms per image over 3 stages: events ~40 ms apart, the final one at ~120 ms.
      assert.ok(at[2]! >= 115 && at[2]! < 200, `final image after ${at[2]!.toFixed(1)} ms`);
    });
  });

  it('image_generation streaming as AIPerf reads it: each event has b64_json and partial_image_index', async () => {
    const res = await post(
      `${server.url}/v1/images/generations`,
      { prompt: 'fog', model: 'gpt-image-1', response_format: 'b64_json', n: 1, stream: true, partial_images: 1 },
      aiperfHeaders(true),
    );
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const data = sseData(await res.text());
    assert.equal(data.length, 2);
    assert.equal(data[0]!['partial_image_index'], 0);
    assert.ok(typeof data[1]!['b64_json'] === 'string' && data[1]!['usage']);
  });

  it('image edits with the openai SDK: a multipart form with an image file', async () => {
    const png = new PNG({ width: 4, height: 4 });
    png.data.fill(200);
    const file = await toFile(PNG.sync.write(png), 'in.png', { type: 'image/png' });
    const r = await client.images.edit({ model: 'gpt-image-1', image: file, prompt: 'make it blue', n: 1 });
    assert.equal(decodePng(r.data![0]!.b64_json!).width, 32);
    const noImage = await fetch(`${server.url}/v1/images/edits`, { method: 'POST', body: new FormData() });
    assert.equal(noImage.status, 400);
  });

  it('video_generation with the openai SDK: create (multipart), poll queued → in_progress → completed, download an MP4, delete', async () => {
    const created = await client.videos.create({ model: 'sora-2', prompt: 'waves', seconds: '4', size: '1280x720' });
    assert.equal(created.status, 'queued');
    assert.equal(created.object, 'video');
    assert.deepEqual([created.seconds, created.size], ['4', '1280x720']);
    // AIPerf reads usage from video answers too (inference_result_parser.py, --use-server-token-count).
    assert.ok((created as unknown as { usage: { input_tokens: number } }).usage.input_tokens > 0);
    const seen = new Set<string>();
    let job = created;
    const deadline = Date.now() + 5000;
    while (job.status !== 'completed' && job.status !== 'failed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      job = await client.videos.retrieve(created.id);
      seen.add(job.status);
      if (job.status === 'in_progress') assert.ok(job.progress > 0 && job.progress < 100, String(job.progress));
    }
    assert.equal(job.status, 'completed');
    assert.ok(seen.has('in_progress'), [...seen].join());
    assert.equal(job.progress, 100);
    assert.ok(job.completed_at !== null && job.expires_at !== null);
    const content = await client.videos.downloadContent(created.id);
    assert.equal(content.headers.get('content-type'), 'video/mp4');
    const mp4 = Buffer.from(await content.arrayBuffer());
    const boxes = topBoxes(mp4).map(([type]) => type);
    assert.equal(boxes[0], 'ftyp');
    assert.ok(boxes.includes('moov') && boxes.includes('mdat'), boxes.join());
    assert.ok(mp4.includes('avc1'), 'an H.264 video track');
    const deleted = await client.videos.delete(created.id);
    assert.equal(deleted.deleted, true);
    await assert.rejects(client.videos.retrieve(created.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
  });

  it('video_generation as AIPerf sends it: JSON body, and a form with every value a string; failures; unknown ids', async () => {
    const json = await post(`${server.url}/v1/videos`, { prompt: 'rain', model: 'sora-2' }, aiperfHeaders(false));
    assert.equal(json.status, 200);
    const { id } = (await json.json()) as { id: string };
    assert.match(id, /^video_[0-9a-f]{32}$/);
    const form = new FormData();
    for (const [k, v] of Object.entries({
      prompt: 'snow',
      model: 'sora-2',
      seconds: '8',
      size: '720x1280',
      watermark: 'false',
    }))
      form.append(k, v);
    const viaForm = (await (await fetch(`${server.url}/v1/videos`, { method: 'POST', body: form })).json()) as {
      seconds: string;
    };
    assert.equal(viaForm.seconds, '8');
    const failing = await fetch(`${server.url}/v1/videos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock-fault': 'error-after=1' },
      body: JSON.stringify({ prompt: 'hail', model: 'sora-2' }),
    });
    const failedId = ((await failing.json()) as { id: string }).id;
    await new Promise((r) => setTimeout(r, 700));
    const failed = (await (await fetch(`${server.url}/v1/videos/${failedId}`)).json()) as {
      status: string;
      error: { message: string };
    };
    assert.equal(failed.status, 'failed');
    assert.match(failed.error.message, /could not be generated/);
    assert.equal((await fetch(`${server.url}/v1/videos/${failedId}/content`)).status, 404);
    const unknown = await fetch(`${server.url}/v1/videos/video_nope`);
    assert.equal(unknown.status, 404);
    const err = ((await unknown.json()) as { error: { code: string; param: string } }).error;
    assert.deepEqual([err.code, err.param], ['video_not_found', 'video_id']);
  });

  it('solido_rag: JSON answer with content and sources; SSE when AIPerf streams (Accept: text/event-stream)', async () => {
    const body = {
      query: ['How do I run a PVT sweep?', 'Which corners?'],
      filters: { family: 'Solido', tool: 'SDE' },
      inference_model: 'mock-model',
    };
    const res = await post(`${server.url}/rag/api/prompt`, body, aiperfHeaders(false));
    assert.equal(res.status, 200);
    const json = (await res.json()) as { content: string; sources: { id: string; title: string; score: number }[] };
    assert.ok(json.content.length > 0);
    assert.equal(json.sources.length, 2);
    assert.equal(json.sources[0]!.title, 'Document 1');
    const sse = await post(`${server.url}/rag/api/prompt`, body, aiperfHeaders(true));
    assert.match(sse.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = sseData(await sse.text());
    assert.ok(events.length > 1 && events.every((e) => typeof e['content'] === 'string'));
    assert.equal(events.map((e) => e['content']).join(''), json.content, 'the same answer, token by token');
    assert.deepEqual(events.at(-1)!['sources'], json.sources);
  });

  it('image retrieval (/v1/infer and /v1/image/infer): bounding boxes per image, deterministic', async () => {
    const body = {
      input: [
        { type: 'image_url', url: 'data:image/png;base64,AAAA' },
        { type: 'image_url', url: 'data:image/png;base64,BBBB' },
      ],
    };
    for (const path of ['/v1/infer', '/v1/image/infer']) {
      const res = await post(`${server.url}${path}`, body, aiperfHeaders(false));
      assert.equal(res.status, 200, path);
      const json = (await res.json()) as {
        data: { index: number; bounding_boxes: Record<string, { confidence: number }[]> }[];
        usage: { images_size_mb: number };
      };
      assert.deepEqual(
        json.data.map((d) => d.index),
        [0, 1],
      );
      for (const d of json.data) {
        const boxes = Object.values(d.bounding_boxes).flat();
        assert.ok(boxes.length >= 1 && boxes.length <= 5);
        assert.ok(boxes.every((b) => b.confidence >= 0.7 && b.confidence <= 1));
      }
      assert.equal(typeof json.usage.images_size_mb, 'number');
    }
  });
});

describe('AIPerf control calls, readiness, models and headers', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer(['--fast', '--served-model-name', 'mock-a,Qwen/Qwen3-0.6B', '--strict-models']);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it('--reset-kv-cache and --server-profiler calls: empty POSTs answered 200 as the engines do, counted on /metrics', async () => {
    const calls: [string, string][] = [
      ['/reset_prefix_cache', ''],
      ['/flush_cache', 'Cache flushed.'],
      ['/start_profile', ''],
      ['/stop_profile', ''],
      ['/reset_prefix_cache', ''],
    ];
    for (const [path, starts] of calls) {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'User-Agent': 'aiperf/0.5.0' } });
      assert.equal(res.status, 200, path);
      const text = await res.text();
      assert.ok(starts === '' ? text === '' : text.startsWith(starts), `${path}: ${JSON.stringify(text)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
    const { families } = await scrape(`${server.url}/metrics`);
    assert.equal(total(families, 'aiperf_mock_control_calls_total', 'value', { call: 'reset_prefix_cache' }), 2);
    assert.equal(total(families, 'aiperf_mock_control_calls_total', 'value', { call: 'start_profile' }), 1);
  });

  it('models: every served name listed with max_model_len; GET /v1/models/{id} (ids with slashes); unknown → 404 model_not_found', async () => {
    const list = (await (await fetch(`${server.url}/v1/models`)).json()) as {
      data: { id: string; max_model_len: number }[];
    };
    assert.deepEqual(
      list.data.map((m) => m.id),
      ['mock-a', 'Qwen/Qwen3-0.6B'],
    );
    assert.ok(list.data.every((m) => m.max_model_len > 0));
    const one = (await (await fetch(`${server.url}/v1/models/Qwen/Qwen3-0.6B`)).json()) as { id: string };
    assert.equal(one.id, 'Qwen/Qwen3-0.6B');
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    assert.equal((await client.models.retrieve('mock-a')).id, 'mock-a');
    await assert.rejects(client.models.retrieve('nope'), (e: unknown) => e instanceof OpenAI.NotFoundError);
  });

  it('--strict-models: an unknown model is a 404 in each family shape; a served one answers', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    await assert.rejects(
      client.chat.completions.create({ model: 'other', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 }),
      (e: unknown) => e instanceof OpenAI.NotFoundError && (e.error as { code?: string }).code === 'model_not_found',
    );
    const anthropic = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'other', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(anthropic.status, 404);
    assert.equal(((await anthropic.json()) as { error: { type: string } }).error.type, 'not_found_error');
    const embed = await post(`${server.url}/v1/embeddings`, { model: 'other', input: ['x'] }, aiperfHeaders(false));
    assert.equal(embed.status, 404);
    const ok = await client.chat.completions.create({
      model: 'mock-a',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 1,
    });
    assert.equal(ok.model, 'mock-a');
  });

  it('continuous_usage_stats (vLLM): with the openai SDK, every chunk carries the running usage', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'mock-a',
      messages: [{ role: 'user', content: 'count' }],
      max_tokens: 4,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true, continuous_usage_stats: true },
    } as unknown as OpenAI.ChatCompletionCreateParamsStreaming);
    const usage: (number | undefined)[] = [];
    for await (const chunk of stream) usage.push(chunk.usage?.completion_tokens);
    assert.deepEqual(usage, [1, 2, 3, 4, 4]);
  });

  it("readiness probe: AIPerf's one-token request answers below 500", async () => {
    // readiness_probe.py, inference mode: a canned one-token chat request; any status < 500 is ready.
    const res = await post(
      `${server.url}/v1/chat/completions`,
      { model: 'mock-a', messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 },
      aiperfHeaders(false),
    );
    assert.ok(res.status < 500);
  });

  it('X-Request-ID names the response (header and chatcmpl- id, as vLLM does); usage on the last chunk that has it', async () => {
    const id = crypto.randomUUID();
    const res = await post(
      `${server.url}/v1/chat/completions`,
      {
        model: 'mock-a',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 3,
        stream: true,
        stream_options: { include_usage: true },
      },
      aiperfHeaders(true, id),
    );
    assert.equal(res.headers.get('x-request-id'), id);
    const chunks = sseData(await res.text());
    assert.ok(chunks.every((c) => c['id'] === `chatcmpl-${id}`));
    const withUsage = chunks.filter((c) => c['usage']);
    assert.equal(withUsage.length, 1);
    assert.equal(chunks.at(-1), withUsage[0]);
    // A header that could not be an id (spaces, quotes) is not echoed; the server makes its own.
    const odd = await post(
      `${server.url}/v1/chat/completions`,
      { model: 'mock-a', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 },
      {
        ...aiperfHeaders(false),
        'X-Request-ID': 'not "an" id',
      },
    );
    assert.notEqual(odd.headers.get('x-request-id'), 'not "an" id');
  });
});

describe('video jobs across workers (--workers 2)', () => {
  it('a job created on one worker is polled to completion on fresh connections, whichever worker answers', async () => {
    const server = await startServer(['--workers', '2', '--video-generation-ms', '300']);
    try {
      const call = (method: string, path: string, body?: unknown) => callFresh(`${server.url}${path}`, method, body);
      const workers = new Set<unknown>();
      for (let i = 0; i < 20 && workers.size < 2; i++) workers.add((await call('GET', '/health')).json['worker']);
      assert.equal(workers.size, 2, 'fresh connections reach both workers');
      const ids: string[] = [];
      for (let i = 0; i < 6; i++)
        ids.push(String((await call('POST', '/v1/videos', { prompt: `p${i}`, model: 'sora-2' })).json['id']));
      const deadline = Date.now() + 5000;
      const done = new Set<string>();
      while (done.size < ids.length && Date.now() < deadline) {
        for (const id of ids) {
          const r = await call('GET', `/v1/videos/${id}`);
          assert.equal(r.status, 200, `poll of ${id}: ${JSON.stringify(r.json)}`);
          if (r.json['status'] === 'completed') done.add(id);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(done.size, ids.length);
      // Every AIPerf endpoint type's request, each on a fresh connection (so both workers serve some).
      const requests: [string, unknown][] = [
        ['/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }],
        ['/v1/completions', { model: 'm', prompt: 'hi', max_tokens: 2 }],
        ['/v1/embeddings', { model: 'm', input: ['hi'] }],
        ['/v1/ranking', { model: 'm', query: { text: 'q' }, passages: [{ text: 'p' }] }],
        ['/rerank', { query: 'q', texts: ['p'] }],
        ['/v2/rerank', { model: 'm', query: 'q', documents: ['p'] }],
        ['/generate', { inputs: 'hi', parameters: { max_new_tokens: 2 } }],
        ['/v1/images/generations', { prompt: 'x', model: 'gpt-image-1', response_format: 'b64_json', n: 1 }],
        ['/rag/api/prompt', { query: ['q'], filters: { family: 'Solido', tool: 'SDE' }, inference_model: 'm' }],
        ['/v1/custom-multimodal', { modality_bundle: { text_fragments: ['hi'] } }],
        ['/v1/infer', { input: [{ type: 'image_url', url: 'data:,x' }] }],
      ];
      for (let round = 0; round < 2; round++)
        for (const [path, body] of requests) {
          const r = await call('POST', path, body);
          assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.json)}`);
        }
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});

describe('X-Correlation-ID in the access log', () => {
  it('each access-log line carries the request id and the correlation id AIPerf sent', async () => {
    const server = await startServer(['--fast', '--access-logs']);
    try {
      const id = crypto.randomUUID();
      const res = await post(
        `${server.url}/v1/chat/completions`,
        { model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 },
        aiperfHeaders(false, id),
      );
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, 100));
      const line = server.logs.find((l) => l['requestId'] === id);
      assert.ok(line, JSON.stringify(server.logs.slice(-3)));
      assert.equal(line['correlationId'], 'session-1');
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});

describe('limits as vLLM enforces them (--max-model-len)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer(['--fast', '--max-model-len', '64']);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it("a prompt plus max_tokens beyond the context is a 400 in vLLM's words, in each family's shape", async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    // vLLM renderers/params.py: "This model's maximum context length is N tokens. However, you requested
    // X output tokens and your prompt contains Y input tokens, for a total of Z tokens. ..."
    await assert.rejects(
      client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hello' }], max_tokens: 1e300 }),
      (e: unknown) =>
        e instanceof OpenAI.BadRequestError &&
        /^This model's maximum context length is 64 tokens\. However, you requested \S+ output tokens and your prompt contains \d+ input tokens/.test(
          e.message.replace(/^400 /, ''),
        ),
    );
    const long = 'word '.repeat(100);
    const r = await post(
      `${server.url}/v1/completions`,
      { model: 'm', prompt: long, max_tokens: 1 },
      aiperfHeaders(false),
    );
    assert.equal(r.status, 400);
    const body = (await r.json()) as { error: { type: string; param: string; code: number } };
    assert.deepEqual([body.error.type, body.error.param, body.error.code], ['BadRequestError', 'input_tokens', 400]);
    const anthropic = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'm', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(anthropic.status, 400);
    assert.equal(((await anthropic.json()) as { type: string }).type, 'error');
  });

  it('without max_tokens the answer ends where the context ends; within it, it is served', async () => {
    const r = (await (
      await post(
        `${server.url}/v1/completions`,
        { model: 'm', prompt: 'hello there', ignore_eos: true },
        aiperfHeaders(false),
      )
    ).json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    assert.ok(r.usage.prompt_tokens + r.usage.completion_tokens <= 64, JSON.stringify(r.usage));
    const ok = await post(
      `${server.url}/v1/chat/completions`,
      { model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 },
      aiperfHeaders(false),
    );
    assert.equal(ok.status, 200);
  });

  it("token-id prompts outside the tokenizer's vocabulary are vLLM's 400; inside it they are served", async () => {
    // o200k_base: ranks 0..199997 and special tokens up to 200018, so 200019 ids.
    const bad = await post(
      `${server.url}/v1/completions`,
      { model: 'm', prompt: [1, 2, 200019], max_tokens: 1 },
      aiperfHeaders(false),
    );
    assert.equal(bad.status, 400);
    assert.equal(
      ((await bad.json()) as { error: { message: string } }).error.message,
      'Token id 200019 is out of vocabulary',
    );
    const nested = await post(
      `${server.url}/v1/completions`,
      { model: 'm', prompt: [[1], [999999]], max_tokens: 1 },
      aiperfHeaders(false),
    );
    assert.equal(nested.status, 400);
    const ok = await post(
      `${server.url}/v1/completions`,
      { model: 'm', prompt: [1, 2, 200018], max_tokens: 1 },
      aiperfHeaders(false),
    );
    assert.equal(ok.status, 200);
  });

  it('an empty prompt or message list is a 400, as on vLLM and OpenAI', async () => {
    for (const [path, body] of [
      ['/v1/completions', { model: 'm', prompt: '' }],
      ['/v1/completions', { model: 'm', prompt: [] }],
      ['/v1/chat/completions', { model: 'm', messages: [] }],
    ] as const) {
      const r = await post(`${server.url}${path}`, body, aiperfHeaders(false));
      assert.equal(r.status, 400, `${path} ${JSON.stringify(body)}`);
    }
  });
});

describe('stop sequences and echo (OpenAI and vLLM request fields)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer(['--fast']);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it('stop: the text ends before the first stop sequence, finish_reason "stop", the same streamed', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const ask = {
      model: 'm',
      messages: [{ role: 'user' as const, content: 'tell me' }],
      max_tokens: 60,
      ignore_eos: true,
    };
    const full = (await client.chat.completions.create(ask as OpenAI.ChatCompletionCreateParamsNonStreaming))
      .choices[0]!;
    const text = full.message.content!;
    const stop = text.slice(30, 34);
    const cut = text.slice(0, text.indexOf(stop));
    const r = await client.chat.completions.create({
      ...ask,
      stop: [stop, 'never-in-the-text'],
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    assert.equal(r.choices[0]!.message.content, cut);
    assert.equal(r.choices[0]!.finish_reason, 'stop');
    assert.ok(r.usage!.completion_tokens < 60, String(r.usage!.completion_tokens));
    const stream = await client.chat.completions.create({
      ...ask,
      stop,
      stream: true,
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    let streamed = '';
    let finish: string | null = null;
    for await (const c of stream) {
      streamed += c.choices[0]?.delta.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    assert.deepEqual([streamed, finish], [cut, 'stop']);
    const bad = await post(`${server.url}/v1/chat/completions`, { ...ask, stop: [1] }, aiperfHeaders(false));
    assert.equal(bad.status, 400);
  });

  it('echo on completions: the text starts with the prompt, streamed on the first chunk', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const r = await client.completions.create({ model: 'm', prompt: 'Once upon a time', max_tokens: 5, echo: true });
    assert.ok(r.choices[0]!.text.startsWith('Once upon a time'), r.choices[0]!.text);
    const stream = await client.completions.create({
      model: 'm',
      prompt: 'Once upon a time',
      max_tokens: 5,
      echo: true,
      stream: true,
    });
    const parts: string[] = [];
    for await (const c of stream) parts.push(c.choices[0]!.text);
    assert.ok(parts[0]!.startsWith('Once upon a time'));
    assert.equal(parts.join(''), r.choices[0]!.text);
  });
});
