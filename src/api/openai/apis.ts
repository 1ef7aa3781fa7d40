import { type GenerationApi, type GenerationRequest } from '../contract.js';
import {
  chatCompletionBody,
  chatStreamBody,
  completionBody,
  completionStreamBody,
  type StreamUsage,
} from './format.js';

/** The prompt text to echo: only text prompts (token-id prompts are not decoded back to text). */
const echoOf = (r: GenerationRequest): string => (r.echo && r.promptTokenCount === null ? r.promptText : '');

const streamUsage = (r: GenerationRequest): StreamUsage =>
  r.includeUsage ? (r.continuousUsage ? 'continuous' : 'final') : 'none';
import { parseChatRequest, parseCompletionRequest } from './request.js';

export const CHAT_API: GenerationApi = {
  endpoint: '/v1/chat/completions',
  family: 'openai',
  summary: 'OpenAI chat completions (stream or not)',
  idPrefix: 'chatcmpl-',
  reasoning: true,
  parse: parseChatRequest,
  body: chatCompletionBody,
  stream: (meta, plan, request) => chatStreamBody(meta, plan, streamUsage(request)),
};

export const COMPLETIONS_API: GenerationApi = {
  endpoint: '/v1/completions',
  family: 'openai',
  summary: 'OpenAI text completions (stream or not)',
  idPrefix: 'cmpl-',
  reasoning: false,
  parse: parseCompletionRequest,
  body: (meta, plan, request) => completionBody(meta, plan, echoOf(request)),
  stream: (meta, plan, request) => completionStreamBody(meta, plan, streamUsage(request), echoOf(request)),
};
