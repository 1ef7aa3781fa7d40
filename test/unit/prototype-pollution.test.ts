import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express from 'express';
import { parseImageRequest } from '../../src/api/images/images.js';
import { APIS } from '../../src/api/registry.js';
import { parseVideoRequest } from '../../src/api/videos/videos.js';

const BODIES = [
  '{"__proto__": {"polluted": true}, "model": "m", "messages": [], "prompt": "x"}',
  '{"constructor": {"prototype": {"polluted": true}}, "model": "m", "messages": []}',
  '{"model": "m", "messages": [{"role": "user", "content": "x", "__proto__": {"polluted": true}}]}',
  '{"model": "m", "stream_options": {"__proto__": {"polluted": true}}, "prompt": "x"}',
];

describe('prototype pollution', () => {
  it('JSON bodies with __proto__ / constructor keys, through the body parser and every API parser, leave Object.prototype alone', async () => {
    // The body parser and the API parsers run in this process, as they do in a worker: pollution would show here.
    const app = express();
    app.post('/:i', express.json({ type: () => true, strict: false }), (req, res) => {
      const entry = APIS[Number(req.params['i'])]!;
      const parsers: ((body: unknown) => unknown)[] =
        entry.kind === 'routes' ? [parseImageRequest, parseVideoRequest] : [(b) => entry.api.parse(b, req.headers)];
      for (const parse of parsers) {
        try {
          parse(req.body);
        } catch {
          // a 400 in the server; only the side effect matters here
        }
      }
      res.json({ kind: entry.kind });
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (let i = 0; i < APIS.length; i++) {
        for (const body of BODIES) {
          const r = await fetch(`http://127.0.0.1:${port}/${i}`, { method: 'POST', body });
          assert.equal(r.status, 200);
          await r.arrayBuffer();
        }
      }
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
      assert.deepEqual(
        Object.getOwnPropertyNames(Object.prototype).filter((k) => k === 'polluted'),
        [],
      );
    } finally {
      server.close();
    }
  });
});
