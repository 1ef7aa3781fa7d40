import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { decode } from '@msgpack/msgpack';
import { getEncoding } from 'js-tiktoken';
import OpenAI from 'openai';
import { after, before, describe, it } from 'node:test';
import { Subscriber } from 'zeromq';
import { parsePrometheus, promtoolCheck, scrape, total } from '../support/prometheus.js';
import { retryTiming } from '../support/retry.js';
import { callFresh, getJson, postChatStream, startServer, type TestServer, until } from '../support/server.js';

/**
 * The prefix cache as vLLM V1 runs it (prefix caching on by default): prompts cut into 16-token blocks
 * hashed in a chain (vllm/v1/core/kv_cache_utils.py hash_block_tokens), the longest cached run of
 * leading blocks is the hit, at least the last prompt token is recomputed (kv_cache_manager.py
 * get_computed_blocks: max_cache_hit_length = num_tokens - 1).
 */
const B = 16;
const expectedHit = (promptTokens: number): number => Math.floor((promptTokens - 1) / B) * B;
const o200k = getEncoding('o200k_base');
const SYSTEM = 'You are a meticulous harbour pilot. Answer in the voice of the sea. '.repeat(12);

/** Client-measured time to the first content chunk of a streaming chat (its own connection). */
function firstTokenMs(url: string, content: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let seen = false;
    postChatStream(url, content, 2, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (!seen && d.includes('"content":"')) {
          seen = true;
          resolve(performance.now() - t0);
        }
      });
      res.on('end', () => (seen ? undefined : reject(new Error('no content chunk'))));
    }).on('error', reject);
  });
}

describe('prefix cache with the openai and anthropic clients', () => {
  let server: TestServer;
  let openai: OpenAI;
  let anthropic: Anthropic;
  const cached: number[] = [];
  const prompts: number[] = [];
  /** Model 'm' (the vLLM page's counters below are checked for it). */
  const chat = async (messages: OpenAI.ChatCompletionMessageParam[], maxTokens = 4) => {
    const r = await openai.chat.completions.create({ model: 'm', messages, max_tokens: maxTokens });
    prompts.push(r.usage!.prompt_tokens);
    cached.push(r.usage!.prompt_tokens_details!.cached_tokens!);
    return r;
  };
  before(async () => {
    // TTFT 5 ms + 0.05 ms per uncached prompt token; delivered answers cached too.
    server = await startServer('--ttft 5 --itl 1 --ttft-per-isl-token-ms 0.05 --prefix-cache-answers'.split(' '));
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: server.url, apiKey: 'x', maxRetries: 0 });
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it('a new prompt reports 0 cached tokens, the same prompt again its whole-block prefix', async () => {
    const messages = [{ role: 'user' as const, content: 'Chart the tides of the northern bay. '.repeat(30) }];
    const first = await chat(messages);
    assert.equal(first.usage!.prompt_tokens_details!.cached_tokens, 0);
    const again = await chat(messages);
    const P = again.usage!.prompt_tokens;
    assert.equal(again.usage!.prompt_tokens_details!.cached_tokens, expectedHit(P));
    // Streaming: the usage chunk says the same.
    const stream = await openai.chat.completions.create({
      model: 'm',
      messages,
      max_tokens: 3,
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    assert.equal(usage!.prompt_tokens_details!.cached_tokens, expectedHit(P));
    prompts.push(usage!.prompt_tokens);
    cached.push(usage!.prompt_tokens_details!.cached_tokens!);
  });

  it('a prompt that shares only the system prompt hits the system prompt blocks', async () => {
    const S = o200k.encode(SYSTEM).length;
    await chat([
      { role: 'system', content: SYSTEM },
      { role: 'user', content: 'Where is the lighthouse?' },
    ]);
    const r = await chat([
      { role: 'system', content: SYSTEM },
      { role: 'user', content: 'How deep is the channel at low water?' },
    ]);
    assert.equal(r.usage!.prompt_tokens_details!.cached_tokens, Math.floor(S / B) * B);
  });

  it("--prefix-cache-answers: a conversation's second turn hits the first turn, its answer included (vLLM caches generated blocks)", async () => {
    // vLLM caches every full block it computes, generated tokens too (kv_cache_manager.py cache_blocks
    // over request.all_token_ids), so turn 2 (turn 1's messages, the answer, a new message) hits the
    // answer's blocks as well. The server's prompt text joins messages with '\n'.
    const user1 = 'Tell me about the old fishing fleet of the harbour. '.repeat(8);
    const a1 = await chat([{ role: 'user', content: user1 }], 48);
    const answer = a1.choices[0]!.message.content!;
    const user2 = 'And what became of it?';
    const a2 = await chat([
      { role: 'user', content: user1 },
      { role: 'assistant', content: answer },
      { role: 'user', content: user2 },
    ]);
    // Turn 1's prompt and answer as one text (user1 ends in a space, which merges with the '\n').
    const cachedSeq = o200k.encode(`${user1}\n${answer}`);
    const turn2 = o200k.encode(`${user1}\n${answer}\n${user2}`);
    assert.equal(a2.usage!.prompt_tokens, turn2.length);
    assert.ok(
      Math.floor(cachedSeq.length / B) > Math.floor(o200k.encode(user1).length / B),
      'the answer fills a block',
    );
    // The hit: the leading whole blocks the two sequences share.
    let same = 0;
    while (same < cachedSeq.length && cachedSeq[same] === turn2[same]) same++;
    assert.ok(
      same >= cachedSeq.length - 2,
      `turn 2 starts with turn 1 and its answer (${same} of ${cachedSeq.length})`,
    );
    assert.equal(a2.usage!.prompt_tokens_details!.cached_tokens, Math.floor(same / B) * B);
  });

  it('after a reasoning answer the next turn hits only the previous prompt (reasoning is not sent back)', async () => {
    // A reasoning model's generated sequence starts with its reasoning; the client sends back the content
    // only (chat templates drop reasoning from the history), so the cached blocks past the prompt differ.
    const user1 = 'Reason about the tides of the northern channel, hour by hour. '.repeat(6);
    const model = 'Qwen/Qwen3-0.6B';
    const a1 = await openai.chat.completions.create({
      model,
      messages: [{ role: 'user', content: user1 }],
      max_tokens: 64,
    });
    const message = a1.choices[0]!.message as { content: string | null; reasoning_content?: string };
    assert.ok(a1.usage!.completion_tokens_details!.reasoning_tokens! > 0, 'the model reasoned');
    const a2 = await openai.chat.completions.create({
      model,
      messages: [
        { role: 'user', content: user1 },
        { role: 'assistant', content: message.content ?? '' },
        { role: 'user', content: 'And at midnight?' },
      ],
      max_tokens: 4,
    });
    assert.equal(a2.usage!.prompt_tokens_details!.cached_tokens, Math.floor(o200k.encode(user1).length / B) * B);
  });

  it('TTFT pays only for the uncached prompt tokens (client-measured)', async (t) => {
    // A later attempt (a descheduled client or server) uses a prompt of its own, new to the cache.
    await retryTiming(t, async (attempt) => {
      const prompt = `Watch ${attempt}. ` + 'the harbour at night '.repeat(400);
      const first = await firstTokenMs(server.url, prompt);
      const again = await firstTokenMs(server.url, prompt);
      const P = o200k.encode(prompt).length;
      prompts.push(P, P);
      cached.push(0, expectedHit(P));
      // Uncached: 5 + 0.05 × P (> 80 ms); cached: 5 + 0.05 × (P − hit) ≤ 5.8 ms, plus the client's few ms.
      assert.ok(first >= 5 + 0.05 * P, `first TTFT ${first.toFixed(1)} ms for ${P} tokens`);
      assert.ok(again >= 5 && again < 5 + 0.05 * B + 15, `cached TTFT ${again.toFixed(1)} ms`);
    });
  });

  it('Anthropic: cache reads, cache_control writes, and the three counts add up to the prompt', async () => {
    const SYS = 'You keep the harbour log. Every entry is dated and signed. '.repeat(12);
    const system = [{ type: 'text' as const, text: SYS, cache_control: { type: 'ephemeral' as const } }];
    const messages = [{ role: 'user' as const, content: 'Plot a course past the reef.' }];
    const first = await anthropic.messages.create({ model: 'mock-claude', max_tokens: 5, system, messages });
    const S = o200k.encode(SYS).length;
    assert.equal(first.usage.cache_read_input_tokens, 0);
    assert.equal(first.usage.cache_creation_input_tokens, S);
    const P = first.usage.input_tokens + S;
    const second = await anthropic.messages.create({ model: 'mock-claude', max_tokens: 5, system, messages });
    assert.equal(second.usage.cache_read_input_tokens, expectedHit(P));
    assert.equal(second.usage.cache_creation_input_tokens, Math.max(0, S - expectedHit(P)));
    assert.equal(
      second.usage.input_tokens + second.usage.cache_read_input_tokens! + second.usage.cache_creation_input_tokens!,
      P,
    );
    // Unmarked: reads only, never writes.
    const plain = await anthropic.messages.create({ model: 'mock-claude', max_tokens: 5, system: SYS, messages });
    assert.equal(plain.usage.cache_creation_input_tokens, 0);
    assert.ok(plain.usage.cache_read_input_tokens! > 0);
  });

  it("the vLLM page's prefix-cache counters add up to the usage the clients saw (prometheus_client, promtool)", async (t) => {
    await new Promise((r) => setTimeout(r, 50));
    const page = await scrape(`${server.url}/vllm/metrics`);
    promtoolCheck(page.text, 'vllm', t);
    const where = { model_name: 'm' };
    assert.equal(
      total(page.families, 'vllm:prefix_cache_hits_total', 'value', where),
      cached.reduce((a, b) => a + b, 0),
    );
    assert.ok(
      total(page.families, 'vllm:prefix_cache_queries_total', 'value', where) >= prompts.reduce((a, b) => a + b, 0),
    );
    const mock = await scrape(`${server.url}/metrics`);
    promtoolCheck(mock.text, 'mock', t);
    assert.ok(total(mock.families, 'aiperf_mock_prefix_cache_blocks') > 0);
  });

  it('the reset routes (vLLM /reset_prefix_cache, SGLang /flush_cache) clear it, and are counted', async () => {
    const messages = [{ role: 'user' as const, content: 'Count the buoys in the outer harbour. '.repeat(20) }];
    await chat(messages);
    for (const path of ['/reset_prefix_cache', '/flush_cache']) {
      assert.ok((await chat(messages)).usage!.prompt_tokens_details!.cached_tokens! > 0);
      const res = await fetch(server.url + path, { method: 'POST' });
      assert.equal(res.status, 200);
      assert.equal((await chat(messages)).usage!.prompt_tokens_details!.cached_tokens, 0, path);
    }
    const mock = parsePrometheus(await (await fetch(`${server.url}/metrics`)).text());
    assert.equal(total(mock, 'aiperf_mock_control_calls_total', 'value', { call: 'reset_prefix_cache' }), 1);
    assert.equal(total(mock, 'aiperf_mock_control_calls_total', 'value', { call: 'flush_cache' }), 1);
  });
});

describe('prefix cache: a repeated prompt always hits', () => {
  it('a non-streaming answer leaves only after its prompt is cached (no race with the prefill timer)', async () => {
    // The answer is due at arrival + TTFT (no ITL): the prompt must be cached by then, however long the
    // request took to be admitted (a CI run answered before the prefill timer, which started at admission,
    // had fired, and the repeat missed).
    const server = await startServer(['--ttft', '20', '--itl', '0']);
    try {
      const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
      const misses: number[] = [];
      for (let i = 0; i < 15; i++) {
        const messages = [{ role: 'user' as const, content: `Pier ${i}: moor the ferry and log it. `.repeat(20) }];
        await openai.chat.completions.create({ model: 'm', messages, max_tokens: 1 });
        const again = await openai.chat.completions.create({ model: 'm', messages, max_tokens: 1 });
        if (again.usage!.prompt_tokens_details!.cached_tokens !== expectedHit(again.usage!.prompt_tokens))
          misses.push(i);
      }
      assert.deepEqual(misses, []);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});

describe('prefix cache: off, and across cluster workers', () => {
  const body = {
    model: 'm',
    messages: [{ role: 'user', content: 'Name every pier of the harbour, one by one. '.repeat(20) }],
    max_tokens: 2,
  };
  const cachedOf = (json: Record<string, unknown>): number =>
    (json['usage'] as { prompt_tokens_details: { cached_tokens: number } }).prompt_tokens_details.cached_tokens;

  it('--prefix-cache-hit-rate (synthetic): the same share of the cacheable blocks on every request', async () => {
    const server = await startServer(['--fast', '--prefix-cache-hit-rate', '0.5']);
    try {
      const P = o200k.encode(body.messages[0]!.content).length;
      for (let i = 0; i < 2; i++)
        assert.equal(
          cachedOf((await callFresh(`${server.url}/v1/chat/completions`, 'POST', body)).json),
          Math.floor(0.5 * Math.floor((P - 1) / B)) * B,
        );
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it("without --prefix-cache-answers a conversation's second turn hits the first turn's prompt only", async () => {
    const server = await startServer(['--fast']);
    try {
      const user1 = 'Tell me about the old fishing fleet of the harbour. '.repeat(8);
      const first = {
        model: 'm',
        messages: [{ role: 'user', content: user1 }],
        max_tokens: 48,
      };
      const a1 = (await callFresh(`${server.url}/v1/chat/completions`, 'POST', first)).json as {
        choices: { message: { content: string } }[];
      };
      const turn2 = {
        model: 'm',
        messages: [
          { role: 'user', content: user1 },
          { role: 'assistant', content: a1.choices[0]!.message.content },
          { role: 'user', content: 'And what became of it?' },
        ],
        max_tokens: 2,
      };
      const T1 = o200k.encode(user1).length;
      assert.equal(
        cachedOf((await callFresh(`${server.url}/v1/chat/completions`, 'POST', turn2)).json),
        Math.floor(T1 / B) * B,
      );
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('--no-prefix-caching: a repeated prompt reports 0 cached tokens', async () => {
    const server = await startServer(['--fast', '--no-prefix-caching']);
    try {
      for (let i = 0; i < 3; i++)
        assert.equal(cachedOf((await callFresh(`${server.url}/v1/chat/completions`, 'POST', body)).json), 0);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('--workers 2: one cache for the server, so a repeated prompt hits whichever worker receives it', async () => {
    const server = await startServer(['--fast', '--workers', '2', '--no-spare-worker']);
    try {
      assert.equal(cachedOf((await callFresh(`${server.url}/v1/chat/completions`, 'POST', body)).json), 0);
      const hits = await Promise.all(
        Array.from({ length: 12 }, () => callFresh(`${server.url}/v1/chat/completions`, 'POST', body)),
      );
      for (const h of hits) assert.ok(cachedOf(h.json) > 0);
      // Until both workers' telemetry batches are in.
      const health = await until(
        () => getJson<{ telemetry: { tokensByWorker: Record<string, number> } }>(`${server.url}/health`),
        (h) => Object.keys(h.telemetry.tokensByWorker).length === 2,
      );
      assert.equal(Object.keys(health.telemetry.tokensByWorker).length, 2, 'both workers served');
      // A reset through either worker clears the one cache.
      assert.equal((await fetch(`${server.url}/reset_prefix_cache`, { method: 'POST' })).status, 200);
      assert.equal(cachedOf((await callFresh(`${server.url}/v1/chat/completions`, 'POST', body)).json), 0);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});

describe('KV events over ZeroMQ (vllm/distributed/kv_events.py)', () => {
  it('a SUB socket decodes every event and rebuilds the cache block set exactly', async () => {
    const sub = new Subscriber();
    await sub.bind('tcp://127.0.0.1:*');
    sub.subscribe();
    const batches: { seq: bigint; topic: string; events: Record<string, unknown>[] }[] = [];
    const reading = (async () => {
      for await (const [topic, seq, payload] of sub) {
        const batch = decode(payload!) as { events: Record<string, unknown>[] };
        batches.push({ topic: topic!.toString(), seq: seq!.readBigUInt64BE(), events: batch.events });
      }
    })();
    // The server connects its PUB socket to ours (an address without '*' connects, as in vLLM).
    const server = await startServer([
      '--fast',
      '--kv-blocks',
      '12',
      '--kv-events-endpoint',
      sub.lastEndpoint!,
      '--kv-events-topic',
      'kv@mock',
    ]);
    const blocks = new Set<number>();
    const apply = (e: Record<string, unknown>): void => {
      if (e['type'] === 'BlockStored') {
        const parent = e['parent_block_hash'] as number | null;
        assert.ok(parent === null || blocks.has(parent), 'a stored run follows its parent');
        for (const h of e['block_hashes'] as number[]) blocks.add(h);
        assert.equal(e['block_size'], 16);
        assert.equal((e['token_ids'] as number[]).length, (e['block_hashes'] as number[]).length * 16);
      } else if (e['type'] === 'BlockRemoved') for (const h of e['block_hashes'] as number[]) blocks.delete(h);
      else if (e['type'] === 'AllBlocksCleared') blocks.clear();
      else assert.fail(`unknown event ${String(e['type'])}`);
    };
    try {
      await new Promise((r) => setTimeout(r, 300)); // the PUB/SUB handshake
      const prompts = ['First light over the breakwater. ', 'Gulls above the fish market. ', 'Fog on the quay. '];
      for (const p of prompts) {
        const content = p.repeat(12);
        const res = await callFresh(`${server.url}/v1/chat/completions`, 'POST', {
          model: 'm',
          messages: [{ role: 'user', content }],
          max_tokens: 2,
        });
        assert.equal(res.status, 200);
      }
      await new Promise((r) => setTimeout(r, 200));
      for (const b of batches) for (const e of b.events) apply(e);
      const gauge = (await scrape(`${server.url}/metrics`)).families;
      assert.equal(blocks.size, total(gauge, 'aiperf_mock_prefix_cache_blocks'));
      assert.ok(blocks.size <= 12 && total(gauge, 'aiperf_mock_prefix_cache_evicted_blocks_total') > 0);
      // The first stored run is the first prompt's leading blocks, with the tokenizer's own ids.
      const first = batches[0]!.events.find((e) => e['type'] === 'BlockStored')!;
      const ids = o200k.encode(prompts[0]!.repeat(12));
      assert.deepEqual(first['token_ids'], ids.slice(0, (first['token_ids'] as number[]).length));
      assert.deepEqual(
        batches.map((b) => b.seq),
        batches.map((_, i) => BigInt(i)),
      );
      assert.ok(batches.every((b) => b.topic === 'kv@mock'));
      const before = batches.length;
      assert.equal((await fetch(`${server.url}/reset_prefix_cache`, { method: 'POST' })).status, 200);
      await new Promise((r) => setTimeout(r, 200));
      for (const b of batches.slice(before)) for (const e of b.events) apply(e);
      assert.equal(blocks.size, 0);
      assert.ok(batches.slice(before).some((b) => b.events.some((e) => e['type'] === 'AllBlocksCleared')));
    } finally {
      assert.equal(await server.stop(), 0);
      sub.close();
      await reading.catch(() => undefined);
    }
  });
});
