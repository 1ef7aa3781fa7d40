/**
 * Baseline for the timing scenario: a bare node:http server that paces the same streams the idiomatic
 * way, one setTimeout per event at absolute deadlines (arrival + TTFT + i × ITL; an overdue event goes
 * at once instead of waiting for a 1 ms timer), writing one prebuilt chat chunk per event with
 * res.write. No scheduler, no ticker thread, no formatting, no telemetry: the timing that the runtime
 * and this machine give a Node server that does nothing else. Env: BENCH_TTFT, BENCH_ITL (ms).
 */
import { createServer, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

const ttft = Number(process.env['BENCH_TTFT'] ?? '20');
const itl = Number(process.env['BENCH_ITL'] ?? '5');
const EVENT = `data: ${JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'bench',
  choices: [{ index: 0, delta: { content: ' harbor' }, logprobs: null, finish_reason: null }],
})}\n\n`;

/** Writes `n` events, event i due at arrival + ttft + i × itl; the last one ends the response. */
function pace(res: ServerResponse, arrival: number, n: number): void {
  let i = 0;
  const step = (): void => {
    for (;;) {
      if (res.destroyed) return;
      if (i === n - 1) {
        res.end(`${EVENT}data: [DONE]\n\n`);
        return;
      }
      res.write(EVENT);
      i++;
      const wait = arrival + ttft + i * itl - performance.now();
      if (wait > 0) {
        setTimeout(step, wait);
        return;
      }
    }
  };
  setTimeout(step, Math.max(0, arrival + ttft - performance.now()));
}

const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
  const arrival = performance.now();
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const n = Number(/"max_tokens":(\d+)/.exec(Buffer.concat(chunks).toString())?.[1] ?? '16');
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    pace(res, arrival, n);
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(
    JSON.stringify({ message: 'listening', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
  );
});
