import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getJson, postChatStream, startServer } from '../support/server.js';

interface Health {
  scheduledTasks: number;
  memory: { heapUsed: number; rss: number; arrayBuffers: number };
  telemetry: { streamsOpen: number; requestsInFlight: number; disconnectsTotal: number };
}

/** Opens a stream, reads until `after` events arrived, then destroys the connection. */
function abortAfter(url: string, after: number): Promise<void> {
  return openUntil(url, after).then((close) => close());
}

/** Opens a 100k-token stream; resolves, with a function that drops the connection, once `after` events arrived. */
function openUntil(url: string, after: number): Promise<() => void> {
  return new Promise((resolve) => {
    const req = postChatStream(url, 'storm', 100000, (res) => {
      let seen = 0;
      res.on('data', (d: Buffer) => {
        seen += d.toString().split('data: {').length - 1;
        if (seen >= after) resolve(() => req.destroy());
      });
    });
    req.on('error', () => resolve(() => undefined));
  });
}

describe('disconnect storm', () => {
  it('2,000 streams aborted mid-way leave nothing open or held in memory, and are all counted', async () => {
    // A small old space: a server that kept (or lazily held) per-stream state would die of OOM here.
    // With plans that held every token up front (100k-token answers) it did, at the second storm.
    const heapLimitMb = 80;
    const server = await startServer(['--ttft', '1', '--itl', '2', '--max-model-len', '200000'], {
      NODE_OPTIONS: `--max-old-space-size=${heapLimitMb}`,
    });
    const N = 2000;
    try {
      for (let wave = 0; wave < N / 200; wave++) {
        await Promise.all(Array.from({ length: 200 }, (_, i) => abortAfter(server.url, 1 + (i % 5))));
      }
      const deadline = Date.now() + 5000;
      let h: Health | undefined;
      while (Date.now() < deadline) {
        h = await getJson<Health>(`${server.url}/health`);
        if (h.telemetry.streamsOpen === 0 && h.telemetry.requestsInFlight === 0 && h.telemetry.disconnectsTotal === N)
          break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(h?.telemetry.streamsOpen, 0);
      assert.equal(h?.scheduledTasks, 0, 'no deadline left in the scheduler');
      assert.equal(h?.telemetry.requestsInFlight, 0);
      assert.equal(h?.telemetry.disconnectsTotal, N);
      assert.equal(server.proc.exitCode, null, 'the server survived');
      assert.ok(h!.memory.heapUsed < heapLimitMb * 1024 * 1024, `heap ${h!.memory.heapUsed} bytes`);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /aiperf_mock_client_disconnects_total\{endpoint="\/v1\/chat\/completions"\} 2000/);
      assert.match(metrics, /aiperf_mock_requests_in_progress\{endpoint="\/v1\/chat\/completions"\} 0/);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('an open stream holds memory for the tokens it delivered, not for its max_tokens', async () => {
    const server = await startServer(['--ttft', '1', '--itl', '20', '--max-model-len', '200000']);
    try {
      // 100 streams of max_tokens 100000, a few tokens in and still open: token times sized to
      // max_tokens would be 100 × 800 KB of array buffers; grown as delivered, a few KB each.
      const closers = await Promise.all(Array.from({ length: 100 }, () => openUntil(server.url, 3)));
      const h = await getJson<Health>(`${server.url}/health`);
      for (const close of closers) close();
      assert.equal(h.telemetry.streamsOpen, 100);
      assert.ok(h.memory.arrayBuffers < 16 * 1024 * 1024, `array buffers ${h.memory.arrayBuffers} bytes`);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
