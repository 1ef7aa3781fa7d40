import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { warmUpRequests } from '../../src/server/warm-up-requests.js';
import { postChatStream, postJson, startServer, type TestServer } from '../support/server.js';
import { health, warmedUp } from '../support/warm-up.js';

// The warm-up (src/server/warm-up.ts, docs/decisions/0012): after start-up each worker sends itself
// generation requests on a private port while no client is served. Nothing of it may reach what a
// client sees: telemetry, records, the prefix cache, the seeded fault sequence.

async function statuses(server: TestServer, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await postJson(`${server.url}/v1/chat/completions`, {
      model: 'm',
      messages: [{ role: 'user', content: `fault draw ${i}` }],
      max_tokens: 2,
    });
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

describe('warm-up', () => {
  for (const workers of ['1', '2']) {
    it(`leaves no trace in telemetry, metrics or records (workers ${workers})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'warm-up-'));
      const record = join(dir, 'records.jsonl');
      const server = await startServer([
        '--workers',
        workers,
        '--warm-up-requests',
        '300',
        '--record-requests',
        record,
        '--fast',
      ]);
      try {
        const status = await warmedUp(server.url, Number(workers) * 3 - 2);
        assert.equal(status.requests, 300);
        assert.equal(status.failed, 0, 'every warm-up request answered 200');
        const h = await health(server.url);
        assert.equal(h.telemetry['requestsTotal'], 0);
        assert.equal(h.telemetry['tokensTotal'], 0);
        const page = await (await fetch(`${server.url}/metrics`)).text();
        for (const line of page.split('\n')) {
          if (/^vllm:(request_success_total|generation_tokens_total|prompt_tokens_total)\b/.test(line))
            assert.match(line, / 0$/, line);
        }
        // Recording lists every request, the test's own /health and /metrics calls too: none of the warm-up's.
        const records = (existsSync(record) ? readFileSync(record, 'utf8') : '').split('\n').filter(Boolean);
        assert.ok(records.length > 0, 'the recording works (the check below can fail)');
        for (const line of records) assert.equal((JSON.parse(line) as { method: string }).method, 'GET', line);
        // One real request is counted as usual (the warm-up's were not lost somewhere in between).
        const res = await postJson(`${server.url}/v1/chat/completions`, {
          model: 'm',
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 3,
        });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        let total = 0;
        for (let i = 0; i < 40 && total === 0; i++) {
          total = (await health(server.url)).telemetry['requestsTotal'] ?? 0;
          if (total === 0) await new Promise((r) => setTimeout(r, 50));
        }
        assert.equal(total, 1);
      } finally {
        await server.stop();
      }
    });
  }

  it("does not move the seeded fault sequence or fill the server's prefix cache", async () => {
    const args = ['--random-seed', '11', '--error-rate', '40', '--fast'];
    const cold = await startServer([...args, '--warm-up-requests', '0']);
    const coldStatuses = await statuses(cold, 12).finally(() => cold.stop());
    const warm = await startServer([...args, '--warm-up-requests', '300']);
    try {
      await warmedUp(warm.url);
      assert.deepEqual(await statuses(warm, 12), coldStatuses);
      assert.ok(coldStatuses.includes(500) && coldStatuses.includes(200), `a mixed sequence: ${coldStatuses}`);
    } finally {
      await warm.stop();
    }
    // A prompt the warm-up sent (its longest, a non-streaming chat) is new to the server's own cache.
    const server = await startServer(['--warm-up-requests', '300', '--fast']);
    try {
      await warmedUp(server.url);
      const raw = warmUpRequests('m', 8192)[13]!;
      const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { messages: unknown; stream: boolean };
      assert.equal(body.stream, false);
      const cached = async (): Promise<number> => {
        const res = await postJson(`${server.url}/v1/chat/completions`, { model: 'm', messages: body.messages });
        const json = (await res.json()) as { usage: { prompt_tokens_details?: { cached_tokens?: number } } };
        return json.usage.prompt_tokens_details?.cached_tokens ?? 0;
      };
      assert.equal(await cached(), 0, 'the warm-up used a cache of its own');
      assert.ok((await cached()) > 0, 'the second time it hits (the check above can fail)');
    } finally {
      await server.stop();
    }
  });

  it('sends nothing while a client is being served, and goes on when it is idle', async () => {
    const server = await startServer(['--warm-up-requests', '1000000', '--ttft', '0', '--itl', '40']);
    try {
      let ended = false;
      postChatStream(server.url, 'a long one', 40, (res) => {
        res.resume();
        res.on('end', () => (ended = true));
      });
      await new Promise((r) => setTimeout(r, 300));
      const a = await health(server.url);
      await new Promise((r) => setTimeout(r, 800));
      const b = await health(server.url);
      assert.equal(b.warm_up.state, 'paused');
      assert.equal(b.warm_up.requests, a.warm_up.requests, 'no warm-up request while the stream was open');
      while (!ended) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 700));
      const c = await health(server.url);
      assert.ok(c.warm_up.requests > b.warm_up.requests, `it went on: ${b.warm_up.requests} -> ${c.warm_up.requests}`);
      // It stops with the server: SIGTERM mid-warm-up exits at once, 0.
      const t0 = performance.now();
      assert.equal(await server.stop('SIGTERM'), 0);
      assert.ok(performance.now() - t0 < 3000);
    } finally {
      await server.stop('SIGKILL');
    }
  });

  it('health probes and scrapes (GETs) do not keep it from finishing', async () => {
    const server = await startServer(['--warm-up-requests', '300', '--fast']);
    try {
      const t0 = performance.now();
      let state = '';
      while (state !== 'done' && performance.now() - t0 < 20_000) {
        state = (await health(server.url)).warm_up.state;
        await (await fetch(`${server.url}/metrics`)).text();
        await new Promise((r) => setTimeout(r, 40));
      }
      assert.equal(state, 'done', 'a GET every 40 ms did not hold it');
    } finally {
      await server.stop();
    }
  });

  for (const extra of [
    ['--engine-model', 'batch'],
    ['--api-key', 'k', '--strict-models'],
    ['--max-model-len', '64'],
  ]) {
    it(`every warm-up request is one the server accepts (${extra.join(' ')})`, async () => {
      const server = await startServer(['--warm-up-requests', '200', ...extra]);
      try {
        const status = await warmedUp(server.url);
        assert.equal(status.failed, 0);
        assert.ok(server.logs.some((l) => l['message'] === 'warm-up done' && l['requests'] === 200));
      } finally {
        await server.stop();
      }
    });
  }
});
