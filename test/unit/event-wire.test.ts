import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packEvent, unpackEvent, type WireEvent } from '../../src/cluster/event-wire.js';
import { type RequestEnded, type RequestEvent, type RequestStarted } from '../../src/telemetry/events.js';
import { binGaps, ITL_BOUNDS } from '../../src/telemetry/itl-bins.js';

/** What the primary receives: packed, through JSON (cluster IPC's serialization), unpacked. */
const overThePipe = (e: RequestEvent): RequestEvent | null =>
  unpackEvent(JSON.parse(JSON.stringify(packEvent(e))) as WireEvent);

const start: RequestStarted = {
  kind: 'start',
  endpoint: '/v1/chat/completions',
  generation: true,
  model: 'm',
  stream: true,
  promptTokens: 12,
  plannedTokens: 64,
};

const end: RequestEnded = {
  kind: 'end',
  admitted: true,
  endpoint: '/v1/chat/completions',
  generation: true,
  model: 'm',
  stream: true,
  status: 200,
  outcome: 'ok',
  errorType: null,
  promptTokens: 12,
  completionTokens: 5,
  reasoningTokens: 2,
  cachedTokens: 0,
  plannedTokens: 64,
  maxTokens: null,
  finishReason: 'length',
  queueMs: 0.25,
  ttftMs: 20.5,
  lastTokenMs: 40.75,
  e2eMs: 41,
  itl: binGaps([20.5, 25.5, 30.5, 35.75, 40.75]),
};

describe('telemetry events over the cluster pipe (event-wire)', () => {
  it('arrive as they were sent: start, end, control call', () => {
    assert.deepEqual(overThePipe(start), start);
    assert.deepEqual(overThePipe({ kind: 'control', call: 'reset_prefix_cache' }), {
      kind: 'control',
      call: 'reset_prefix_cache',
    });
    assert.deepEqual(overThePipe(end), { ...end, accuracy: undefined });
    const failed: RequestEnded = {
      ...end,
      admitted: false,
      status: 400,
      outcome: 'error',
      errorType: 'validation',
      completionTokens: 0,
      maxTokens: 7,
      finishReason: null,
      ttftMs: null,
      lastTokenMs: null,
      itl: null,
      accuracy: 'wrong',
    };
    assert.deepEqual(overThePipe(failed), failed);
  });

  it('carries only the non-empty ITL buckets, and every time exactly as measured', () => {
    const e: RequestEnded = { ...end, e2eMs: 41.123456789, ttftMs: 20.0004999, itl: binGaps([0, 5, 10, 10.0015]) };
    const wire = packEvent(e) as readonly unknown[];
    const itl = wire[20] as number[];
    // n, sum, then (bucket, count) pairs: two buckets used (5 ms twice, 1.5 µs once).
    assert.equal(itl.length, 2 + 2 * 2);
    const back = overThePipe(e) as RequestEnded;
    assert.deepEqual(back.itl!.buckets, e.itl!.buckets);
    assert.equal(back.itl!.n, 3);
    // Not rounded: a time just past a bucket bound stays past it, as in a single-process server.
    assert.equal(back.e2eMs, 41.123456789);
    assert.equal(back.ttftMs, 20.0004999);
    assert.ok(JSON.stringify(wire).length < JSON.stringify(e).length / 2, 'under half the bytes');
  });

  it('counts an ITL bucket this build does not have above every bound', () => {
    const wire = [...(packEvent(end) as readonly unknown[])];
    wire[20] = [3, 30, 999, 1, -1, 1, 2.5, 1];
    const back = unpackEvent(wire as unknown as WireEvent) as RequestEnded;
    const top = ITL_BOUNDS.length;
    assert.deepEqual(back.itl, { n: 3, sumMs: 30, buckets: [top, 1, top, 1, top, 1] });
  });

  it('drops a control call this build does not know instead of folding it', () => {
    assert.equal(unpackEvent([2, 'no_such_call' as 'flush_cache']), null);
  });
});
