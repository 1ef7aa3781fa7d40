import seedrandom from 'seedrandom';
import { stableKey } from '../../generation/hash.js';
import { badRequest } from '../../server/errors.js';
import { type OneShotApi } from '../contract.js';
import { type JsonObject, optionalChoice, optionalCount, requireObject, requiredString } from '../fields.js';

export const DEFAULT_DIMENSIONS = 768;
const MAX_DIMENSIONS = 8192;

export interface EmbeddingRequest {
  readonly model: string;
  readonly inputs: readonly string[];
  /** Inputs given as token ids count their ids, not their text. */
  readonly idTokens: number;
  readonly dimensions: number;
  readonly base64: boolean;
}

function inputsOf(body: JsonObject): { inputs: string[]; idTokens: number } {
  const v = body['input'];
  if (v === undefined || v === null) throw badRequest("Missing required field 'input'", 'input');
  if (typeof v === 'string') return { inputs: [v], idTokens: 0 };
  const isIds = (x: unknown): x is number[] =>
    Array.isArray(x) && x.length > 0 && x.every((n) => Number.isInteger(n) && (n as number) >= 0);
  if (Array.isArray(v) && v.length > 0) {
    if (v.every((x) => typeof x === 'string')) return { inputs: v as string[], idTokens: 0 };
    if (isIds(v)) return { inputs: [v.join(' ')], idTokens: v.length };
    if (v.every(isIds))
      return {
        inputs: (v as number[][]).map((l) => l.join(' ')),
        idTokens: (v as number[][]).reduce((n, l) => n + l.length, 0),
      };
  }
  throw badRequest(
    "Field 'input' must be a non-empty string, list of strings, token ids or lists of token ids",
    'input',
  );
}

export function parseEmbeddingRequest(raw: unknown): EmbeddingRequest {
  const body = requireObject(raw);
  const { inputs, idTokens } = inputsOf(body);
  const dimensions = optionalCount(body, 'dimensions') ?? DEFAULT_DIMENSIONS;
  if (dimensions < 1 || dimensions > MAX_DIMENSIONS)
    throw badRequest(`Field 'dimensions' must be between 1 and ${MAX_DIMENSIONS}`, 'dimensions');
  return {
    model: requiredString(body, 'model'),
    inputs,
    idTokens,
    dimensions,
    base64: optionalChoice(body, 'encoding_format', ['float', 'base64'] as const) === 'base64',
  };
}

/** A unit-length vector that is a pure function of (model, input, dimensions), as real embeddings are normalised. */
export function embed(model: string, input: string, dimensions: number): Float32Array {
  const rng = seedrandom.alea(stableKey('embedding', model, input));
  const v = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    v[i] = rng() - 0.5;
    norm += v[i]! * v[i]!;
  }
  const scale = 1 / Math.sqrt(norm || 1);
  for (let i = 0; i < dimensions; i++) v[i] = v[i]! * scale;
  return v;
}

/** `encoding_format: "base64"`: the little-endian float32 bytes, as OpenAI sends them (the openai client asks for this). */
function toBase64(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

export const EMBEDDINGS_API: OneShotApi<EmbeddingRequest> = {
  endpoint: '/v1/embeddings',
  family: 'openai',
  summary: 'OpenAI embeddings (float or base64)',
  parse: parseEmbeddingRequest,
  latencyMs: (r, ctx) => ctx.config.embeddingBaseLatency + ctx.config.embeddingPerInputLatency * r.inputs.length,
  promptTokens: (r, ctx) => r.idTokens || r.inputs.reduce((n, s) => n + ctx.tokenizer.count(s), 0),
  model: (r) => r.model,
  respond(r, ctx) {
    const tokens = this.promptTokens(r, ctx);
    return {
      object: 'list',
      data: r.inputs.map((input, index) => {
        const v = embed(r.model, input, r.dimensions);
        return { object: 'embedding', index, embedding: r.base64 ? toBase64(v) : Array.from(v) };
      }),
      model: r.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  },
};

/** `POST /v1/chat/embeddings` (as upstream has it): one vector per chat message, from a chat-shaped body. */
export const CHAT_EMBEDDINGS_API: OneShotApi<EmbeddingRequest> = Object.assign({}, EMBEDDINGS_API, {
  endpoint: '/v1/chat/embeddings',
  summary: 'Embeddings of each chat message (chat-shaped body)',
  parse(raw: unknown): EmbeddingRequest {
    const body = requireObject(raw);
    const messages = body['messages'];
    if (!Array.isArray(messages)) throw badRequest("Field 'messages' must be a list of messages", 'messages');
    const inputs = messages.map((m, i) => {
      const content = typeof m === 'object' && m !== null ? (m as JsonObject)['content'] : undefined;
      if (typeof content === 'string') return content;
      if (Array.isArray(content)) {
        return content
          .map((p) =>
            typeof p === 'object' && p !== null && typeof (p as JsonObject)['text'] === 'string'
              ? (p as JsonObject)['text']
              : '',
          )
          .join('\n');
      }
      if (content === undefined || content === null) return '';
      throw badRequest(`messages[${i}].content must be a string or a list of parts`, `messages[${i}].content`);
    });
    return {
      model: requiredString(body, 'model'),
      inputs: inputs.length ? inputs : [''],
      idTokens: 0,
      dimensions: DEFAULT_DIMENSIONS,
      base64: false,
    };
  },
});
