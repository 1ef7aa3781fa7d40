import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../support/server.js';

interface Raw {
  status: number;
  contentType: string;
  body: string;
  /** Arrival time of each network read, ms. */
  reads: number[];
}

function rawPost(url: string, body: unknown): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      const reads: number[] = [];
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        reads.push(performance.now());
        text += d;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: text, reads }),
      );
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/**
 * What vLLM's bench parser, SGLang's, llmperf's and AIPerf's all accept (client-contract §1.4, §7.6):
 * `data: ` + one space, exactly one data line per event, `\n\n` delimiters, no event:/id:/comment
 * lines, `object` on every chunk, a `delta` on every chat choice, role only on the first chunk,
 * finish_reason only on the last content chunk, usage chunk only when asked, nothing after [DONE].
 */
function checkFraming(
  raw: Raw,
  object: string,
  includeUsage: boolean,
  expectTokens: number,
  expectEvents = Math.max(expectTokens, 1),
): void {
  assert.equal(raw.status, 200);
  assert.match(raw.contentType, /^text\/event-stream/);
  assert.ok(!raw.body.includes('\r'), 'no CR anywhere');
  assert.ok(raw.body.endsWith('data: [DONE]\n\n'), 'ends with [DONE] and nothing after it');
  const events = raw.body.slice(0, -2).split('\n\n');
  assert.equal(events.at(-1), 'data: [DONE]');
  const chunks = events.slice(0, -1).map((e, i) => {
    assert.ok(!e.includes('\n'), `event ${i} has a single line`);
    assert.ok(e.startsWith('data: {'), `event ${i} starts with "data: {"`);
    return JSON.parse(e.slice(6)) as {
      id: string;
      object: string;
      choices: Record<string, unknown>[];
      usage?: Record<string, number>;
    };
  });
  const withChoices = chunks.filter((c) => c.choices.length > 0);
  const usageChunks = chunks.filter((c) => c.choices.length === 0);
  assert.equal(usageChunks.length, includeUsage ? 1 : 0);
  if (includeUsage) {
    assert.equal(chunks.at(-1), usageChunks[0], 'usage chunk is last before [DONE]');
    assert.equal(usageChunks[0]!.usage!['completion_tokens'], expectTokens);
  }
  assert.equal(withChoices.length, expectEvents);
  for (const [i, c] of chunks.entries()) {
    assert.equal(c.object, object);
    assert.equal(c.id, chunks[0]!.id);
    if (c.choices.length === 0) continue;
    assert.equal(c.choices.length, 1);
    const choice = c.choices[0]!;
    assert.equal(choice['index'], 0);
    const last = i === withChoices.length - 1;
    if (last) assert.match(String(choice['finish_reason']), /^(stop|length)$/);
    else assert.equal(choice['finish_reason'], null);
    if (object === 'chat.completion.chunk') {
      const delta = choice['delta'] as Record<string, unknown>;
      assert.equal(typeof delta, 'object');
      assert.equal(delta['role'], i === 0 ? 'assistant' : undefined, `role only on the first chunk (${i})`);
      assert.ok(typeof delta['content'] === 'string' || typeof delta['reasoning_content'] === 'string');
    } else {
      assert.equal(typeof choice['text'], 'string');
    }
  }
}

describe('strict SSE framing', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer(['--ttft', '10', '--itl', '15']);
  });
  after(async () => {
    await server.stop();
  });
  const messages = [{ role: 'user', content: 'Describe the canal at dawn.' }];

  it('chat with usage', async () => {
    const raw = await rawPost(`${server.url}/v1/chat/completions`, {
      model: 'm',
      messages,
      max_tokens: 6,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true },
    });
    checkFraming(raw, 'chat.completion.chunk', true, 6);
    // One token per network write, each at its own time: ITL is visible to a chunk-timestamping client.
    assert.ok(raw.reads.length >= 5, `${raw.reads.length} reads for 6 tokens`);
  });
  it('chat without usage', async () => {
    checkFraming(
      await rawPost(`${server.url}/v1/chat/completions`, {
        model: 'm',
        messages,
        max_tokens: 4,
        ignore_eos: true,
        stream: true,
      }),
      'chat.completion.chunk',
      false,
      4,
    );
  });
  it('chat with zero tokens still ends with a finish_reason', async () => {
    checkFraming(
      await rawPost(`${server.url}/v1/chat/completions`, {
        model: 'm',
        messages,
        max_tokens: 0,
        stream: true,
        stream_options: { include_usage: true },
      }),
      'chat.completion.chunk',
      true,
      0,
    );
  });
  it('reasoning model', async () => {
    checkFraming(
      await rawPost(`${server.url}/v1/chat/completions`, {
        model: 'gpt-oss-20b',
        messages,
        max_tokens: 120,
        ignore_eos: true,
        reasoning_effort: 'low',
        stream: true,
        stream_options: { include_usage: true },
      }),
      'chat.completion.chunk',
      true,
      120,
    );
  });
  it('reasoning that fills the cap ends with an empty content chunk carrying finish_reason', async () => {
    // 8 reasoning chunks + 1 final content chunk (empty) with finish_reason "length".
    checkFraming(
      await rawPost(`${server.url}/v1/chat/completions`, {
        model: 'gpt-oss-20b',
        messages,
        max_tokens: 8,
        reasoning_effort: 'low',
        stream: true,
        stream_options: { include_usage: true },
      }),
      'chat.completion.chunk',
      true,
      8,
      9,
    );
  });
  it('completions', async () => {
    checkFraming(
      await rawPost(`${server.url}/v1/completions`, {
        model: 'm',
        prompt: 'The canal',
        max_tokens: 5,
        ignore_eos: true,
        stream: true,
        stream_options: { include_usage: true },
      }),
      'text_completion',
      true,
      5,
    );
  });
});
