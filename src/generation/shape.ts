import { type OutputOptions, type ToolSpec } from '../api/contract.js';
import { stableKey } from './hash.js';
import { type OutputPlan, revised } from './planner.js';
import { jsonText } from './structured.js';
import { TokenSpan } from './token-span.js';
import { type Tokenizer } from './tokenizer.js';

export interface ShapeDeps {
  readonly tokenizer: Tokenizer;
  readonly corpus: readonly string[];
  /** --tool-call-rate: share of `auto` requests that call a tool. */
  readonly toolCallRate: number;
}

/**
 * A choice whose content is a given text's tokens instead of corpus text (JSON, an oracle's answer),
 * with `finish` as its reason; past the cap (less the reasoning tokens) it is cut with finish reason
 * `length`, as an engine stops mid-text.
 */
export function withText(
  plan: OutputPlan,
  tokens: readonly string[],
  cap: number | null,
  finish: OutputPlan['finishReason'],
): OutputPlan {
  const room = cap === null ? Infinity : Math.max(0, cap - plan.reasoning.length);
  const cut = tokens.length > room;
  return revised(plan, {
    content: TokenSpan.of(cut ? tokens.slice(0, room) : tokens),
    finishReason: cut ? 'length' : finish,
  });
}

/** The tool a choice calls, or null: named and `required` always call, `auto` at the seeded rate. */
function chosenTool(output: OutputOptions, seed: number, rate: number): ToolSpec | null {
  const { tools, toolChoice } = output;
  if (tools.length === 0 || toolChoice === 'none') return null;
  if (typeof toolChoice === 'object') return tools.find((t) => t.name === toolChoice.name) ?? null;
  if (toolChoice === 'auto' && (Math.imul(seed, 0x9e3779b1) >>> 0) / 2 ** 32 >= rate) return null;
  return tools[seed % tools.length]!;
}

/**
 * A choice whose text follows a schema: a tool call (its arguments valid against the tool's
 * parameters) or structured output (response_format / guided_json). The text is JSON sized to the
 * planned length as far as the schema allows, split into the tokenizer's tokens; past the cap it is cut
 * with finish reason `length`, as an engine stops mid-JSON. Anything else is returned unchanged.
 */
export function shapeChoice(
  plan: OutputPlan,
  output: OutputOptions,
  cap: number | null,
  index: number,
  deps: ShapeDeps,
): OutputPlan {
  const seed = (plan.seed + index * 0x85ebca6b) >>> 0;
  const tool = chosenTool(output, seed, deps.toolCallRate);
  const schema = tool?.parameters ?? output.responseSchema;
  if (!schema) return plan;
  const corpus = deps.corpus;
  const words = (from: number, n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += corpus[(from + i) % corpus.length]!;
    return s;
  };
  const text = jsonText(schema, seed, Math.max(plan.content.length, 1), deps.tokenizer, words);
  const shaped = withText(plan, deps.tokenizer.split(text), cap, tool ? 'tool_calls' : 'stop');
  if (!tool) return shaped;
  return revised(shaped, {
    toolCall: { id: `chatcmpl-tool-${stableKey('tool', String(seed)).slice(0, 32)}`, name: tool.name },
  });
}
