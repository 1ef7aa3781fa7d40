import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { MAIN, postJson, startServer } from '../support/server.js';

function streamText(url: string, body: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/chat/completions`, { method: 'POST', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve(text));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('process lifecycle', () => {
  it('a bad option exits 2 with one line per problem', () => {
    const r = spawnSync(process.execPath, [MAIN, '--port', 'abc', '--dcgm-num-gpus', '12'], {
      encoding: 'utf8',
      env: { ...process.env, MOCK_SERVER_ERROR_RATE: '150' },
    });
    assert.equal(r.status, 2);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 3, r.stderr);
    assert.ok(lines.some((l) => /--port.*"abc"/.test(l)));
    assert.ok(lines.some((l) => /--dcgm-num-gpus.*12/.test(l)));
    assert.ok(lines.some((l) => /--error-rate \(MOCK_SERVER_ERROR_RATE\).*150/.test(l)));
  });

  it('--help lists options and exits 0', () => {
    const r = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /--ttft/);
  });

  for (const workers of ['1', '2']) {
    it(`SIGTERM lets an open stream finish, then exits 0 (workers ${workers})`, async () => {
      const server = await startServer(
        ['--workers', workers, '--ttft', '10', '--itl', '20', '--tokenizer', 'meta-llama/Llama-3.1-8B'],
        // Not shipped and not in this (empty) Hugging Face cache: the builtin encoding stands in, with a warning.
        { HF_HUB_CACHE: '/nonexistent-hf-cache' },
      );
      const pending = streamText(server.url, {
        model: 'm',
        messages: [{ role: 'user', content: 'drain me' }],
        max_tokens: 20,
        ignore_eos: true,
        stream: true,
      });
      await new Promise((r) => setTimeout(r, 120));
      const exit = server.stop('SIGTERM');
      const text = await pending;
      assert.ok(text.endsWith('data: [DONE]\n\n'), 'the open stream completed');
      assert.equal((text.match(/"content"/g) ?? []).length, 20);
      assert.equal(await exit, 0);
      await assert.rejects(fetch(`${server.url}/health`), 'no longer accepting');
      const warnings = server.logs.filter(
        (l) => l['level'] === 'warn' && /meta-llama\/Llama-3.1-8B/.test(String(l['message'])),
      );
      assert.equal(warnings.length, 1, 'the tokenizer fallback is reported once');
    });
  }

  it('--access-logs writes one line per request', async () => {
    const server = await startServer(['--fast', '--access-logs']);
    try {
      await (await postJson(`${server.url}/v1/completions`, { model: 'm', prompt: 'x', max_tokens: 2 })).text();
      await (await fetch(`${server.url}/nope`)).text();
      await new Promise((r) => setTimeout(r, 50));
      const lines = server.logs.filter((l) => /^(GET|POST) /.test(String(l['message'])));
      assert.deepEqual(
        lines.map((l) => String(l['message']).split(' ').slice(0, 3).join(' ')),
        ['POST /v1/completions 200', 'GET /nope 404'],
      );
    } finally {
      await server.stop();
    }
  });
});
