import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startServer } from '../support/server.js';
import { warmedUp } from '../support/warm-up.js';

// After the warm-up, a client's first burst must not throw away the request path's compiled code
// (docs/decisions/0018). V8's own log says when it does: a `code-deopt` line per deoptimisation, with
// the source position and the reason (V8 `src/logging/log.cc`, `V8FileLogger::CodeDeoptEvent`).

/** `n` streaming chats written in one turn on new connections, with a header order the warm-up never sends. */
async function burst(url: string, n: number): Promise<void> {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({
    model: 'm',
    messages: [{ role: 'user', content: 'A short question.' }],
    max_tokens: 2,
    stream: true,
  });
  const request =
    `POST /v1/chat/completions HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nUser-Agent: shapes-test\r\nConnection: close\r\n\r\n${body}`;
  const sockets = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof connect>>((resolve, reject) => {
          const s = connect({ host: hostname, port: Number(port) }, () => resolve(s));
          s.on('error', reject);
        }),
    ),
  );
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.on('data', () => undefined);
          s.on('close', () => resolve());
          s.write(request);
        }),
    ),
  );
}

describe('the warm-up and a client burst', () => {
  it('a first burst after the warm-up does not deoptimise the request path, the stream loop or the scheduler', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warm-up-shapes-'));
    const log = join(dir, 'v8.log');
    const t0 = performance.now();
    const server = await startServer(['--warm-up-requests', '2000', '--ttft', '20', '--itl', '5'], {}, 15_000, [
      '--log-deopt',
      `--logfile=${log}`,
      '--no-logfile-per-isolate',
    ]);
    let from = 0;
    try {
      await warmedUp(server.url);
      await new Promise((r) => setTimeout(r, 300));
      // V8's log counts from its isolate's start, a little after the spawn: what came before the quiet
      // 300 ms above is the warm-up's.
      from = performance.now() - t0 - 200;
      await burst(server.url, 100);
    } finally {
      await server.stop();
    }
    const deopts = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('code-deopt,') && Number(l.split(',')[1]) / 1000 > from)
      .map((l) => l.split(',').slice(6).join(','));
    rmSync(dir, { recursive: true, force: true });
    // What is left is listed in decision 0018: calls to another instance's closure (body-parser's
    // per-app parser, the context's fault draw, the arrival queue's app), each thrown away once, and
    // node's stream internals, which a burst's timing decides. Checked: the sites that read a request's
    // headers, and our request path, stream loop and scheduler.
    const site = (d: string): string => d.split(' inlined at ')[0]!;
    const watched =
      /src\/server\/(app|intake|prefix|stream-loop|arrivals|admission|inference)\.js|src\/timing\/|node:_http_server|body-parser|type-is/;
    // And the metric pages call one function per kind of series whatever the page instance (the
    // warm-up's throwaway pages are other instances): no call there meets another target.
    const shapes = deopts.filter(
      (d) =>
        (watched.test(site(d)) && !d.endsWith('wrong call target')) ||
        (/src\/telemetry\//.test(site(d)) && d.endsWith('wrong call target')),
    );
    assert.deepEqual(shapes, [], `deoptimisations in the first burst:\n${deopts.join('\n')}`);
  });
});
