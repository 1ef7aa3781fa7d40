import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { embed, parseEmbeddingRequest } from '../../src/api/embeddings/embeddings.js';
import { describeBundle } from '../../src/api/multimodal/custom.js';
import {
  COHERE_RERANK_API,
  NIM_RANKING_API,
  rank,
  relevance,
  TEI_RERANK_API,
} from '../../src/api/rankings/rankings.js';
import { type AppContext } from '../../src/server/context.js';

const ctx = {} as AppContext; // the ranking formatters read nothing from it

describe('embedding and ranking formatters', () => {
  it('embeddings are unit vectors, a pure function of (model, input, dimensions)', () => {
    const a = embed('m', 'Hello world', 768);
    assert.equal(a.length, 768);
    assert.ok(Math.abs(Math.hypot(...a) - 1) < 1e-5);
    assert.deepEqual(embed('m', 'Hello world', 768), a);
    assert.notDeepEqual(embed('m', 'Hello', 768), a);
    assert.notDeepEqual(embed('other', 'Hello world', 768), a);
  });
  it('embedding request forms', () => {
    const table: [unknown, string[], number][] = [
      [{ model: 'm', input: 'x' }, ['x'], 0],
      [{ model: 'm', input: ['a', 'b'] }, ['a', 'b'], 0],
      [{ model: 'm', input: [1, 2, 3] }, ['1 2 3'], 3],
      [{ model: 'm', input: [[1, 2], [3]] }, ['1 2', '3'], 3],
    ];
    for (const [body, inputs, idTokens] of table) {
      const r = parseEmbeddingRequest(body);
      assert.deepEqual([r.inputs, r.idTokens, r.dimensions, r.base64], [inputs, idTokens, 768, false]);
    }
    assert.equal(
      parseEmbeddingRequest({ model: 'm', input: 'x', encoding_format: 'base64', dimensions: 3 }).base64,
      true,
    );
    for (const bad of [
      { model: 'm' },
      { model: 'm', input: [] },
      { model: 'm', input: [{}] },
      { model: 'm', input: 'x', dimensions: 0 },
      { input: 'x' },
    ]) {
      assert.throws(() => parseEmbeddingRequest(bad), /input|dimensions|model/);
    }
  });
  it('rankings: scores in [0, 1), sorted, ties keep input order', () => {
    const s = relevance('q', 'p');
    assert.ok(s >= 0 && s < 1);
    assert.equal(relevance('q', 'p'), s);
    const r = rank('q', ['p1', 'p2', 'p3', 'p1']);
    for (let i = 1; i < r.length; i++) assert.ok(r[i - 1]!.score >= r[i]!.score);
    const dupes = r.filter((x) => x.index === 0 || x.index === 3).map((x) => x.index);
    assert.deepEqual(dupes, [0, 3]);
  });
  it('NIM, TEI and Cohere shapes', () => {
    const nim = NIM_RANKING_API.respond(
      NIM_RANKING_API.parse({ model: 'm', query: { text: 'q' }, passages: [{ text: 'a' }, { text: 'b' }] }),
      ctx,
    ) as {
      rankings: { index: number; logit: number; relevance_score: number }[];
    };
    assert.deepEqual(Object.keys(nim), ['rankings']);
    assert.deepEqual(Object.keys(nim.rankings[0]!), ['index', 'logit', 'relevance_score']);
    const tei = TEI_RERANK_API.respond(TEI_RERANK_API.parse({ query: 'q', texts: ['a', 'b'] }), ctx) as {
      index: number;
      score: number;
    }[];
    assert.ok(Array.isArray(tei));
    assert.deepEqual(Object.keys(tei[0]!), ['index', 'score']);
    const cohere = COHERE_RERANK_API.respond(
      COHERE_RERANK_API.parse({ model: 'm', query: 'q', documents: ['a', { text: 'b' }, 'c'], top_n: 2 }),
      ctx,
    ) as {
      id: string;
      results: { index: number; relevance_score: number }[];
      meta: unknown;
    };
    assert.equal(cohere.results.length, 2);
    assert.deepEqual(Object.keys(cohere), ['id', 'results', 'meta']);
  });
  it('custom multimodal description', () => {
    assert.equal(describeBundle({ texts: 1, images: 0, videos: 0, audios: 0 }), 'Processed 1 text fragments');
    assert.equal(
      describeBundle({ texts: 2, images: 3, videos: 1, audios: 4 }),
      'Processed 2 text fragments, 3 images, 1 videos, 4 audio streams',
    );
  });
});
