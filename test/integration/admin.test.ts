import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parsePrometheus, total } from '../support/prometheus.js';
import { getJson, MAIN, postJson, startServer, until } from '../support/server.js';

/** Client-side times (ms from the request's start) of every content chunk of one stream, on its own connection. */
function streamTimes(url: string, maxTokens: number, headers: Record<string, string> = {}): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const times: number[] = [];
    const req = request(
      `${url}/v1/chat/completions`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          const now = performance.now() - t0;
          for (let n = d.split('"content":"').length - 1; n > 0; n--) times.push(now);
        });
        res.on('end', () => resolve(times));
      },
    );
    req.on('error', reject);
    req.end(
      JSON.stringify({
        model: 'm',
        messages: [{ role: 'user', content: 'tides' }],
        max_tokens: maxTokens,
        ignore_eos: true,
        stream: true,
      }),
    );
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medianGap = (t: number[]): number => median(t.slice(1).map((x, i) => x - t[i]!));

function patch(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/admin/config`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('admin API: closed by default, keyed, all-or-nothing changes that reach every worker', () => {
  it('off by default; --admin-api on loopback; refused on all interfaces without a key', async () => {
    const off = await startServer(['--fast']);
    try {
      assert.equal((await fetch(`${off.url}/admin/config`)).status, 404);
    } finally {
      assert.equal(await off.stop(), 0);
    }
    const run = spawnSync(process.execPath, [MAIN, '--admin-api', '--host', '0.0.0.0', '--port', '0'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--admin-api on all interfaces needs --admin-key/);
    const on = await startServer(['--fast', '--admin-api']);
    try {
      const cfg = await getJson<{ config: Record<string, unknown>; live: string[] }>(`${on.url}/admin/config`);
      assert.equal(cfg.config['itl'], 0);
      assert.ok(cfg.live.includes('itl') && !cfg.live.includes('port'));
    } finally {
      assert.equal(await on.stop(), 0);
    }
  });

  it('--admin-key: 401 without it or with a wrong one; X-Admin-Key or Bearer; never shown, logged or recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'admin-'));
    const key = 'k3y-that-must-not-leak';
    const server = await startServer(['--fast', '--admin-key', key, '--record-requests', join(dir, 'r.jsonl')]);
    try {
      assert.equal((await fetch(`${server.url}/admin/config`)).status, 401);
      const wrong = await fetch(`${server.url}/admin/config`, { headers: { 'x-admin-key': key + 'x' } });
      assert.equal(wrong.status, 401);
      assert.equal(((await wrong.json()) as { error: { type: string } }).error.type, 'authentication_error');
      const ok = await fetch(`${server.url}/admin/config`, { headers: { 'x-admin-key': key } });
      assert.equal(ok.status, 200);
      const text = await ok.text();
      assert.ok(!text.includes(key), 'the key is not in the config it shows');
      assert.equal((await patch(server.url, { ttft: 3 }, { authorization: `Bearer ${key}` })).status, 200);
      assert.equal((await patch(server.url, { ttft: 4 })).status, 401);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      assert.equal(await server.stop(), 0);
    }
    try {
      assert.ok(!JSON.stringify(server.logs).includes(key), 'never logged');
      assert.ok(!readFileSync(join(dir, 'r.jsonl'), 'utf8').includes(key), 'never recorded');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad PATCH is a 400 naming each option and changes nothing; a good one is logged with old and new values', async () => {
    const server = await startServer(['--fast', '--admin-api']);
    try {
      const bad = await patch(server.url, { ttft: 5, itl: 'fast', port: 1, nonsense: 1 });
      assert.equal(bad.status, 400);
      const problems = ((await bad.json()) as { problems: string[] }).problems.join('\n');
      for (const name of ['--itl', '--port', 'nonsense']) assert.ok(problems.includes(name), problems);
      const after = await getJson<{ config: { ttft: number } }>(`${server.url}/admin/config`);
      assert.equal(after.config.ttft, 0, 'nothing changed');
      const good = await patch(server.url, { error_rate: 2.5, 'itl-jitter-cv': 0.1 });
      assert.equal(good.status, 200);
      const body = (await good.json()) as { changes: { option: string; from: unknown; to: unknown }[] };
      assert.deepEqual(body.changes, [
        { option: 'errorRate', from: 0, to: 2.5 },
        { option: 'itlJitterCv', from: 0, to: 0.1 },
      ]);
      const logged = server.logs.filter((l) => l['message'] === 'config changed');
      assert.deepEqual(
        logged.map((l) => [l['option'], l['from'], l['to']]),
        [
          ['errorRate', 0, 2.5],
          ['itlJitterCv', 0, 0.1],
        ],
      );
      // Reset: the start-up values are back; counters are not reset.
      const reset = (await (await fetch(`${server.url}/admin/reset`, { method: 'POST' })).json()) as {
        reset: string[];
        config: { errorRate: number };
      };
      assert.equal(reset.config.errorRate, 0);
      assert.ok(reset.reset.includes('prefix cache'));
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('--workers 2: a PATCH changes client-measured ITL on every worker; an open stream keeps its timing', async () => {
    const server = await startServer([
      '--workers',
      '2',
      '--no-spare-worker',
      '--ttft',
      '2',
      '--itl',
      '2',
      '--admin-api',
    ]);
    try {
      const before = await Promise.all(Array.from({ length: 4 }, () => streamTimes(server.url, 20)));
      for (const t of before) assert.ok(medianGap(t) < 5, `before: ${medianGap(t).toFixed(1)} ms`);
      const open = streamTimes(server.url, 150); // ~300 ms at 2 ms per token
      await new Promise((r) => setTimeout(r, 60));
      assert.equal((await patch(server.url, { itl: 12 })).status, 200);
      await new Promise((r) => setTimeout(r, 50)); // the primary's config message reaches the other worker
      const after = await Promise.all(Array.from({ length: 6 }, () => streamTimes(server.url, 12)));
      for (const t of after) assert.ok(Math.abs(medianGap(t) - 12) < 3, `after: ${medianGap(t).toFixed(1)} ms`);
      const health = await getJson<{ telemetry: { tokensByWorker: Record<string, number> } }>(`${server.url}/health`);
      assert.equal(Object.keys(health.telemetry.tokensByWorker).length, 2, 'both workers served');
      assert.ok(medianGap(await open) < 5, 'the stream that was open keeps the ITL it started with');
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});

describe('--scenario timelines', () => {
  it('phases by time show in client-measured latency, on /health and on the metrics page; a count phase fails requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    const file = join(dir, 'spike.yaml');
    writeFileSync(
      file,
      [
        'phases:',
        '  - name: calm',
        '    at: 0s',
        '    set: { itl: 2 }',
        '  - name: spike',
        '    at: 800ms',
        '    set: { itl: 15 }',
        '  - name: brownout',
        '    after_requests: 1000000',
        '    set: { error_rate: 100 }',
      ].join('\n'),
    );
    const server = await startServer(['--ttft', '2', '--scenario', file]);
    try {
      const calm = await streamTimes(server.url, 10);
      assert.ok(medianGap(calm) < 5, `calm: ${medianGap(calm).toFixed(1)} ms`);
      let h = await getJson<{ telemetry: { scenario: { phase: string } } }>(`${server.url}/health`);
      assert.equal(h.telemetry.scenario.phase, 'calm');
      await new Promise((r) => setTimeout(r, 900));
      const spike = await streamTimes(server.url, 10);
      assert.ok(Math.abs(medianGap(spike) - 15) < 3, `spike: ${medianGap(spike).toFixed(1)} ms`);
      h = await getJson(`${server.url}/health`);
      assert.equal(h.telemetry.scenario.phase, 'spike');
      const page = parsePrometheus(await (await fetch(`${server.url}/metrics`)).text());
      assert.equal(total(page, 'aiperf_mock_scenario_phase', 'value', { phase: 'spike' }), 1);
      assert.equal(total(page, 'aiperf_mock_scenario_phase', 'value', { phase: 'calm' }), 0);
    } finally {
      assert.equal(await server.stop(), 0);
    }
    writeFileSync(
      file,
      [
        'phases:',
        '  - name: ok',
        '    at: 0s',
        '    set: {}',
        '  - name: brownout',
        '    after_requests: 5',
        '    set: { overload_rate: 100 }',
      ].join('\n'),
    );
    const count = await startServer(['--fast', '--scenario', file]);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const r = await postJson(`${count.url}/v1/chat/completions`, {
          model: 'm',
          messages: [{ role: 'user', content: 'x' }],
          max_tokens: 2,
        });
        statuses.push(r.status);
        await r.arrayBuffer();
        await new Promise((r) => setTimeout(r, 70)); // the timeline looks every 50 ms
      }
      assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
      assert.deepEqual(statuses.slice(6), [503, 503]);
    } finally {
      assert.equal(await count.stop(), 0);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad timeline stops the start, naming the phase and the option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'phases:\n  - name: oops\n    at: 1s\n    set: { itl: -3 }\n');
    const run = spawnSync(process.execPath, [MAIN, '--scenario', file, '--port', '0', '--dcgm-port', '0'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    rmSync(dir, { recursive: true, force: true });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /oops.*--itl/);
  });
});

describe('--record-requests and the request summary', () => {
  it('200 concurrent streams: one line each, matching what the client sent (ids, lengths); summary agrees', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'record-'));
    const file = join(dir, 'requests.jsonl');
    const server = await startServer([
      '--ttft',
      '5',
      '--itl',
      '2',
      '--admin-api',
      '--record-requests',
      file,
      '--workers',
      '2',
      '--no-spare-worker',
    ]);
    try {
      const sent = Array.from({ length: 200 }, (_, i) => ({ id: `req-${i}`, tokens: 5 + (i % 20) }));
      await Promise.all(
        sent.map(async (s) => {
          const t = await streamTimes(server.url, s.tokens, { 'x-request-id': s.id, 'x-correlation-id': `c-${s.id}` });
          assert.equal(t.length, s.tokens);
        }),
      );
      // Until both workers' last telemetry batches are in.
      const summary = await until(
        () =>
          getJson<{
            routes: Record<string, { requests: number } | undefined>;
            outputTokens: { count: number; mean: number };
          }>(`${server.url}/admin/requests/summary`),
        (s) => (s.routes['/v1/chat/completions']?.requests ?? 0) >= 200,
      );
      assert.equal(summary.routes['/v1/chat/completions']!.requests, 200);
      const mean = sent.reduce((a, s) => a + s.tokens, 0) / sent.length;
      assert.ok(Math.abs(summary.outputTokens.mean - mean) < 1e-9);
    } finally {
      assert.equal(await server.stop(), 0);
    }
    try {
      const lines = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l['path'] === '/v1/chat/completions');
      assert.equal(lines.length, 200);
      for (const l of lines) {
        const i = Number(String(l['client_request_id']).slice(4));
        assert.equal(l['correlation_id'], `c-req-${i}`);
        assert.equal(l['max_tokens'], 5 + (i % 20));
        assert.equal(l['output_tokens'], 5 + (i % 20));
        assert.equal(l['stream'], true);
        assert.equal(l['status'], 200);
        assert.ok(typeof l['ttft_ms'] === 'number' && (l['ttft_ms'] as number) >= 4.5, JSON.stringify(l));
        assert.ok(!('body' in l), 'no bodies without --record-bodies');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--accuracy-dataset: an oracle with known truth', () => {
  it('a 0.7 correct rate scores 0.7 with a simple grader; /accuracy agrees; other formats', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accuracy-'));
    const file = join(dir, 'gsm8k.jsonl');
    const rows = Array.from({ length: 200 }, (_, i) => ({
      question: `Harbour question ${i}: how many boats are moored at pier ${i}?`,
      answer: `#### ${i * 3 + 1}`,
    }));
    rows.push({ question: 'Which flag means a pilot is on board?', answer: 'C' });
    rows.push({ question: 'What is 6 times 7?', answer: '42.5' });
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const server = await startServer([
      '--fast',
      '--accuracy-dataset',
      file,
      '--accuracy-correct-rate',
      '0.7',
      '--workers',
      '2',
      '--no-spare-worker',
    ]);
    try {
      let right = 0;
      for (const [i, row] of rows.slice(0, 200).entries()) {
        // As a harness sends it: the question inside its prompt template.
        const r = await postJson(`${server.url}/v1/chat/completions`, {
          model: 'm',
          messages: [{ role: 'user', content: `Solve step by step.\n${row.question}\nEnd with #### <number>.` }],
          max_tokens: 512,
        });
        const text = ((await r.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
        const got = /####\s*(-?\d+)/.exec(text)?.[1];
        if (got === String(i * 3 + 1)) right++;
      }
      assert.ok(Math.abs(right / 200 - 0.7) <= 0.01, `scored ${right / 200}`);
      const mc = await postJson(`${server.url}/v1/completions`, {
        model: 'm',
        prompt: rows[200]!.question,
        max_tokens: 200,
      });
      assert.match(((await mc.json()) as { choices: { text: string }[] }).choices[0]!.text, /The answer is \([A-J]\)/);
      const boxed = await postJson(`${server.url}/v1/completions`, {
        model: 'm',
        prompt: rows[201]!.question,
        max_tokens: 200,
      });
      assert.match(((await boxed.json()) as { choices: { text: string }[] }).choices[0]!.text, /\\boxed\{[^}]+\}/);
      await postJson(`${server.url}/v1/completions`, { model: 'm', prompt: 'not in the dataset', max_tokens: 3 });
      // Until both workers' last telemetry batches are in.
      const tally = await until(
        () =>
          getJson<{ matched: number; correct: number; unmatched: number; correctRate: number }>(
            `${server.url}/accuracy`,
          ),
        (x) => x.matched + x.unmatched >= 203,
      );
      assert.equal(tally.matched, 202);
      assert.equal(tally.unmatched, 1);
      assert.ok(Math.abs(tally.correctRate - 0.7) <= 0.01, `tally ${tally.correctRate}`);
    } finally {
      assert.equal(await server.stop(), 0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
