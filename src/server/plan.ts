import { type GenerationApi, type GenerationRequest } from '../api/contract.js';
import { stableKey } from '../generation/hash.js';
import {
  isReasoningModel,
  type OutputPlan,
  planOutput,
  type PlanInput,
  REASONING_BUDGET,
  revised,
} from '../generation/planner.js';
import { shapeChoice, withText } from '../generation/shape.js';
import { applyStop } from '../generation/stop.js';
import { type AppContext } from './context.js';
import { ApiError, badRequest } from './errors.js';

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

/** Choice k > 0's input: its own key (spelled out: see `revised` in planner.ts). */
const withKey = (input: PlanInput, key: string): PlanInput => ({
  promptTokens: input.promptTokens,
  key,
  maxTokens: input.maxTokens,
  minTokens: input.minTokens,
  ignoreEos: input.ignoreEos,
  reasoningBudget: input.reasoningBudget,
  limit: input.limit,
});

/**
 * The accuracy oracle (--accuracy-dataset): a prompt that matches a dataset row gets the row's answer,
 * right or wrong, in the grader's format (cut with finish reason `length` past the cap, as an engine would).
 */
function answerAccuracy(ctx: AppContext, request: GenerationRequest, plan: OutputPlan): OutputPlan {
  const oracle = ctx.accuracy;
  if (!oracle) return plan;
  const verdict = oracle.answer(request.promptText);
  if (!verdict) return revised(plan, { accuracy: 'unmatched' });
  return revised(withText(plan, ctx.tokenizer.split(verdict.text), request.maxTokens, 'stop'), {
    accuracy: verdict.correct ? 'correct' : 'wrong',
  });
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
  const input: PlanInput = {
    promptTokens,
    key: stableKey(request.model, request.promptText),
    maxTokens: request.maxTokens,
    minTokens: request.minTokens,
    ignoreEos: request.ignoreEos,
    reasoningBudget,
    // Without a cap the answer stops where the context ends, as on vLLM.
    limit: Math.min(ctx.config.maxTokensLimit, ctx.config.maxModelLen - promptTokens),
  };
  const output = request.output;
  const deps = { tokenizer: ctx.tokenizer, corpus: ctx.corpus.tokens, toolCallRate: ctx.config.toolCallRate };
  /** One choice: its lengths, then a schema's JSON (tools, response_format), then stop sequences. */
  const choice = (key: string, index: number): OutputPlan => {
    let plan = planOutput(key === input.key ? input : withKey(input, key), ctx.corpus.tokens);
    if (output) {
      try {
        plan = shapeChoice(plan, output, request.maxTokens, index, deps);
      } catch (err) {
        // The generator's refusal of a schema (a type it does not know, a contradiction) is the client's error.
        throw badRequest(`Invalid JSON schema: ${(err as Error).message}`, 'response_format');
      }
    }
    return request.stop?.length && !plan.toolCall ? applyStop(plan, request.stop) : plan;
  };
  const first = answerAccuracy(ctx, request, choice(input.key, 0));
  const n = output?.n ?? 1;
  if (n === 1) return { plan: first, promptIds: prompt.ids };
  // n > 1: each choice is its own draw (its own length and text), as n samples are.
  const others = Array.from({ length: n - 1 }, (_, k) => choice(`${input.key}#${k + 1}`, k + 1));
  return { plan: revised(first, { others }), promptIds: prompt.ids };
}
