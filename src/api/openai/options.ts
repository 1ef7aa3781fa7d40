import { badRequest } from '../../server/errors.js';
import { type JsonObject, optionalBool, optionalCount, optionalObject } from '../fields.js';
import { type OutputOptions, type ToolChoice, type ToolSpec } from '../contract.js';
import { schemaProblem } from '../../generation/structured.js';

/** vLLM's default --max-logprobs: more top logprobs (sample or prompt) is a 400. */
export const MAX_LOGPROBS = 20;
/** vLLM caps `n` by its sampling limits; a mock needs a bound too (each choice is a whole answer). */
export const MAX_N = 128;

/** vLLM's wording (vllm/v1/engine/processor.py, VLLMValidationError adds the parameter and value). */
const tooManyLogprobs = (kind: 'sample' | 'prompt', n: number, param: string) =>
  badRequest(
    `Requested ${kind} logprobs of ${n}, which is greater than max allowed: ${MAX_LOGPROBS} (parameter=${param}, value=${n})`,
    param,
  );

/** `n`: choices per request (1 when absent). */
function choicesOf(body: JsonObject): number {
  const n = optionalCount(body, 'n') ?? 1;
  if (n < 1) throw badRequest('n must be at least 1, got 0.', 'n');
  if (n > MAX_N) throw badRequest(`n must be at most ${MAX_N}, got ${n}.`, 'n');
  return n;
}

/** `prompt_logprobs` (vLLM): accepted and bounded; the answer carries none (docs/endpoints.md). */
function checkPromptLogprobs(body: JsonObject): void {
  const p = optionalCount(body, 'prompt_logprobs');
  if (p !== null && p > MAX_LOGPROBS) throw tooManyLogprobs('prompt', p, 'prompt_logprobs');
}

/** Chat: `logprobs` (bool) and `top_logprobs` (0–20), validated as vLLM's ChatCompletionRequest does. */
function chatLogprobs(body: JsonObject): number | null {
  const on = optionalBool(body, 'logprobs');
  const top = optionalCount(body, 'top_logprobs');
  if (top !== null && top > 0 && !on)
    throw badRequest('when using `top_logprobs`, `logprobs` must be set to true.', 'top_logprobs');
  if (top !== null && top > MAX_LOGPROBS) throw tooManyLogprobs('sample', top, 'logprobs');
  return on ? (top ?? 0) : null;
}

/** Completions: `logprobs` is the number of top alternatives (0–20). */
function completionLogprobs(body: JsonObject): number | null {
  const n = optionalCount(body, 'logprobs');
  if (n !== null && n > MAX_LOGPROBS) throw tooManyLogprobs('sample', n, 'logprobs');
  return n;
}

function toolsOf(body: JsonObject): ToolSpec[] {
  const tools = body['tools'];
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw badRequest("Field 'tools' must be a list of tools", 'tools');
  return tools.map((t, i) => {
    const fn = typeof t === 'object' && t !== null ? (t as JsonObject)['function'] : undefined;
    const name = typeof fn === 'object' && fn !== null ? (fn as JsonObject)['name'] : undefined;
    if (typeof name !== 'string' || name === '')
      throw badRequest(`tools[${i}].function.name: Field required`, `tools.${i}.function.name`);
    const parameters = (fn as JsonObject)['parameters'];
    return {
      name,
      parameters: checked(
        typeof parameters === 'object' && parameters !== null ? (parameters as JsonObject) : {},
        `tools.${i}.function.parameters`,
      ),
    };
  });
}

/** `tool_choice`: none, auto (the default with tools), required, or a named function that must exist. */
function toolChoiceOf(body: JsonObject, tools: readonly ToolSpec[]): ToolChoice {
  const c = body['tool_choice'];
  if (c === undefined || c === null) return tools.length > 0 ? 'auto' : 'none';
  if (c === 'none' || c === 'auto' || c === 'required') {
    if (c !== 'none' && tools.length === 0)
      throw badRequest(`When using \`tool_choice\`, \`tools\` must be set.`, 'tool_choice');
    return c;
  }
  const fn = typeof c === 'object' && c !== null ? (c as JsonObject)['function'] : undefined;
  const name = typeof fn === 'object' && fn !== null ? (fn as JsonObject)['name'] : undefined;
  if (typeof name !== 'string')
    throw badRequest("Field 'tool_choice' must be none, auto, required or a named function", 'tool_choice');
  if (!tools.some((t) => t.name === name))
    throw badRequest(
      `The tool specified in \`tool_choice\` does not match any of the specified \`tools\``,
      'tool_choice',
    );
  return { name };
}

/**
 * The schema the answer must follow: `response_format` json_object / json_schema (OpenAI), or vLLM's
 * `guided_json` and `structured_outputs.json`. `{}` for json_object (any JSON object).
 */
function responseSchemaOf(body: JsonObject): JsonObject | null {
  const rf = optionalObject(body, 'response_format');
  if (rf !== null) {
    const type = rf['type'];
    if (type === 'json_object') return { type: 'object' };
    if (type === 'json_schema') {
      const js = optionalObject(rf, 'json_schema');
      const schema = js?.['schema'];
      if (typeof schema !== 'object' || schema === null)
        throw badRequest('response_format.json_schema.schema: Field required', 'response_format');
      return schema as JsonObject;
    }
    if (type !== 'text' && type !== undefined)
      throw badRequest(`response_format.type must be text, json_object or json_schema`, 'response_format');
  }
  const guided = body['guided_json'] ?? optionalObject(body, 'structured_outputs')?.['json'];
  if (typeof guided === 'string') {
    try {
      return JSON.parse(guided) as JsonObject;
    } catch {
      throw badRequest('guided_json must be a JSON schema (an object or its JSON text)', 'guided_json');
    }
  }
  return typeof guided === 'object' && guided !== null ? (guided as JsonObject) : null;
}

/** A schema the generator would choke on is the client's error. */
function checked<T>(schema: T, param: string): T {
  const problem = schemaProblem(schema);
  if (problem) throw badRequest(`Invalid JSON schema: ${problem}`, param);
  return schema;
}

/** The OpenAI-compatible extras of a chat request. */
export function chatExtras(body: JsonObject): OutputOptions {
  checkPromptLogprobs(body);
  const tools = toolsOf(body);
  return {
    n: choicesOf(body),
    logprobs: chatLogprobs(body),
    tools,
    toolChoice: toolChoiceOf(body, tools),
    responseSchema: checked(responseSchemaOf(body), 'response_format'),
  };
}

/** The OpenAI-compatible extras of a completions request (no tools). */
export function completionExtras(body: JsonObject): OutputOptions {
  checkPromptLogprobs(body);
  return {
    n: choicesOf(body),
    logprobs: completionLogprobs(body),
    tools: [],
    toolChoice: 'none',
    responseSchema: checked(responseSchemaOf(body), 'response_format'),
  };
}
