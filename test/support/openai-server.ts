import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import OpenAI from 'openai';
import { startServer, type TestServer } from './server.js';

/**
 * A real server for one describe block, and the official openai client pointed at it: started before the
 * block's tests, stopped (and checked to exit 0) after them. Read `server` and `client` inside tests.
 */
export function serverWithOpenAI(args: string[]): { readonly server: TestServer; readonly client: OpenAI } {
  let server: TestServer | undefined;
  let client: OpenAI | undefined;
  before(async () => {
    server = await startServer(args);
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 });
  });
  after(async () => {
    assert.equal(await server!.stop(), 0);
  });
  return {
    get server() {
      return server!;
    },
    get client() {
      return client!;
    },
  };
}
