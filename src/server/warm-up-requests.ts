/** Words the warm-up's prompts are made of: plain English, as a benchmark's synthetic prompts are. */
const WORDS = (
  'the harbor lights came on one by one as the fishing boats returned with their catch while gulls ' +
  'circled overhead and the old keeper climbed the stairs to wind the clock before the evening tide ' +
  'reached the seawall where children had built castles of sand and stone during the long afternoon'
).split(' ');

/**
 * Prompt lengths in words, cycled: short questions to a few hundred tokens, as a benchmark mixes them.
 * The first is shorter than one KV block (16 tokens by default), which the prefix cache answers
 * without hashing or looking up anything: a branch the first short prompt would otherwise take cold.
 */
const LENGTHS = [2, 12, 40, 90, 160, 260, 380];

function prompt(i: number, words: number): string {
  const out: string[] = [`Request ${i}:`];
  for (let k = 0; k < words; k++) out.push(WORDS[(i * 7 + k * 3) % WORDS.length]!);
  return out.join(' ');
}

/** Headers as AIPerf sends them (../reference: aiperf `src/aiperf/transports/base_transports.py`). */
const AIPERF = (i: number, stream: boolean): string[] => [
  'User-Agent: aiperf/0.3.0',
  `Accept: ${stream ? 'text/event-stream' : 'application/json'}`,
  `X-Request-ID: warm-up-${i}`,
  'X-Correlation-ID: warm-up',
];
/** aiohttp's defaults, as `vllm bench serve` and `sglang.bench_serving` send them: no request id. */
const AIOHTTP = ['User-Agent: Python/3.12 aiohttp/3.11.18', 'Accept: */*', 'Accept-Encoding: gzip, deflate'];
/** A raw HTTP/1.1 client (wrk, a load script) that says keep-alive and sends no id. */
const RAW = ['Connection: keep-alive'];
/** Python `requests`' defaults plus a key, as llmperf sends them (../reference/client-contract.md, 7.4). */
const REQUESTS = [
  'User-Agent: python-requests/2.32.3',
  'Accept-Encoding: gzip, deflate',
  'Accept: */*',
  'Connection: keep-alive',
  'Authorization: Bearer EMPTY',
];
/** libcurl's default, as a C++ client such as perf_analyzer (under genai-perf) sends it. */
const CURL = ['Accept: */*'];

function post(path: string, body: unknown, headers: readonly string[]): string {
  const text = JSON.stringify(body);
  return (
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join('')}` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`
  );
}

/**
 * The warm-up's requests, in turn, as the benchmark clients the mock serves build them: AIPerf's
 * streaming chat (plain and with `--extra-inputs ignore_eos:true min_tokens:N`), non-streaming chat and
 * streaming completions; `vllm bench serve`'s chat (content parts) and completions; `sglang.bench_serving`'s
 * chat; a raw keep-alive client's chat; llmperf's chat (Python `requests`) and a libcurl client's (the
 * bodies and headers in ../reference/client-contract.md, section 7).
 * Why several shapes (docs/decisions/0012, "Shapes matter"): V8 compiles the request path on what the
 * warm-up sent, and a client whose body has other fields, or that sends no request id, would otherwise
 * throw that code away on its first request and pay for compiling it again during its first burst.
 * Header sets come in five shapes and bodies in more: past four, V8 reads their fields generically, so
 * a client whose headers come in yet another order (each order is a shape) costs no recompiling either.
 * Prompts stay within a quarter of `maxModelLen` tokens (about a token per word here), so every request
 * is one the server accepts. Index 13 (mod 10 = 3) is a non-streaming chat with the longest prompt.
 */
export function warmUpRequests(model: string, maxModelLen: number, count = 48): string[] {
  const limit = Math.max(1, Math.floor(maxModelLen / 4));
  const requests: string[] = [];
  for (let i = 0; i < count; i++) {
    const words = Math.min(LENGTHS[i % LENGTHS.length]!, limit);
    const content = prompt(i, words);
    const tokens = 4 + (i % 13);
    const usage = { include_usage: true };
    const messages = [{ role: 'user', content }];
    switch (i % 10) {
      case 1: // vllm bench serve, openai-chat
        requests.push(
          post(
            '/v1/chat/completions',
            {
              model,
              messages: [{ role: 'user', content: [{ type: 'text', text: content }] }],
              max_completion_tokens: tokens,
              stream: true,
              stream_options: usage,
            },
            AIOHTTP,
          ),
        );
        break;
      case 2: // AIPerf with --extra-inputs ignore_eos:true min_tokens:N
        requests.push(
          post(
            '/v1/chat/completions',
            {
              messages,
              model,
              stream: true,
              max_completion_tokens: tokens,
              stream_options: usage,
              ignore_eos: true,
              min_tokens: tokens,
            },
            AIPERF(i, true),
          ),
        );
        break;
      case 3: // AIPerf, non-streaming
        requests.push(
          post(
            '/v1/chat/completions',
            { messages, model, stream: false, max_completion_tokens: tokens },
            AIPERF(i, false),
          ),
        );
        break;
      case 4: // a raw client
        requests.push(
          post('/v1/chat/completions', { model, messages, max_tokens: tokens, ignore_eos: true, stream: true }, RAW),
        );
        break;
      case 5: // AIPerf, completions
        requests.push(
          post(
            '/v1/completions',
            { model, prompt: content, max_tokens: tokens, stream: true, stream_options: usage },
            AIPERF(i, true),
          ),
        );
        break;
      case 6: // vllm bench serve, completions with --ignore-eos
        requests.push(
          post(
            '/v1/completions',
            {
              model,
              prompt: content,
              repetition_penalty: 1.0,
              max_tokens: tokens,
              logprobs: null,
              stream: true,
              stream_options: usage,
              ignore_eos: true,
            },
            AIOHTTP,
          ),
        );
        break;
      case 7: // sglang.bench_serving, sglang-oai-chat
        requests.push(
          post('/v1/chat/completions', { model, messages, temperature: 0, max_tokens: tokens, stream: true }, AIOHTTP),
        );
        break;
      case 8: // llmperf: a system message, then the sampling parameters after `stream`
        requests.push(
          post(
            '/v1/chat/completions',
            {
              model,
              messages: [
                { role: 'system', content: '' },
                { role: 'user', content },
              ],
              stream: true,
              max_tokens: tokens,
            },
            REQUESTS,
          ),
        );
        break;
      case 9: // a libcurl client's chat
        requests.push(post('/v1/chat/completions', { messages, model, max_tokens: tokens, stream: true }, CURL));
        break;
      default: // AIPerf, streaming chat
        requests.push(
          post(
            '/v1/chat/completions',
            { messages, model, stream: true, max_completion_tokens: tokens, stream_options: usage },
            AIPERF(i, true),
          ),
        );
    }
  }
  return requests;
}
