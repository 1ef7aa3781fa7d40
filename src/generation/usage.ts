import { type OutputPlan, plannedTokens, reasoningTokens } from './planner.js';

/** The OpenAI usage object, full shape on every endpoint that reports usage. */
export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

/** Usage of the whole answer: with n choices, completion and reasoning tokens summed over them. */
export function openAIUsage(plan: OutputPlan): OpenAIUsage {
  const completion = plannedTokens(plan);
  return {
    prompt_tokens: plan.promptTokens,
    completion_tokens: completion,
    total_tokens: plan.promptTokens + completion,
    prompt_tokens_details: { cached_tokens: plan.cachedTokens },
    // No predicted outputs are ever simulated, so the prediction counts are 0 as on the real API.
    completion_tokens_details: {
      reasoning_tokens: reasoningTokens(plan),
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}
