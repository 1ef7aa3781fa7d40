import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../support/server.js';

interface Snapshot {
  tokensTotal: number;
  tokensByWorker: Record<string, number>;
  throughputTokensPerSec: number;
  peakTokensPerSec: number;
  workerRestarts: number;
}
interface Health {
  pid: number;
  worker: string;
  telemetry: Snapshot;
}

/** One request on a fresh connection, so the cluster spreads them over its workers. */
function call(url: string, method: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}`, { method, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const health = async (url: string): Promise<Health> => (await call(`${url}/health`, 'GET')).json as unknown as Health;

describe('cluster with --workers 2', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer(['--workers', '2', '--fast']);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it('gives identical answers on every worker and counts both workers tokens globally', async () => {
    const body = {
      model: 'gpt-4',
      messages: [{ role: 'user', content: 'The same question, asked of two workers.' }],
      max_tokens: 50,
    };
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => call(`${server.url}/v1/chat/completions`, 'POST', body)),
    );
    const contents = new Set(
      answers.map((a) => JSON.stringify([(a.json['choices'] as { message: unknown }[])[0]!.message, a.json['usage']])),
    );
    assert.equal(contents.size, 1, 'every worker gives the same content and usage');
    const perAnswer = (answers[0]!.json['usage'] as { completion_tokens: number }).completion_tokens;
    await new Promise((r) => setTimeout(r, 100)); // the other worker's telemetry batch (every 5 ms)
    const h = await health(server.url);
    const workers = Object.entries(h.telemetry.tokensByWorker);
    assert.equal(workers.length, 2, JSON.stringify(h.telemetry));
    assert.ok(
      workers.every(([, n]) => n > 0),
      'both workers served tokens',
    );
    assert.equal(h.telemetry.tokensTotal, 40 * perAnswer);
    assert.ok(h.telemetry.peakTokensPerSec >= h.telemetry.throughputTokensPerSec);
    assert.ok(h.telemetry.throughputTokensPerSec > 0);
    // Whichever worker answers /health, it reports the same global totals.
    const seen = new Map<string, number>();
    for (let i = 0; i < 10; i++) {
      const x = await health(server.url);
      seen.set(x.worker, x.telemetry.tokensTotal);
    }
    assert.equal(seen.size, 2);
    assert.deepEqual(new Set(seen.values()), new Set([40 * perAnswer]));
  });

  it('replaces a worker killed with SIGKILL and keeps its counts', async () => {
    const h = await health(server.url);
    const tokensBefore = h.telemetry.tokensTotal;
    process.kill(h.pid, 'SIGKILL');
    const deadline = Date.now() + 5000;
    let after: Health | undefined;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        after = await health(server.url);
        if (after.telemetry.workerRestarts === 1) break;
      } catch {
        // a connection routed to the dying worker
      }
    }
    assert.equal(after?.telemetry.workerRestarts, 1);
    assert.ok(after!.telemetry.tokensTotal >= tokensBefore, 'counters never go backwards');
    const r = await call(`${server.url}/v1/completions`, 'POST', { model: 'm', prompt: 'still alive', max_tokens: 3 });
    assert.equal(r.status, 200);
  });
});
