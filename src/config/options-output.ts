import { type OptionSpec } from './option-spec.js';

/** How answers are shaped beyond their length: streaming granularity and tool calls. */
export const OUTPUT_OPTIONS = {
  streamInterval: {
    flag: 'stream-interval',
    kind: 'integer',
    default: 1,
    min: 1,
    group: 'Output',
    describe:
      "Tokens per streamed event, as vLLM's option of the same name: the first token goes alone, then every N tokens in one event (sent when its last token is due), and the rest at the end",
  },
  toolCallRate: {
    flag: 'tool-call-rate',
    kind: 'number',
    default: 0,
    min: 0,
    max: 1,
    group: 'Output',
    describe:
      'Share of chat requests with tools and tool_choice "auto" that answer with a tool call (seeded by the request); "required" and a named function always call',
  },
} as const satisfies Record<string, OptionSpec>;
