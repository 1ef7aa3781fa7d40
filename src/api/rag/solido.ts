import { createHash } from 'node:crypto';
import { type OutputPlan } from '../../generation/planner.js';
import { badRequest } from '../../server/errors.js';
import { type GenerationApi, type GenerationRequest, type StreamBody } from '../contract.js';
import {
  acceptsEventStream,
  type JsonObject,
  formBool,
  optionalCount,
  optionalObject,
  requireObject,
  requiredString,
} from '../fields.js';

const q = JSON.stringify;

/**
 * `POST /rag/api/prompt` as AIPerf's `solido_rag` endpoint sends it (src/aiperf/endpoints/solido_rag.py):
 * `query` (a list of texts), `filters` (an object; AIPerf's default `{"family": "Solido", "tool": "SDE"}`),
 * `inference_model`, extras. It streams when asked: `stream: true` in the body, or an Accept header that
 * names text/event-stream (what AIPerf sends with --streaming; its body has no `stream` field).
 */
export function parseRagRequest(raw: unknown, headers: { accept?: string | string[] }): GenerationRequest {
  const body = requireObject(raw);
  const query = body['query'];
  if (!Array.isArray(query) || query.length === 0 || !query.every((x) => typeof x === 'string'))
    throw badRequest("Field 'query' must be a non-empty list of strings", 'query');
  optionalObject(body, 'filters');
  return {
    model: requiredString(body, 'inference_model'),
    stream: formBool(body, 'stream') || acceptsEventStream(headers.accept),
    includeUsage: false,
    promptText: (query as string[]).join('\n'),
    promptTokenCount: null,
    maxTokens: optionalCount(body, 'max_tokens'),
    minTokens: null,
    ignoreEos: false,
    reasoningEffort: null,
  };
}

/** The retrieved documents: up to three, a pure function of the query text. */
export function ragSources(promptText: string): JsonObject[] {
  const n = Math.min(3, promptText.split('\n').length);
  return Array.from({ length: n }, (_, i) => ({
    id: `doc_${createHash('sha1').update(`${promptText}|source${i}`).digest('hex').slice(0, 8)}`,
    title: `Document ${i + 1}`,
    score: Math.round((0.9 - 0.1 * i) * 100) / 100,
    content: `Source content for query: ${promptText.slice(0, 50)}...`,
  }));
}

/** One event per token (`{"content": token}`); the last carries the sources. No [DONE]. */
function ragStream(plan: OutputPlan, request: GenerationRequest): StreamBody {
  const C = plan.content.length;
  const events = Math.max(C, 1);
  return {
    events,
    tokenEvents: C,
    frame(i) {
      const text = C === 0 ? '' : plan.content.at(i);
      if (i < events - 1) return `data: {"content":${q(text)}}\n\n`;
      return `data: {"content":${q(text)},"sources":${q(ragSources(request.promptText))}}\n\n`;
    },
    trailer: '',
    errorFrame: (message) => `data: ${q({ error: { message, type: 'server_error', param: null, code: 500 } })}\n\n`,
  };
}

export const SOLIDO_RAG_API: GenerationApi = {
  endpoint: '/rag/api/prompt',
  family: 'openai',
  summary: 'SOLIDO RAG: content and sources (JSON, or SSE when asked)',
  idPrefix: 'rag-',
  reasoning: false,
  parse: (raw, headers) => parseRagRequest(raw, headers),
  body: (_meta, plan, request) => ({
    content: plan.content.join(),
    sources: ragSources(request.promptText),
    inference_model: request.model,
  }),
  stream: (_meta, plan, request) => ragStream(plan, request),
};
