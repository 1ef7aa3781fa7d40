import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type StreamBody } from '../../src/api/contract.js';
import { chatStreamBody, type StreamShape } from '../../src/api/openai/format.js';
import { completionStreamBody } from '../../src/api/openai/format-completions.js';
import { type OutputPlan } from '../../src/generation/planner.js';
import { TokenSpan } from '../../src/generation/token-span.js';

const meta = { id: 'chatcmpl-1', created: 1700000000, model: 'm' };
const plan = (content: string[], more: Partial<OutputPlan> = {}): OutputPlan => ({
  promptTokens: 3,
  reasoning: TokenSpan.of([]),
  content: TokenSpan.of(content),
  finishReason: 'length',
  cachedTokens: 0,
  cacheCreationTokens: 0,
  seed: 1,
  ...more,
});
const shape = (more: Partial<StreamShape> = {}): StreamShape => ({
  usage: 'none',
  logprobs: null,
  interval: 1,
  ...more,
});
/** Every event's chunks, parsed (the trailer's [DONE] left out). */
const events = (b: StreamBody) =>
  Array.from({ length: b.events }, (_, j) =>
    b
      .frame(j)
      .trim()
      .split('\n\n')
      .map((f) => JSON.parse(f.slice(6)) as { choices: Record<string, unknown>[] }),
  );

describe('OpenAI stream shapes (golden)', () => {
  it('--stream-interval 3: the first token alone, then 3 per chunk, the rest last; steps and tokens per event', () => {
    const b = chatStreamBody(meta, plan(['a', 'b', 'c', 'd', 'e', 'f']), shape({ interval: 3 }));
    const deltas = events(b).map((e) => (e[0]!.choices[0]!['delta'] as { content: string }).content);
    assert.deepEqual(deltas, ['a', 'bcd', 'ef']);
    assert.deepEqual(
      [0, 1, 2].map((j) => b.stepsIn!(j)),
      [1, 3, 2],
    );
    assert.deepEqual(
      [0, 1, 2].map((j) => b.tokensIn!(j)),
      [1, 3, 2],
    );
    assert.equal(events(b)[2]![0]!.choices[0]!['finish_reason'], 'length');
  });

  it('n = 2: one chunk per running choice per event, each finishing on its own', () => {
    const two = plan(['x', 'y', 'z'], { others: [plan(['p'], { finishReason: 'stop' })] });
    const e = events(chatStreamBody(meta, two, shape()));
    assert.deepEqual(
      e.map((chunks) => chunks.map((c) => [c.choices[0]!['index'], c.choices[0]!['finish_reason']])),
      [
        [
          [0, null],
          [1, 'stop'],
        ],
        [[0, null]],
        [[0, 'length']],
      ],
    );
    const completions = events(completionStreamBody(meta, two, shape()));
    assert.deepEqual(
      completions.map((chunks) => chunks.map((c) => c.choices[0]!['text'])),
      [['x', 'p'], ['y'], ['z']],
    );
  });

  it('a tool call: the first chunk has index, id, type and name; later chunks only argument text', () => {
    const call = plan(['{"a":', '1}'], { finishReason: 'tool_calls', toolCall: { id: 'chatcmpl-tool-1', name: 'f' } });
    const e = events(chatStreamBody(meta, call, shape()));
    assert.deepEqual(e[0]![0]!.choices[0]!['delta'], {
      role: 'assistant',
      tool_calls: [{ index: 0, id: 'chatcmpl-tool-1', type: 'function', function: { name: 'f', arguments: '{"a":' } }],
    });
    assert.deepEqual(e[1]![0]!.choices[0]!['delta'], { tool_calls: [{ index: 0, function: { arguments: '1}' } }] });
    assert.equal(e[1]![0]!.choices[0]!['finish_reason'], 'tool_calls');
  });

  it('logprobs: each chunk carries its token entries (chat) or legacy arrays (completions)', () => {
    const p = plan(['Hi', ' there']);
    const chat = events(chatStreamBody(meta, p, shape({ logprobs: 2 })));
    const entry = (chat[1]![0]!.choices[0]!['logprobs'] as { content: { token: string; top_logprobs: unknown[] }[] })
      .content[0]!;
    assert.equal(entry.token, ' there');
    assert.equal(entry.top_logprobs.length, 2);
    const text = events(completionStreamBody(meta, p, shape({ logprobs: 1 }), 'Q: '));
    assert.deepEqual(
      text.map((e) => (e[0]!.choices[0]!['logprobs'] as { text_offset: number[] }).text_offset),
      [[3], [5]],
    );
  });
});
