import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decode } from '@msgpack/msgpack';
import OpenAI from 'openai';
import { Subscriber } from 'zeromq';
import { SEMI_SPACE_FLAG } from '../../src/server/heap.js';
import { DOCKER, health, hostPort, run, waitFor } from './tools.js';

const IMAGE = 'aiperf-mock-server:test';
const NAME = 'amock-image-test';

describe('Docker image (classic builder, real engine)', () => {
  before(async () => {
    await run(DOCKER, ['rm', '-f', NAME]).catch(() => undefined);
    // The unmodified Dockerfile, with BuildKit off: the classic builder must take it.
    await run(DOCKER, ['build', '-t', IMAGE, '.'], { env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 900_000 });
  });
  after(async () => {
    await run(DOCKER, ['rm', '-f', NAME]).catch(() => undefined);
  });

  it('carries OCI labels, runs as the non-root node user, exposes its ports', async () => {
    const cfg = JSON.parse((await run(DOCKER, ['image', 'inspect', '-f', '{{json .Config}}', IMAGE])).stdout) as {
      User: string;
      Env: string[];
      Labels: Record<string, string>;
      ExposedPorts: Record<string, unknown>;
      Healthcheck?: { Test: string[] };
    };
    assert.equal(cfg.User, 'node');
    for (const l of ['source', 'version', 'licenses']) assert.ok(cfg.Labels[`org.opencontainers.image.${l}`], l);
    assert.equal(cfg.Labels['org.opencontainers.image.licenses'], 'Apache-2.0');
    assert.deepEqual(Object.keys(cfg.ExposedPorts).sort(), ['8000/tcp', '9400/tcp', '9401/tcp']);
    assert.ok(cfg.Healthcheck?.Test.length);
    // The server's young-generation size (docs/memory.md), as an overridable default.
    assert.ok(cfg.Env.includes(`NODE_OPTIONS=${SEMI_SPACE_FLAG}`), cfg.Env.join(' '));
  });

  it('becomes healthy, streams a chat and serves DCGM through published loopback ports, stops fast', async () => {
    await run(DOCKER, [
      'run',
      '-d',
      '--name',
      NAME,
      '-e',
      'MOCK_SERVER_WORKERS=2',
      '-e',
      'MOCK_SERVER_TTFT=5',
      '-e',
      'MOCK_SERVER_ITL=1',
      // The KV events need zeromq's prebuilt addon: it must load in the image.
      '-e',
      'MOCK_SERVER_KV_EVENTS_ENDPOINT=tcp://*:5557',
      '-p',
      '127.0.0.1::5557',
      '-p',
      '127.0.0.1::8000',
      '-p',
      '127.0.0.1::9400',
      '-p',
      '127.0.0.1::9401',
      IMAGE,
    ]);
    await waitFor('healthy', 60_000, async () => ((await health(NAME)) === 'healthy' ? true : null));
    const http = await hostPort(NAME, 8000);
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${http}/v1`, apiKey: 'x', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'Hello from outside the container' }],
      max_tokens: 12,
      ignore_eos: true,
      stream: true,
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    assert.ok(text.length > 0);
    // A subscriber on the published port receives the stored blocks of a long prompt.
    const sub = new Subscriber({ receiveTimeout: 10_000 });
    sub.connect(`tcp://127.0.0.1:${await hostPort(NAME, 5557)}`);
    sub.subscribe();
    await new Promise((r) => setTimeout(r, 500)); // the PUB/SUB handshake
    await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'Blocks for the KV event subscriber. '.repeat(20) }],
      max_tokens: 2,
    });
    const [, , payload] = await sub.receive();
    const batch = decode(payload!) as { events: { type: string }[] };
    assert.equal(batch.events[0]!.type, 'BlockStored');
    sub.close();
    for (const port of [9400, 9401]) {
      const dcgm = await (await fetch(`http://127.0.0.1:${await hostPort(NAME, port)}/metrics`)).text();
      assert.match(dcgm, /^DCGM_FI_DEV_GPU_UTIL\{/m);
    }
    const h = (await (await fetch(`http://127.0.0.1:${http}/health`)).json()) as { config: { host: string } };
    assert.equal(h.config.host, '0.0.0.0', 'binds all interfaces inside the container');
    assert.equal((await run(DOCKER, ['exec', NAME, 'id', '-u'])).stdout.trim(), '1000');
    const t0 = performance.now();
    await run(DOCKER, ['stop', NAME]);
    const stopMs = performance.now() - t0;
    assert.ok(stopMs < 5000, `docker stop took ${stopMs.toFixed(0)} ms (kill timeout is 10 s)`);
    const exit = (await run(DOCKER, ['inspect', '-f', '{{.State.ExitCode}}', NAME])).stdout.trim();
    assert.equal(exit, '0', 'SIGTERM drained and exited 0');
  });
});
