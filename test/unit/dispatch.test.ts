import assert from 'node:assert/strict';
import { type ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { type ApiRequest } from '../../src/server/context.js';
import { Dispatcher, pathOf, runChain, type Step } from '../../src/server/dispatch.js';

const req = {} as ApiRequest;
const res = {} as ServerResponse;

describe('Dispatcher', () => {
  const d = new Dispatcher();
  const post: Step = () => undefined;
  const get: Step = () => undefined;
  d.add('POST', '/v1/chat/completions', 'openai', [post]);
  d.add('GET', '/health', 'openai', [get]);
  d.add('POST', '/v1/messages', 'anthropic', [post]);

  it('matches as express did: exact, case-insensitive, one optional trailing slash, HEAD by GET', () => {
    assert.deepEqual(d.chain('POST', '/v1/chat/completions'), [post]);
    assert.deepEqual(d.chain('POST', '/V1/Chat/Completions/'), [post]);
    assert.deepEqual(d.chain('HEAD', '/health'), [get]);
    assert.equal(d.chain('POST', '/v1/chat/completions//'), undefined);
    assert.equal(d.chain('GET', '/v1/chat/completions'), undefined);
    assert.equal(d.chain('POST', '/v1/chat'), undefined);
  });

  it('knows each path’s methods and error family', () => {
    assert.deepEqual(d.methods('/v1/messages/'), ['POST']);
    assert.equal(d.methods('/nope'), undefined);
    assert.equal(d.family('/v1/messages'), 'anthropic');
    assert.equal(d.family('/nope'), 'openai');
  });
});

describe('pathOf', () => {
  it('takes the path of origin-form and absolute-form targets', () => {
    assert.equal(pathOf('/v1/models?x=1'), '/v1/models');
    assert.equal(pathOf('/'), '/');
    assert.equal(pathOf('http://example.test:8000/health?a'), '/health');
    assert.equal(pathOf('*'), '*');
  });
});

describe('runChain', () => {
  const run = (chain: Step[]): Promise<unknown> =>
    new Promise((resolve) => runChain(chain, req, res, (err) => resolve(err ?? 'done')));

  it('calls steps in order through next and ends with done()', async () => {
    const seen: number[] = [];
    const out = await run([(_q, _s, next) => (seen.push(1), next()), (_q, _s, next) => (seen.push(2), next())]);
    assert.deepEqual(seen, [1, 2]);
    assert.equal(out, 'done');
  });

  it('stops at next(err), a throw, or a rejected promise, and skips the rest', async () => {
    const boom = new Error('boom');
    let reached = false;
    const later: Step = () => {
      reached = true;
    };
    assert.equal(await run([(_q, _s, next) => next(boom), later]), boom);
    assert.equal(
      await run([
        () => {
          throw boom;
        },
        later,
      ]),
      boom,
    );
    assert.equal(await run([() => Promise.reject(boom), later]), boom);
    assert.equal(reached, false);
  });
});
