/**
 * Baseline: a bare node:http server answering POSTs with the prebuilt body the mock would send
 * (BENCH_BODY_FILE), or writing the prebuilt SSE events one write each (BENCH_STREAM_FILE) when
 * the request asks to stream. What the runtime can do with no framework and no work: the ceiling.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

const body = Buffer.from(readFileSync(process.env['BENCH_BODY_FILE'] ?? '', 'utf8'));
const events = readFileSync(process.env['BENCH_STREAM_FILE'] ?? '', 'utf8')
  .split(/(?<=\n\n)/)
  .filter(Boolean);

const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (Buffer.concat(chunks).includes('"stream":true')) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
      for (const e of events) res.write(e);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(
    JSON.stringify({ message: 'listening', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
  );
});
