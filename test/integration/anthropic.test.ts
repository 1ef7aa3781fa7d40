import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { after, before, describe, it } from 'node:test';
import { postJson, startServer, type TestServer } from '../support/server.js';

describe('Anthropic Messages with @anthropic-ai/sdk', () => {
  let server: TestServer;
  let client: Anthropic;
  before(async () => {
    server = await startServer(['--ttft', '2', '--itl', '1']);
    client = new Anthropic({ baseURL: server.url, apiKey: 'x', maxRetries: 0 });
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });
  const messages = [{ role: 'user' as const, content: 'Describe the harbor at night.' }];

  it('non-streaming message', async () => {
    const m = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 30, messages });
    assert.equal(m.type, 'message');
    assert.equal(m.role, 'assistant');
    assert.match(m.id, /^msg_/);
    assert.equal(m.content[0]!.type, 'text');
    assert.ok(['end_turn', 'max_tokens'].includes(m.stop_reason!));
    assert.ok(m.usage.input_tokens > 0 && m.usage.output_tokens > 0 && m.usage.output_tokens <= 30);
  });

  it('streaming message: the SDK assembles the same kind of message from the event sequence', async () => {
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-5',
      max_tokens: 12,
      messages,
      system: 'Be brief.',
    });
    const types: string[] = [];
    let text = '';
    stream.on('streamEvent', (e) => types.push(e.type));
    stream.on('text', (t) => (text += t));
    const final = await stream.finalMessage();
    assert.equal(types[0], 'message_start');
    assert.equal(types.at(-1), 'message_stop');
    assert.ok(types.includes('content_block_delta') && types.includes('message_delta'));
    assert.equal((final.content[0] as { text: string }).text, text);
    assert.equal(final.usage.output_tokens, types.filter((t) => t === 'content_block_delta').length);
  });

  it('thinking budget and tools', async () => {
    const m = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 40,
      thinking: { type: 'enabled', budget_tokens: 10 },
      tools: [{ name: 'get_weather', description: 'weather', input_schema: { type: 'object', properties: {} } }],
      messages,
    });
    assert.deepEqual(
      m.content.map((b) => b.type),
      ['thinking', 'text', 'tool_use'],
    );
    assert.equal(m.stop_reason, 'tool_use');
    assert.equal((m.content[2] as { name: string }).name, 'get_weather');
    const stream = client.messages.stream({
      model: 'm',
      max_tokens: 20,
      thinking: { type: 'enabled', budget_tokens: 5 },
      messages,
    });
    let thinking = '';
    stream.on('thinking', (t) => (thinking += t));
    const final = await stream.finalMessage();
    assert.equal(final.content[0]!.type, 'thinking');
    assert.equal((final.content[0] as { thinking: string }).thinking, thinking);
    assert.ok(thinking.length > 0);
  });

  it('errors in the Anthropic shape: missing anthropic-version, missing max_tokens', async () => {
    const noVersion = await postJson(`${server.url}/v1/messages`, { model: 'm', max_tokens: 5, messages });
    assert.equal(noVersion.status, 400);
    const body = (await noVersion.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /anthropic-version/);
    await assert.rejects(
      client.messages.create({ model: 'm', messages } as unknown as Anthropic.MessageCreateParamsNonStreaming),
      (e: unknown) => e instanceof Anthropic.BadRequestError && /max_tokens/.test(String((e as Error).message)),
    );
  });
});
