import { type GenerationApi, type GenerationRequest, type StreamOptions } from '../contract.js';
import { chatCompletionBody, chatStreamBody, type StreamShape } from './format.js';
import { completionBody, completionStreamBody } from './format-completions.js';
import { parseChatRequest, parseCompletionRequest } from './request.js';

/** The prompt text to echo: only text prompts (token-id prompts are not decoded back to text). */
const echoOf = (r: GenerationRequest): string => (r.echo && r.promptTokenCount === null ? r.promptText : '');

const streamShape = (r: GenerationRequest, o: StreamOptions): StreamShape => ({
  usage: r.includeUsage ? (r.continuousUsage ? 'continuous' : 'final') : 'none',
  logprobs: r.output?.logprobs ?? null,
  interval: o.streamInterval,
});

export const CHAT_API: GenerationApi = {
  endpoint: '/v1/chat/completions',
  family: 'openai',
  summary: 'OpenAI chat completions (stream or not)',
  idPrefix: 'chatcmpl-',
  reasoning: true,
  parse: parseChatRequest,
  body: (meta, plan, request) => chatCompletionBody(meta, plan, request.output?.logprobs ?? null),
  stream: (meta, plan, request, o) => chatStreamBody(meta, plan, streamShape(request, o)),
};

export const COMPLETIONS_API: GenerationApi = {
  endpoint: '/v1/completions',
  family: 'openai',
  summary: 'OpenAI text completions (stream or not)',
  idPrefix: 'cmpl-',
  reasoning: false,
  parse: parseCompletionRequest,
  body: (meta, plan, request) => completionBody(meta, plan, echoOf(request), request.output?.logprobs ?? null),
  stream: (meta, plan, request, o) => completionStreamBody(meta, plan, streamShape(request, o), echoOf(request)),
};
