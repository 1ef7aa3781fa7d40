import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode } from '@msgpack/msgpack';
import { blockHashes, maxHitBlocks } from '../../src/cache/block-hash.js';
import { kvEventFrames } from '../../src/cache/kv-events.js';
import { type KvEventListener, PrefixCache } from '../../src/cache/prefix-cache.js';

const ids = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

/** Records the cache's events as a KV-event subscriber would see them. */
function recorder(): KvEventListener & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    stored: (h, parent, t) =>
      log.push(`stored ${h.length} parent=${parent === null ? 'none' : 'set'} ids=${t?.length}`),
    removed: (h) => log.push(`removed ${h.length}`),
    cleared: () => log.push('cleared'),
  };
}

describe('block hashes (vLLM-style chained prefix hashes)', () => {
  it('hashes full blocks only, deterministically, as exact integers', () => {
    const h = blockHashes(ids(50), 16);
    assert.equal(h.length, 3); // 50 tokens: 3 full blocks, the partial one is never hashed
    assert.deepEqual(blockHashes(ids(50), 16), h);
    for (const x of h) assert.ok(Number.isSafeInteger(x) && x >= 0);
    assert.equal(new Set(h).size, 3);
  });

  it('a block hash depends on everything before it: equal blocks at other positions differ', () => {
    const a = blockHashes([...ids(16), ...ids(16)], 16);
    assert.notEqual(a[0], a[1]); // same 16 ids, different parent
    const changed = ids(64);
    changed[3] = 999;
    const b = blockHashes(changed, 16);
    const base = blockHashes(ids(64), 16);
    for (let i = 0; i < 4; i++) assert.notEqual(b[i], base[i]); // one early token changes every later block
    const tail = ids(64);
    tail[60] = 999;
    assert.deepEqual(blockHashes(tail, 16).slice(0, 3), base.slice(0, 3)); // a late change keeps the prefix
  });

  it('at least the last prompt token is recomputed (vLLM): hits are capped at ⌊(P − 1) / B⌋ blocks', () => {
    assert.equal(maxHitBlocks(32, 16), 1);
    assert.equal(maxHitBlocks(33, 16), 2);
    assert.equal(maxHitBlocks(1, 16), 0);
    assert.equal(maxHitBlocks(0, 16), 0);
  });
});

describe('PrefixCache', () => {
  it('only a shared prefix hits', () => {
    const cache = new PrefixCache(16, () => 100);
    const a = blockHashes(ids(80), 16);
    assert.equal(cache.lookup(a, 10), 0);
    cache.store(a, null);
    assert.equal(cache.lookup(a, 10), 5);
    assert.equal(cache.lookup(a, 4), 4); // the cap
    const sameStart = blockHashes([...ids(40), ...ids(40, 500)], 16);
    assert.equal(cache.lookup(sameStart, 10), 2); // blocks 0-1 shared, block 2 mixes both
    const other = blockHashes(ids(80, 1000), 16);
    assert.equal(cache.lookup(other, 10), 0);
  });

  it('evicts the least recently used blocks, a chain tail before its head', () => {
    const events = recorder();
    const cache = new PrefixCache(16, () => 4, events);
    const a = blockHashes(ids(48), 16); // 3 blocks
    const b = blockHashes(ids(48, 100), 16); // 3 blocks
    cache.store(a, ids(48));
    cache.store(b, ids(48, 100)); // 6 > 4: two of a's go, its tail first
    assert.equal(cache.size, 4);
    assert.ok(cache.has(a[0]!) && !cache.has(a[1]!) && !cache.has(a[2]!));
    assert.ok(b.every((h) => cache.has(h)));
    assert.equal(cache.lookup(a, 3), 1);
    // a[0] was just used: storing c evicts b's tail and keeps a[0].
    cache.store(blockHashes(ids(16, 900), 16), ids(16, 900));
    assert.ok(cache.has(a[0]!) && !cache.has(b[2]!));
    assert.equal(cache.stats().evictedTotal, 3);
    assert.deepEqual(events.log, [
      'stored 3 parent=none ids=48',
      'stored 3 parent=none ids=48',
      'removed 2',
      'stored 1 parent=none ids=16',
      'removed 1',
    ]);
  });

  it('announces each run of new blocks with its parent; a re-store of known blocks announces nothing', () => {
    const events = recorder();
    const cache = new PrefixCache(16, () => 100, events);
    const long = blockHashes(ids(64), 16);
    cache.store(long.slice(0, 2), ids(32));
    cache.store(long, ids(64));
    cache.store(long, ids(64));
    assert.deepEqual(events.log, ['stored 2 parent=none ids=32', 'stored 2 parent=set ids=32']);
  });

  it('capacity follows the engine: blocks of running sequences are not the cache', () => {
    let used = 0;
    const cache = new PrefixCache(16, () => 10 - used);
    cache.store(blockHashes(ids(160), 16), null);
    assert.equal(cache.size, 10);
    used = 7;
    cache.store(blockHashes(ids(16, 5000), 16), null);
    assert.equal(cache.size, 3);
  });

  it('clear empties it and says so', () => {
    const events = recorder();
    const cache = new PrefixCache(16, () => 100, events);
    const a = blockHashes(ids(64), 16);
    cache.store(a, ids(64));
    cache.clear();
    assert.equal(cache.size, 0);
    assert.equal(cache.lookup(a, 10), 0);
    assert.equal(events.log.at(-1), 'cleared');
    assert.equal(cache.stats().resetsTotal, 1);
  });
});

describe('KV event frames (vllm/distributed/kv_events.py: ZmqEventPublisher, KVEventBatch)', () => {
  it('topic, 8-byte big-endian sequence, msgpack batch of tagged events', () => {
    const hashes = blockHashes(ids(32), 16);
    const frames = kvEventFrames(encode, 'kv', 258, 1700000000.5, [
      {
        type: 'BlockStored',
        block_hashes: hashes,
        parent_block_hash: null,
        token_ids: ids(32),
        block_size: 16,
        lora_id: null,
        medium: 'GPU',
        lora_name: null,
      },
      { type: 'BlockRemoved', block_hashes: [hashes[1]!], medium: 'GPU' },
      { type: 'AllBlocksCleared' },
    ]);
    assert.equal(frames.length, 3);
    assert.equal(frames[0]!.toString(), 'kv');
    assert.equal(frames[1]!.length, 8);
    assert.equal(frames[1]!.readBigUInt64BE(), 258n);
    const batch = decode(frames[2]!) as { ts: number; events: Record<string, unknown>[]; data_parallel_rank: number };
    assert.equal(batch.ts, 1700000000.5);
    assert.equal(batch.data_parallel_rank, 0);
    assert.deepEqual(
      batch.events.map((e) => e['type']),
      ['BlockStored', 'BlockRemoved', 'AllBlocksCleared'],
    );
    assert.deepEqual(Object.keys(batch.events[0]!), [
      'type',
      'block_hashes',
      'parent_block_hash',
      'token_ids',
      'block_size',
      'lora_id',
      'medium',
      'lora_name',
    ]);
    assert.deepEqual(batch.events[0]!['block_hashes'], hashes); // 52-bit hashes survive msgpack exactly
  });
});
