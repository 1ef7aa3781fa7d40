/** Baseline: the same prebuilt answers from a trivial express 5 app (express.json() + res.send): the framework's ceiling. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import express from 'express';

const body = readFileSync(process.env['BENCH_BODY_FILE'] ?? '', 'utf8');
const events = readFileSync(process.env['BENCH_STREAM_FILE'] ?? '', 'utf8')
  .split(/(?<=\n\n)/)
  .filter(Boolean);

const app = express();
app.post('/v1/chat/completions', express.json(), (req, res) => {
  if ((req.body as { stream?: boolean }).stream) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
    for (const e of events) res.write(e);
    res.end();
    return;
  }
  res.type('json').send(body);
});
const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, app);
server.listen(0, '127.0.0.1', () => {
  console.log(
    JSON.stringify({ message: 'listening', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
  );
});
