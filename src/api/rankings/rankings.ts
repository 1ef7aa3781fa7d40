import { randomUUID } from 'node:crypto';
import { keyToUint32, stableKey } from '../../generation/hash.js';
import { badRequest } from '../../server/errors.js';
import { type OneShotApi } from '../contract.js';
import {
  type JsonObject,
  optionalBool,
  optionalCount,
  optionalString,
  requireObject,
  requiredString,
} from '../fields.js';

export interface RankingRequest {
  readonly model: string;
  readonly query: string;
  readonly passages: readonly string[];
  readonly topN: number | null;
  readonly returnText: boolean;
}

/** A relevance score in [0, 1) that is a pure function of (query, passage). */
export function relevance(query: string, passage: string): number {
  return keyToUint32(stableKey('rank', query, passage)) / 2 ** 32;
}

interface Ranked {
  index: number;
  score: number;
}

/** Passages by descending score; ties keep input order. */
export function rank(query: string, passages: readonly string[]): Ranked[] {
  return passages
    .map((p, index) => ({ index, score: relevance(query, p) }))
    .sort((a, b) => b.score - a.score || a.index - b.index);
}

function texts(value: unknown, field: string, allowObjects: boolean): string[] {
  if (!Array.isArray(value) || value.length === 0) throw badRequest(`Field '${field}' must be a non-empty list`, field);
  return value.map((item, i) => {
    if (typeof item === 'string') return item;
    const text = allowObjects && typeof item === 'object' && item !== null ? (item as JsonObject)['text'] : undefined;
    if (typeof text === 'string') return text;
    throw badRequest(
      `${field}[${i}] must be ${allowObjects ? 'a string or an object with "text"' : 'a string'}`,
      field,
    );
  });
}

const latency: OneShotApi<RankingRequest>['latencyMs'] = (r, ctx) =>
  ctx.config.rankingBaseLatency + ctx.config.rankingPerPassageLatency * r.passages.length;
const tokens: OneShotApi<RankingRequest>['promptTokens'] = (r, ctx) =>
  ctx.tokenizer.count([r.query, ...r.passages].join('\n'));

/** NVIDIA NIM `POST /v1/ranking`: `rankings[].{index, logit}` as NIM returns them, plus upstream's `relevance_score`. */
export const NIM_RANKING_API: OneShotApi<RankingRequest> = {
  endpoint: '/v1/ranking',
  family: 'openai',
  summary: 'NVIDIA NIM reranking',
  parse(raw) {
    const body = requireObject(raw);
    const query = body['query'];
    const text = typeof query === 'object' && query !== null ? (query as JsonObject)['text'] : undefined;
    if (typeof text !== 'string') throw badRequest("Field 'query' must be an object with a string 'text'", 'query');
    return {
      model: requiredString(body, 'model'),
      query: text,
      passages: texts(body['passages'], 'passages', true),
      topN: null,
      returnText: false,
    };
  },
  latencyMs: latency,
  promptTokens: tokens,
  model: (r) => r.model,
  respond: (r) => ({
    rankings: rank(r.query, r.passages).map(({ index, score }) => ({
      index,
      // NIM reports a logit; the sigmoid of it is the score in [0, 1).
      logit: Math.log(Math.max(score, 1e-6) / Math.max(1 - score, 1e-6)),
      relevance_score: score,
    })),
  }),
};

/** HF TEI `POST /rerank`: a top-level array `[{index, score}]` (with `text` when `return_text`). */
export const TEI_RERANK_API: OneShotApi<RankingRequest> = {
  endpoint: '/rerank',
  family: 'tgi',
  summary: 'HF TEI reranking',
  parse(raw) {
    const body = requireObject(raw);
    const passages = body['texts'] ?? body['documents'];
    optionalBool(body, 'truncate');
    return {
      model: optionalString(body, 'model') ?? 'tei-reranker',
      query: requiredString(body, 'query'),
      passages: texts(passages, 'texts', false),
      topN: null,
      returnText: optionalBool(body, 'return_text'),
    };
  },
  latencyMs: latency,
  promptTokens: tokens,
  model: (r) => r.model,
  respond: (r) =>
    rank(r.query, r.passages).map(({ index, score }) =>
      r.returnText ? { index, score, text: r.passages[index] } : { index, score },
    ),
};

/** Cohere v2 `POST /v2/rerank`: `{id, results[].{index, relevance_score}, meta}`; `top_n` honoured. */
export const COHERE_RERANK_API: OneShotApi<RankingRequest> = {
  endpoint: '/v2/rerank',
  family: 'cohere',
  summary: 'Cohere v2 rerank',
  parse(raw) {
    const body = requireObject(raw);
    return {
      model: requiredString(body, 'model'),
      query: requiredString(body, 'query'),
      passages: texts(body['documents'], 'documents', true),
      topN: optionalCount(body, 'top_n'),
      returnText: false,
    };
  },
  latencyMs: latency,
  promptTokens: tokens,
  model: (r) => r.model,
  respond: (r) => {
    const ranked = rank(r.query, r.passages);
    return {
      id: randomUUID(),
      results: ranked.slice(0, r.topN ?? ranked.length).map(({ index, score }) => ({ index, relevance_score: score })),
      meta: { api_version: { version: '2' }, billed_units: { search_units: 1 } },
    };
  },
};
