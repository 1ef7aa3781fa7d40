import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { postJson } from '../support/server.js';
import { serverWithOpenAI } from '../support/openai-server.js';

describe('OpenAI Responses with the openai client', () => {
  const ctx = serverWithOpenAI(['--ttft', '2', '--itl', '1']);

  it('non-streaming: output_text, usage in Responses keys, max_output_tokens honoured', async () => {
    const r = await ctx.client.responses.create({
      model: 'gpt-4.1',
      input: 'Tell me about lighthouses.',
      instructions: 'Be short.',
      max_output_tokens: 20,
    });
    assert.equal(r.object, 'response');
    assert.match(r.id, /^resp_/);
    assert.ok(r.output_text.length > 0);
    assert.ok(r.usage && r.usage.output_tokens <= 20 && r.usage.input_tokens > 0);
    assert.equal(r.usage.total_tokens, r.usage.input_tokens + r.usage.output_tokens);
    assert.ok(['completed', 'incomplete'].includes(r.status!));
  });

  it('streaming: created … output_text.delta … completed, deltas add up to the final text', async () => {
    const stream = await ctx.client.responses.create({
      model: 'gpt-4.1',
      input: [{ role: 'user', content: 'Describe the tide.' }],
      max_output_tokens: 15,
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    let final: OpenAI.Responses.Response | undefined;
    for await (const e of stream) {
      types.push(e.type);
      if (e.type === 'response.output_text.delta') text += e.delta;
      if (e.type === 'response.completed') final = e.response;
    }
    assert.equal(types[0], 'response.created');
    assert.equal(types.at(-1), 'response.completed');
    assert.ok(types.includes('response.output_item.added') && types.includes('response.content_part.added'));
    assert.equal(
      final?.output_text ?? (final?.output.at(-1) as { content: { text: string }[] }).content[0]!.text,
      text,
    );
    assert.equal(types.filter((t) => t === 'response.output_text.delta').length, final!.usage!.output_tokens);
  });

  it('reasoning models think first; the stream helper assembles the final response', async () => {
    const r = await ctx.client.responses.create({
      model: 'openai/gpt-oss-20b',
      input: 'Why is the sky blue?',
      reasoning: { effort: 'low' },
      max_output_tokens: 150,
    });
    assert.equal(r.usage?.output_tokens_details.reasoning_tokens, 100);
    assert.equal(r.output[0]!.type, 'reasoning');
    const helper = ctx.client.responses.stream({ model: 'qwen3', input: 'Why?', max_output_tokens: 300 });
    const final = await helper.finalResponse();
    assert.equal(final.output.at(-1)!.type, 'message');
    assert.ok(final.output_text.length > 0);
  });

  it('bad input is a 400 in the OpenAI shape', async () => {
    const res = await postJson(`${ctx.server.url}/v1/responses`, { model: 'm' });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /input/);
  });
});
