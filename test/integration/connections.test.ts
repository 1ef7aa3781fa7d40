import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../support/server.js';

interface RawExchange {
  /** Everything read until EOF (or until `settleMs` after the response looked complete). */
  text: string;
  /** Whether the server closed the connection. */
  closed: boolean;
  /** ms from the end of the response to the server's FIN (NaN if it stayed open). */
  closeAfterMs: number;
}

/**
 * Writes one raw HTTP request and reads until the server closes the socket or, when it keeps it open,
 * until `settleMs` pass with no data after a complete-looking response. Raw sockets: no client library
 * decides about the connection for us.
 */
function exchange(url: string, head: string, body = '', settleMs = 400): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(port), hostname);
    let text = '';
    let lastData = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const done = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed, closeAfterMs: closed ? performance.now() - lastData : NaN });
    };
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      text += d;
      lastData = performance.now();
      clearTimeout(timer);
      timer = setTimeout(() => done(false), settleMs);
    });
    socket.on('end', () => done(true));
    socket.on('error', reject);
    socket.write(`${head}\r\nHost: ${hostname}:${port}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

const header = (text: string, name: string): string | undefined =>
  new RegExp(`^${name}: *(.*)\\r$`, 'im').exec(text.slice(0, text.indexOf('\r\n\r\n') + 2))?.[1];

const CHAT = (stream: boolean): string =>
  JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5, ignore_eos: true, stream });

describe('HTTP connection semantics on every kind of route', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer(['--ttft', '2', '--itl', '2']);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  const routes: [string, string, string][] = [
    ['streaming chat', 'POST /v1/chat/completions', CHAT(true)],
    ['non-streaming chat', 'POST /v1/chat/completions', CHAT(false)],
    ['embeddings', 'POST /v1/embeddings', JSON.stringify({ model: 'm', input: ['x'] })],
    ['health', 'GET /health', ''],
    ['metrics page', 'GET /vllm/metrics', ''],
    ['an error (400)', 'POST /v1/chat/completions', '{}'],
    ['an unknown route (404)', 'GET /nowhere', ''],
  ];

  for (const [what, line, body] of routes) {
    it(`${what}: Connection: close is honoured (the header says close, the server closes after the response)`, async () => {
      const r = await exchange(
        server.url,
        `${line} HTTP/1.1\r\nContent-Type: application/json\r\nConnection: close`,
        body,
      );
      assert.equal(header(r.text, 'connection')?.toLowerCase(), 'close', r.text.slice(0, 300));
      assert.ok(r.closed, `${what}: the socket stayed open`);
      assert.ok(r.closeAfterMs < 100, `${what}: closed ${r.closeAfterMs.toFixed(0)} ms after the response`);
    });
  }

  it('HTTP/1.0: a stream arrives whole without chunked encoding and the server closes the connection', async () => {
    const r = await exchange(
      server.url,
      'POST /v1/chat/completions HTTP/1.0\r\nContent-Type: application/json',
      CHAT(true),
    );
    assert.match(r.text, /^HTTP\/1\.1 200/);
    assert.equal(header(r.text, 'transfer-encoding'), undefined);
    assert.ok(r.text.endsWith('data: [DONE]\n\n'), r.text.slice(-80));
    assert.equal((r.text.match(/"content":"/g) ?? []).length, 5);
    assert.ok(r.closed);
  });

  it('HTTP/1.1 without Connection: close keeps the socket for the next request (streaming and not)', async () => {
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    socket.setEncoding('latin1');
    let text = '';
    let ended = false;
    socket.on('data', (d: string) => (text += d));
    socket.on('end', () => (ended = true));
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const send = (body: string): void => {
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
    };
    send(CHAT(true));
    const deadline = Date.now() + 3000;
    while (!text.includes('data: [DONE]') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(header(text, 'connection')?.toLowerCase(), 'keep-alive');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(ended, false, 'the server closed a keep-alive connection');
    send(CHAT(false));
    while (!text.includes('"object":"chat.completion"') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    assert.ok(text.includes('"object":"chat.completion"'), 'the second request on the same socket was answered');
    socket.destroy();
  });
});
