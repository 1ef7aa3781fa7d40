import assert from 'node:assert/strict';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express from 'express';
import { expressServerClasses } from '../../src/server/express-classes.js';

describe('expressServerClasses', () => {
  it("node builds requests and responses on the app's prototypes, so express re-points nothing", async () => {
    const app = express();
    app.get('/p/:id', (req, res) => {
      res.json({ id: req.params['id'], path: req.path });
    });
    const seen: boolean[] = [];
    const server = createServer(expressServerClasses(app), (req, res) => {
      // Before express touches them: already the prototypes app.handle would set.
      seen.push(Object.getPrototypeOf(req) === app.request, Object.getPrototypeOf(res) === app.response);
      seen.push(req instanceof IncomingMessage, res instanceof ServerResponse);
      app(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const r = await fetch(`http://127.0.0.1:${port}/p/42?x=1`);
      assert.deepEqual(await r.json(), { id: '42', path: '/p/42' });
      assert.deepEqual(seen, [true, true, true, true]);
    } finally {
      server.close();
    }
  });
});
