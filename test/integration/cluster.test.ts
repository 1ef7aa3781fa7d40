import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SEMI_SPACE_FLAG } from '../../src/server/heap.js';
import { callFresh as call, startServer, type TestServer, until } from '../support/server.js';

interface Snapshot {
  tokensTotal: number;
  tokensByWorker: Record<string, number>;
  throughputTokensPerSec: number;
  peakTokensPerSec: number;
  workerRestarts: number;
  spareReady: boolean;
}
interface Health {
  pid: number;
  worker: string;
  telemetry: Snapshot;
}

const health = async (url: string, timeoutMs?: number): Promise<Health> =>
  (await call(`${url}/health`, 'GET', undefined, timeoutMs)).json as unknown as Health;

interface StreamResult {
  started: number;
  ended: number;
  ok: boolean;
  /** The pid of the worker that served the stream's connection; null when no worker answered on it. */
  pid: number | null;
}

/** One request on an agent's socket; resolves with the status and body, or rejects. */
function onAgent(
  url: string,
  agent: Agent,
  method: string,
  body?: string,
): Promise<{ status: number; text: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent, timeout: 5000, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, reused: req.reusedSocket }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in 5000 ms')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A whole streaming chat on its own connection, after a /health on the same connection: a connection
 * belongs to one worker, so the health answer names the worker that serves the stream.
 */
async function streamOnce(url: string): Promise<StreamResult> {
  const started = performance.now();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let pid: number | null = null;
  try {
    pid = (JSON.parse((await onAgent(`${url}/health`, agent, 'GET')).text) as Health).pid;
    const body = JSON.stringify({
      model: 'm',
      messages: [{ role: 'user', content: 'load' }],
      max_tokens: 20,
      stream: true,
    });
    const res = await onAgent(`${url}/v1/chat/completions`, agent, 'POST', body);
    if (!res.reused) pid = null; // not the connection the health answer came on
    return { started, ended: performance.now(), pid, ok: res.status === 200 && res.text.endsWith('data: [DONE]\n\n') };
  } catch {
    return { started, ended: performance.now(), pid, ok: false };
  } finally {
    agent.destroy();
  }
}

describe('a worker killed with SIGKILL under streaming load', () => {
  it('is replaced within a second; only its own streams fail; counters stay monotonic', async () => {
    const server = await startServer(['--workers', '2', '--ttft', '10', '--itl', '5']);
    try {
      const pids = new Set<number>();
      const bootDeadline = performance.now() + 10_000;
      for (let spare = false; pids.size < 2 || !spare;) {
        assert.ok(performance.now() < bootDeadline, `workers ${[...pids]} and spare ${spare} not all up in 10 s`);
        const h = await health(server.url);
        pids.add(h.pid);
        spare = h.telemetry.spareReady;
        await new Promise((r) => setTimeout(r, 20));
      }
      let stop = false;
      const results: StreamResult[] = [];
      // Bounded in time whatever happens, and a failed stream waits a little before the next one.
      const hardStop = performance.now() + 15_000;
      const loops = Array.from({ length: 16 }, async () => {
        while (!stop && performance.now() < hardStop) {
          const r = await streamOnce(server.url);
          results.push(r);
          if (!r.ok) await new Promise((done) => setTimeout(done, 20));
        }
      });
      const totals: number[] = [];
      const scrape = (async () => {
        while (!stop) {
          const text = await (
            await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(500) }).catch(() => null)
          )
            ?.text()
            .catch(() => null);
          const m = text?.match(/^aiperf_mock_completion_tokens_total\{[^}]*\} (\d+)/m);
          if (m) totals.push(Number(m[1]));
          await new Promise((r) => setTimeout(r, 25));
        }
      })();
      await new Promise((r) => setTimeout(r, 500));
      const victim = [...pids][0]!;
      const killedAt = performance.now();
      process.kill(victim, 'SIGKILL');
      // Replaced = a /health answer from a worker pid we have not seen before.
      let replacedAt = Infinity;
      while (performance.now() - killedAt < 5000) {
        const h = await health(server.url, 250).catch(() => null);
        if (h && !pids.has(h.pid)) {
          replacedAt = performance.now();
          assert.equal(h.telemetry.workerRestarts, 1);
          assert.equal(h.telemetry.spareReady, false, 'the spare took the place; a new one is booting');
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, 1000));
      stop = true;
      await Promise.all([...loops, scrape]);
      const replaceMs = replacedAt - killedAt;
      assert.ok(replaceMs < 1000, `replacement answered after ${replaceMs.toFixed(0)} ms`);
      // Each stream knows its worker: none of the surviving worker's streams may fail, and neither may
      // any on the replacement. The killed worker's open streams fail (each loop had at most one open).
      // A connection whose worker is not known (its /health failed) must have started before the
      // replacement answered.
      const failed = results.filter((r) => !r.ok);
      const survivor = failed.filter((r) => r.pid !== null && r.pid !== victim);
      assert.deepEqual(survivor, [], `${survivor.length} streams of a surviving worker failed`);
      assert.ok(
        results.some((r) => r.ok && r.pid !== null && r.pid !== victim && r.started < killedAt),
        'the surviving worker served streams before the kill',
      );
      const unknown = failed.filter((r) => r.pid === null);
      assert.ok(unknown.length <= 16, `${unknown.length} streams on connections no worker answered`);
      const late = failed.filter((r) => r.started >= replacedAt);
      assert.deepEqual(late, [], 'a stream started after the replacement failed');
      const afterKill = results.filter((r) => r.started > killedAt && r.ok).length;
      assert.ok(afterKill > 50, `${afterKill} streams completed after the kill`);
      for (let i = 1; i < totals.length; i++) assert.ok(totals[i]! >= totals[i - 1]!, `counter went back: ${totals}`);
      assert.ok(totals.length >= 10, `${totals.length} scrapes`);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});

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
    // Until the other worker's telemetry batch is in.
    const h = await until(
      () => health(server.url),
      (x) => x.telemetry.tokensTotal === 40 * perAnswer,
    );
    const workers = Object.entries(h.telemetry.tokensByWorker);
    assert.equal(workers.length, 2, JSON.stringify(h.telemetry));
    assert.ok(
      workers.every(([, n]) => n > 0),
      'both workers served tokens',
    );
    assert.equal(h.telemetry.tokensTotal, 40 * perAnswer);
    assert.ok(h.telemetry.peakTokensPerSec >= h.telemetry.throughputTokensPerSec);
    assert.ok(h.telemetry.throughputTokensPerSec > 0);
    // Whichever worker answers /health, it reports the same global totals. Each fresh connection goes to
    // whichever worker accepts it first (decision 0017): ask until both have answered.
    const seen = new Map<string, number>();
    for (let i = 0; i < 50 && (i < 10 || seen.size < 2); i++) {
      const x = await health(server.url);
      seen.set(x.worker, x.telemetry.tokensTotal);
    }
    assert.equal(seen.size, 2);
    assert.deepEqual(new Set(seen.values()), new Set([40 * perAnswer]));
  });

  it('lets each worker accept its own connections on the listening socket (no hand-off through the primary)', async () => {
    // The listening socket's inode, from the kernel's table (state 0A = LISTEN, local port in hex).
    const port = Number(new URL(server.url).port);
    const inodes = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
      readFileSync(table, 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        .filter((f) => f[3] === '0A' && parseInt(f[1]!.split(':').pop()!, 16) === port)
        .map((f) => f[9]!),
    );
    assert.ok(inodes.length > 0, `no listening socket on port ${port}`);
    const pids = new Set<number>();
    for (let i = 0; i < 50 && pids.size < 2; i++) pids.add((await health(server.url)).pid);
    assert.equal(pids.size, 2, 'both workers answered');
    // With Node's default round-robin only the primary holds it and hands each connection over IPC to a
    // worker, one at a time per worker and each after the last was acknowledged (decision 0017).
    for (const pid of pids) {
      const sockets = readdirSync(`/proc/${pid}/fd`).map((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return '';
        }
      });
      assert.ok(
        inodes.some((inode) => sockets.includes(`socket:[${inode}]`)),
        `worker ${pid} does not hold the listening socket`,
      );
    }
  });

  it('starts its workers with a 4 MB young generation though the primary was started without one', async () => {
    const h = await health(server.url);
    const argv = readFileSync(`/proc/${h.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(argv.includes(SEMI_SPACE_FLAG), argv.join(' '));
    assert.ok(!server.proc.spawnargs.includes(SEMI_SPACE_FLAG));
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
