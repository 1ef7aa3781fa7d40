import { type GenerationApi, type GenerationRequest } from '../api/contract.js';
import { stableKey } from '../generation/hash.js';
import { isReasoningModel, type OutputPlan, planOutput, REASONING_BUDGET } from '../generation/planner.js';
import { applyStop } from '../generation/stop.js';
import { type AppContext } from './context.js';
import { ApiError } from './errors.js';

/**
 * vLLM's context-length check: the prompt plus the requested output (0 when the request sets no cap)
 * must fit in --max-model-len; otherwise vLLM's 400 (renderers/params.py), rendered in the API's shape.
 */
export function checkContextLength(maxModelLen: number, promptTokens: number, maxTokens: number | null): void {
  const output = maxTokens ?? 0;
  if (promptTokens + output <= maxModelLen && promptTokens < maxModelLen) return;
  throw new ApiError(
    400,
    'BadRequestError',
    `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${output} output tokens and your prompt contains ${promptTokens} input tokens, for a total of ${promptTokens + output} tokens. Please reduce the length of the input prompt or the number of requested output tokens.`,
    'input_tokens',
    400,
  );
}

/** A request's output plan, and its prompt's token ids when the prefix cache needs them. */
export interface Planned {
  readonly plan: OutputPlan;
  readonly promptIds: readonly number[] | null;
}

/**
 * The prompt's length, and its token ids when the prefix cache is on (they cost what counting does:
 * tokenizer.encode finds them the way count counts them).
 */
function promptTokensOf(ctx: AppContext, request: GenerationRequest): { count: number; ids: readonly number[] | null } {
  if (!ctx.prefix) return { count: request.promptTokenCount ?? ctx.tokenizer.count(request.promptText), ids: null };
  const ids = request.promptTokenIds ?? ctx.tokenizer.encode(request.promptText);
  return { count: request.promptTokenCount ?? ids.length, ids };
}

export function planRequest(ctx: AppContext, api: GenerationApi, request: GenerationRequest): Planned {
  const prompt = promptTokensOf(ctx, request);
  const promptTokens = prompt.count;
  // vLLM's check of token-id prompts against the model's vocabulary (its wording).
  if (request.maxTokenId !== undefined && request.maxTokenId >= ctx.tokenizer.vocabSize)
    throw new ApiError(400, 'BadRequestError', `Token id ${request.maxTokenId} is out of vocabulary`, 'prompt', 400);
  checkContextLength(ctx.config.maxModelLen, promptTokens, request.maxTokens);
  const reasoningBudget =
    request.reasoningBudget ??
    (api.reasoning && isReasoningModel(request.model) ? REASONING_BUDGET[request.reasoningEffort ?? 'medium'] : 0);
  const plan = planOutput(
    {
      promptTokens,
      key: stableKey(request.model, request.promptText),
      maxTokens: request.maxTokens,
      minTokens: request.minTokens,
      ignoreEos: request.ignoreEos,
      reasoningBudget,
      // Without a cap the answer stops where the context ends, as on vLLM.
      limit: Math.min(ctx.config.maxTokensLimit, ctx.config.maxModelLen - promptTokens),
    },
    ctx.corpus.tokens,
  );
  return { plan: request.stop?.length ? applyStop(plan, request.stop) : plan, promptIds: prompt.ids };
}
