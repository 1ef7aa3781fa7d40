/**
 * The contract every API family implements: what the shared request path hands a family and what it
 * gets back. It names no family; `server/` knows the families only through these types.
 */
import { type IncomingHttpHeaders } from 'node:http';
import { type OutputPlan, type ReasoningEffort } from '../generation/planner.js';
import { type AppContext } from '../server/context.js';
import { type ErrorFamily } from '../server/errors.js';

/** A function the model may call: its name and the JSON Schema of its arguments. */
export interface ToolSpec {
  readonly name: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

export type ToolChoice = 'none' | 'auto' | 'required' | { readonly name: string };

/** What shapes the output beyond its length (OpenAI-compatible APIs: chat and completions). */
export interface OutputOptions {
  /** Choices per request (`n`). */
  readonly n: number;
  /** Top alternatives per token when logprobs are asked for (chat top_logprobs, completions logprobs); null: none. */
  readonly logprobs: number | null;
  readonly tools: readonly ToolSpec[];
  readonly toolChoice: ToolChoice;
  /** A JSON Schema the text must follow (response_format, guided_json, structured_outputs); null: free text. */
  readonly responseSchema: Readonly<Record<string, unknown>> | null;
}

/** A validated text-generation request, whatever family it came from. */
export interface GenerationRequest {
  readonly model: string;
  readonly stream: boolean;
  /** Whether the streamed answer ends with usage (OpenAI's stream_options.include_usage; always, for some). */
  readonly includeUsage: boolean;
  /** vLLM's `stream_options.continuous_usage_stats` (with include_usage): usage on every chunk. */
  readonly continuousUsage?: boolean;
  /** The text the model reads (used for the prompt count and the determinism key). */
  readonly promptText: string;
  /** Set when the prompt was given as token ids: their count is the prompt length. */
  readonly promptTokenCount: number | null;
  /** A token-id prompt's ids (all lists flattened): what the prefix cache hashes. */
  readonly promptTokenIds?: readonly number[];
  /** The highest token id of a token-id prompt (checked against the tokenizer's vocabulary). */
  readonly maxTokenId?: number;
  readonly maxTokens: number | null;
  readonly minTokens: number | null;
  readonly ignoreEos: boolean;
  /** null when the request did not ask; reasoning models then use "medium". */
  readonly reasoningEffort: ReasoningEffort | null;
  /** TGI's `parameters.details`: the answer carries per-token details. */
  readonly details?: boolean;
  /** Stop sequences (`stop`): the answer ends before the first one it would contain. */
  readonly stop?: readonly string[];
  /** Completions `echo`: the answer starts with the prompt text. */
  readonly echo?: boolean;
  /** A thinking budget set by the request itself (Anthropic `thinking.budget_tokens`), whatever the model. */
  readonly reasoningBudget?: number;
  /** n, logprobs, tools, structured output (absent: one free-text choice, no logprobs). */
  readonly output?: OutputOptions;
  /** Anthropic `cache_control`: the prompt text up to the end of the last marked block. */
  readonly cacheMarkText?: string;
  /** Anthropic tools: the answer ends with a tool_use block for the first one. */
  readonly toolName?: string | null;
  /**
   * Chat-like APIs: what joins this answer to the prompt when the next turn sends it back (the prompt text
   * joins messages with it). Set, and with --prefix-cache-answers, the answer's full blocks enter the prefix
   * cache at its end, as vLLM caches the blocks of generated tokens, so the next turn hits the previous
   * answer too.
   */
  readonly turnSeparator?: string;
}

/** Identity of one response: the same on the body and on every chunk (as vLLM and OpenAI do). */
export interface ResponseMeta {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

/**
 * What a family's pure formatter hands to the one streaming loop: `events` timed events
 * (event i is due at arrival + TTFT + i × ITL), of which `tokenEvents` carry a token, then a
 * trailer written right after the last event (usage chunk, [DONE], message_stop ...).
 */
export interface StreamBody {
  readonly events: number;
  readonly tokenEvents: number;
  frame(i: number): string;
  /**
   * Event i (not the last) as the HTTP/1.1 chunk that carries it: the size line, frame(i), CRLF. Given by
   * bodies that know their events' byte length without measuring them (src/api/chunked.ts); the stream
   * loop encodes frame(i) otherwise.
   */
  chunk?(i: number): string;
  readonly trailer: string;
  /** The family's in-band error event, written instead of the next event when a stream fails after its start. */
  errorFrame(message: string): string;
  /**
   * Grouped events (`--stream-interval`, `n` > 1): the tokens event i delivers (default 1 for a token
   * event) and the decode steps it spans, so it is due that many gaps after event i − 1 (default 1).
   */
  tokensIn?(i: number): number;
  stepsIn?(i: number): number;
}

/** Where an API is served and how it is listed (route table, `/`, docs). */
export interface Endpoint {
  readonly endpoint: string;
  /** Whose error shape failures take. */
  readonly family: ErrorFamily;
  /** One line for the endpoint list. */
  readonly summary: string;
}

/** One text-generation API: its parser and pure formatters. Everything else is shared. */
export interface GenerationApi extends Endpoint {
  readonly idPrefix: string;
  /** Response ids in the API's own style; default: idPrefix + a UUID. */
  newId?(): string;
  /** Whether reasoning models think on this API (chat yes, legacy completions no). */
  readonly reasoning: boolean;
  /** The body as parsed (JSON, or form fields); headers for what an API reads there (Accept). */
  parse(body: unknown, headers: IncomingHttpHeaders): GenerationRequest;
  /** Header rules of the API (Anthropic's required `anthropic-version`); throws an ApiError. */
  checkHeaders?(headers: IncomingHttpHeaders): void;
  /** The whole answer; the family reports usage from the plan in its own terms. */
  body(meta: ResponseMeta, plan: OutputPlan, request: GenerationRequest): unknown;
  stream(meta: ResponseMeta, plan: OutputPlan, request: GenerationRequest, options: StreamOptions): StreamBody;
}

/** Server options that shape every stream (`--stream-interval`). */
export interface StreamOptions {
  /** Tokens per event after the first (vLLM's --stream-interval). */
  readonly streamInterval: number;
}

/** An API answered in one piece after one latency (embeddings, rankings): parser and pure formatter. */
export interface OneShotApi<T> extends Endpoint {
  parse(body: unknown): T;
  /** Latency in ms for this request under the server's config. */
  latencyMs(request: T, ctx: AppContext): number;
  promptTokens(request: T, ctx: AppContext): number;
  model(request: T): string;
  respond(request: T, ctx: AppContext): unknown;
}
