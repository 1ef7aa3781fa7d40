import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchEngine, type EngineConfig } from '../../src/engine/batch-engine.js';

const base: EngineConfig = {
  maxBatchSize: 8,
  prefillChunkTokens: 512,
  kvBlocks: 10_000,
  kvBlockTokens: 16,
  maxWaiting: 1000,
};

/** Runs the engine until every request finished; returns per request the step of each token. */
function simulate(cfg: EngineConfig, requests: [prompt: number, output: number][], maxSteps = 100_000) {
  const e = new BatchEngine(cfg);
  requests.forEach(([p, o], id) => assert.ok(e.submit(id, p, o)));
  const tokens = requests.map(() => [] as number[]);
  const perStep: number[] = [];
  const waitingPerStep: number[] = [];
  const done = new Set<number>();
  let step = 0;
  while (done.size < requests.length && step < maxSteps) {
    step++;
    const r = e.step();
    for (const id of r.emitted) tokens[id]!.push(step);
    for (const id of r.finished) done.add(id);
    perStep.push(r.emitted.length);
    waitingPerStep.push(e.numWaiting);
  }
  return { engine: e, tokens, perStep, waitingPerStep, steps: step };
}

describe('BatchEngine (pure step simulation)', () => {
  const ttftTable: [string, Partial<EngineConfig>, number, number, number][] = [
    // name, config, prompt, output → step of the first token, step of the last
    ['short prompt: first token in step 1, one per step after', {}, 100, 10, 1],
    ['chunked prefill: ⌈1000 / 256⌉ = 4 steps to the first token', { prefillChunkTokens: 256 }, 1000, 5, 4],
    ['prompt exactly one chunk', { prefillChunkTokens: 64 }, 64, 3, 1],
  ];
  for (const [name, cfg, prompt, output, first] of ttftTable) {
    it(name, () => {
      const { tokens } = simulate({ ...base, ...cfg }, [[prompt, output]]);
      assert.equal(tokens[0]!.length, output);
      assert.equal(tokens[0]![0], first);
      assert.equal(tokens[0]!.at(-1), first + output - 1);
    });
  }

  it('throughput ceiling: never more than max batch tokens per step, and exactly that at saturation', () => {
    const { perStep, engine } = simulate(
      { ...base, maxBatchSize: 8 },
      Array.from({ length: 100 }, () => [16, 50]),
    );
    assert.ok(perStep.every((n) => n <= 8));
    const steady = perStep.slice(10, 500);
    assert.ok(steady.filter((n) => n === 8).length / steady.length > 0.95, 'the batch stays full');
    assert.equal(engine.numRunning, 0);
    assert.equal(engine.kvUsedBlocks, 0, 'every block returned');
  });

  it('queueing appears past the knee: below max batch nothing waits, above it TTFT grows with the queue', () => {
    const below = simulate(
      base,
      Array.from({ length: 8 }, () => [16, 20]),
    );
    assert.ok(below.waitingPerStep.every((w) => w === 0));
    assert.ok(below.tokens.every((t) => t[0] === 1));
    const above = simulate(
      base,
      Array.from({ length: 32 }, () => [16, 20]),
    );
    assert.equal(above.waitingPerStep[0], 24);
    const firsts = above.tokens.map((t) => t[0]!);
    // Four waves of 8: the last wave starts after three full answers of 20 tokens.
    assert.equal(Math.max(...firsts), 61);
  });

  it('preempts when the KV cache is full, counts it, and still delivers every token exactly once', () => {
    // 8 blocks × 16 tokens = 128 tokens of cache; two sequences that each grow to 16 + 80 tokens.
    const cfg = { ...base, kvBlocks: 8, kvBlockTokens: 16 };
    const { engine, tokens } = simulate(cfg, [
      [16, 80],
      [16, 80],
    ]);
    assert.ok(engine.preemptionsTotal > 0);
    assert.deepEqual(
      tokens.map((t) => t.length),
      [80, 80],
    );
    assert.equal(engine.kvUsedBlocks, 0);
  });

  it('refuses past --max-waiting', () => {
    const e = new BatchEngine({ ...base, maxBatchSize: 1, maxWaiting: 2 });
    assert.ok(e.submit(1, 10, 10));
    assert.ok(e.submit(2, 10, 10));
    assert.equal(e.submit(3, 10, 10), false);
    e.step(); // admits 1
    assert.ok(e.submit(3, 10, 10));
  });

  it('a cancelled sequence frees its batch slot and KV blocks at once', () => {
    const e = new BatchEngine({ ...base, maxBatchSize: 1 });
    e.submit(1, 100, 1000);
    e.submit(2, 100, 10);
    e.step();
    assert.equal(e.numRunning, 1);
    assert.ok(e.kvUsedBlocks > 0);
    e.cancel(1);
    assert.equal(e.numRunning, 0);
    assert.equal(e.kvUsedBlocks, 0);
    const r = e.step();
    assert.deepEqual(r.emitted, [2], 'the waiting request takes the slot');
  });
});
