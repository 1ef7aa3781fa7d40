import { type GenerationApi } from '../../server/inference.js';
import { chatCompletionBody, chatStreamBody, completionBody, completionStreamBody } from './format.js';
import { parseChatRequest, parseCompletionRequest } from './request.js';

export const CHAT_API: GenerationApi = {
  endpoint: '/v1/chat/completions',
  family: 'openai',
  idPrefix: 'chatcmpl-',
  reasoning: true,
  parse: parseChatRequest,
  body: chatCompletionBody,
  stream: chatStreamBody,
};

export const COMPLETIONS_API: GenerationApi = {
  endpoint: '/v1/completions',
  family: 'openai',
  idPrefix: 'cmpl-',
  reasoning: false,
  parse: parseCompletionRequest,
  body: completionBody,
  stream: completionStreamBody,
};
