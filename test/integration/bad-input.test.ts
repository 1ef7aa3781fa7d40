import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postJson, startServer, type TestServer } from '../support/server.js';

type Shape = 'openai' | 'tgi' | 'cohere' | 'anthropic';
const ROUTES: [string, Shape][] = [
  ['/v1/chat/completions', 'openai'],
  ['/v1/completions', 'openai'],
  ['/v1/responses', 'openai'],
  ['/v1/embeddings', 'openai'],
  ['/v1/chat/embeddings', 'openai'],
  ['/v1/custom-multimodal', 'openai'],
  ['/v1/ranking', 'openai'],
  ['/v1/messages', 'anthropic'],
  ['/generate', 'tgi'],
  ['/generate_stream', 'tgi'],
  ['/rerank', 'tgi'],
  ['/v2/rerank', 'cohere'],
  ['/v1/images/generations', 'openai'],
  ['/v1/images/edits', 'openai'],
  ['/v1/videos', 'openai'],
  ['/rag/api/prompt', 'openai'],
  ['/v1/infer', 'openai'],
  ['/v1/image/infer', 'openai'],
];

function checkShape(body: Record<string, unknown>, shape: Shape, what: string): void {
  if (shape === 'openai') {
    const e = body['error'] as Record<string, unknown>;
    assert.ok(
      e && typeof e['message'] === 'string' && 'type' in e && 'param' in e && 'code' in e,
      `${what}: ${JSON.stringify(body)}`,
    );
  } else if (shape === 'tgi') {
    assert.ok(
      typeof body['error'] === 'string' && typeof body['error_type'] === 'string',
      `${what}: ${JSON.stringify(body)}`,
    );
  } else if (shape === 'cohere') {
    assert.ok(typeof body['message'] === 'string', `${what}: ${JSON.stringify(body)}`);
  } else {
    const e = body['error'] as Record<string, unknown>;
    assert.ok(
      body['type'] === 'error' && e && typeof e['message'] === 'string' && typeof e['type'] === 'string',
      `${what}: ${JSON.stringify(body)}`,
    );
  }
}

describe('bad input on every route: a 4xx in the family shape, never a 500', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer(['--fast', '--max-body-size', '1kb']);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });
  const bodies: [string, unknown][] = [
    ['invalid JSON', '{"model": '],
    ['an array', [1, 2]],
    ['a string', '"text"'],
    [
      'wrong types',
      {
        model: 7,
        messages: 'x',
        prompt: {},
        input: 5,
        inputs: 3,
        query: 1,
        passages: 2,
        texts: 'x',
        documents: 4,
        max_tokens: -1,
        modality_bundle: 5,
      },
    ],
    ['too large', { model: 'm', padding: 'x'.repeat(4000) }],
    // Were these keys to reach Object.prototype in the server, every later body would read `stream: true`.
    ['prototype keys', '{"__proto__": {"stream": true}, "constructor": {"prototype": {"stream": true}}}'],
  ];
  for (const [path, shape] of ROUTES) {
    it(path, async () => {
      for (const [what, body] of bodies) {
        const res = await postJson(
          `${server.url}${path}`,
          body,
          path === '/v1/messages' ? { 'anthropic-version': '2023-06-01' } : {},
        );
        if (what === 'prototype keys') {
          // Harmless keys: a route whose fields are all optional may answer 200; it must just not break.
          assert.ok(res.status < 500, `${path} ${what}: ${res.status}`);
          await res.arrayBuffer();
          continue;
        }
        assert.ok(res.status >= 400 && res.status < 500, `${path} ${what}: ${res.status}`);
        if (what === 'too large') assert.equal(res.status, 413);
        checkShape((await res.json()) as Record<string, unknown>, shape, `${path} ${what}`);
      }
    });
  }
  it('multipart forms (video jobs, image edits): malformed is a 400, a part over the limit a 413, OpenAI shape', async () => {
    const forms: [string, string, string, number][] = [
      [
        '/v1/videos',
        'multipart/form-data; boundary=xyz',
        '--xyz\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nhi',
        400,
      ],
      ['/v1/videos', 'multipart/form-data', 'no boundary at all', 400],
      ['/v1/images/edits', 'multipart/form-data; boundary=xyz', 'garbage', 400],
    ];
    for (const [path, type, body, status] of forms) {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
      assert.equal(res.status, status, `${path} ${type}`);
      checkShape((await res.json()) as Record<string, unknown>, 'openai', path);
    }
    const big = new FormData();
    big.append('prompt', 'x');
    big.append('image', new Blob([new Uint8Array(4096)], { type: 'image/png' }), 'big.png');
    const res = await fetch(`${server.url}/v1/images/edits`, { method: 'POST', body: big });
    assert.equal(res.status, 413);
    checkShape((await res.json()) as Record<string, unknown>, 'openai', 'oversized form');
  });

  it('the server is still healthy, and no prototype was polluted: a body without `stream` gets JSON', async () => {
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
    const res = await postJson(`${server.url}/v1/chat/completions`, {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 2,
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(((await res.json()) as { object: string }).object, 'chat.completion');
  });
});
