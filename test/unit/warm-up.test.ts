import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { quickTierUp, WARM_UP_BUDGET_DIVISOR } from '../../src/server/tier-up.js';
import { warmUpRequests } from '../../src/server/warm-up-requests.js';

// What the warm-up sends and how it makes V8 compile (src/server/warm-up.ts, docs/decisions/0012, 0014).

interface Sent {
  path: string;
  headers: Map<string, string>;
  body: Record<string, unknown>;
}

function parse(raw: string): Sent {
  const end = raw.indexOf('\r\n\r\n');
  const [line, ...fields] = raw.slice(0, end).split('\r\n');
  const headers = new Map(
    fields.map((f) => [f.slice(0, f.indexOf(':')).toLowerCase(), f.slice(f.indexOf(':') + 1).trim()]),
  );
  const text = raw.slice(end + 4);
  assert.equal(Number(headers.get('content-length')), Buffer.byteLength(text), 'Content-Length matches the body');
  return { path: line!.split(' ')[1]!, headers, body: JSON.parse(text) as Record<string, unknown> };
}

describe('the warm-up', () => {
  it('sends what the benchmark clients send, not one client shape', () => {
    const sent = warmUpRequests('m', 8192).map(parse);
    // A client that sends no request id takes the id-generating branch (vllm bench serve, sglang
    // bench_serving, wrk); AIPerf sends one (../reference/aiperf-server-contract.md, "Headers AIPerf sends").
    assert.ok(sent.some((s) => s.headers.has('x-request-id')));
    assert.ok(sent.some((s) => !s.headers.has('x-request-id')));
    assert.ok(sent.some((s) => s.headers.get('connection') === 'keep-alive'));
    // ignore_eos: AIPerf's --extra-inputs, vllm bench serve --ignore-eos, sglang's default
    // (../reference/client-contract.md section 7).
    assert.ok(sent.some((s) => s.path === '/v1/chat/completions' && s.body['ignore_eos'] === true));
    assert.ok(sent.some((s) => s.path === '/v1/completions' && s.body['ignore_eos'] === true));
    // vllm bench serve's chat sends content as parts.
    assert.ok(
      sent.some((s) => {
        const m = s.body['messages'] as { content: unknown }[] | undefined;
        return Array.isArray(m?.[0]?.content);
      }),
    );
    assert.ok(sent.some((s) => s.body['stream'] === false));
    assert.ok(sent.some((s) => s.body['stream'] === true && s.body['stream_options'] === undefined));
    // Field reads on bodies of more than four shapes stay generic (no code thrown away for a new one).
    const shapes = new Set(sent.map((s) => `${s.path} ${Object.keys(s.body).join(',')}`));
    assert.ok(shapes.size >= 6, `${shapes.size} body shapes`);
    // Header sets of more than four shapes (each set and order is one), for the same reason.
    const headerShapes = new Set(sent.map((s) => [...s.headers.keys()].join(',')));
    assert.ok(headerShapes.size >= 5, `${headerShapes.size} header shapes`);
    // A prompt shorter than one KV block (16 tokens by default: nothing to hash or look up).
    assert.ok(
      sent.some((s) => JSON.stringify(s.body).match(/Request \d+:( \w+){0,3}"/)),
      'a prompt of a few words',
    );
    // The integration test of the cache reads index 13 as a non-streaming chat with the longest prompt.
    assert.equal(sent[13]!.body['stream'], false);
    const words = (x: Sent): number => JSON.stringify(x.body).split(' ').length;
    assert.equal(words(sent[13]!), Math.max(...sent.map(words)));
  });

  it('puts back a budget it cannot know, or one the command line chose, never', () => {
    assert.equal(quickTierUp('99.1.0', []), null);
    assert.equal(quickTierUp(process.versions.v8, ['--interrupt-budget=1000']), null);
    assert.equal(quickTierUp(process.versions.v8, ['--interrupt_budget=1000']), null);
  });

  // V8 flags are process-wide: the effect is measured in a child. A function run K times is compiled by
  // TurboFan with the warm-up's budget and not with the default; after the restore, a second function run
  // K times is not either. K sits between the two thresholds (measured: ~400 and ~1,300 calls).
  it(`makes V8 compile sooner while it runs (1/${WARM_UP_BUDGET_DIVISOR} of the budget), then puts the default back`, async (t) => {
    if (process.versions.v8.split('.').slice(0, 2).join('.') !== '11.3') {
      t.skip(`the default budget of V8 ${process.versions.v8} is not known here`);
      return;
    }
    const tierUp = new URL('../../src/server/tier-up.js', import.meta.url).href;
    const script = `
      const { quickTierUp } = await import(${JSON.stringify(tierUp)});
      function work1(a, b) { const o = { a, b, c: a + b, d: a - b }; const p = [o.a, o.b, o.c, o.d]; let t = 0; t += p[0] * 2; t += p[1] * 3; t += p[2] ^ 5; t += p[3] | 1; const q = { t, u: t * 2, v: String(t).length }; return q.t + q.u + q.v; }
      function work2(a, b) { const o = { a, b, c: a + b, d: a - b }; const p = [o.a, o.b, o.c, o.d]; let t = 0; t += p[0] * 2; t += p[1] * 3; t += p[2] ^ 5; t += p[3] | 1; const q = { t, u: t * 2, v: String(t).length }; return q.t + q.u + q.v; }
      function drive(f, n) { let s = 0; for (let i = 0; i < n; i++) s += f(i, n - i); return s; }
      %NeverOptimizeFunction(drive);
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
      const compiled = async (f) => { drive(f, 700); await sleep(100); f(1, 2); await sleep(50); f(1, 2); return (%GetOptimizationStatus(f) & 16) !== 0; };
      const restore = process.argv[1] === 'lower' ? quickTierUp() : null;
      const during = await compiled(work1);
      restore?.();
      const after = await compiled(work2);
      process.stdout.write(JSON.stringify({ during, after }));
    `;
    const run = async (mode: string): Promise<{ during: boolean; after: boolean }> => {
      const { stdout } = await promisify(execFile)(process.execPath, [
        '--allow-natives-syntax',
        '--input-type=module',
        '-e',
        script,
        mode,
      ]);
      return JSON.parse(stdout) as { during: boolean; after: boolean };
    };
    assert.deepEqual(await run('default'), { during: false, after: false }, 'the default budget: not yet hot');
    assert.deepEqual(await run('lower'), { during: true, after: false }, 'hot with the warm-up budget, not after it');
  });
});
