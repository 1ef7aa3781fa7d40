/** Words the warm-up's prompts are made of: plain English, as a benchmark's synthetic prompts are. */
const WORDS = (
  'the harbor lights came on one by one as the fishing boats returned with their catch while gulls ' +
  'circled overhead and the old keeper climbed the stairs to wind the clock before the evening tide ' +
  'reached the seawall where children had built castles of sand and stone during the long afternoon'
).split(' ');

/** Prompt lengths in words, cycled: short questions to a few hundred tokens, as a benchmark mixes them. */
const LENGTHS = [12, 40, 90, 160, 260, 380];

function prompt(i: number, words: number): string {
  const out: string[] = [`Request ${i}:`];
  for (let k = 0; k < words; k++) out.push(WORDS[(i * 7 + k * 3) % WORDS.length]!);
  return out.join(' ');
}

function post(path: string, body: unknown, i: number, stream: boolean): string {
  const text = JSON.stringify(body);
  return (
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: aiperf-mock-server/warm-up\r\n` +
    `Content-Type: application/json\r\nAccept: ${stream ? 'text/event-stream' : 'application/json'}\r\n` +
    `X-Request-ID: warm-up-${i}\r\nX-Correlation-ID: warm-up\r\n` +
    `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`
  );
}

/**
 * The warm-up's requests: mostly streaming chat as AIPerf sends it (its body fields and headers), some
 * non-streaming chat and streaming completions. Prompts stay within a quarter of `maxModelLen` tokens
 * (about a token per word here), so every request is one the server accepts.
 */
export function warmUpRequests(model: string, maxModelLen: number, count = 48): string[] {
  const limit = Math.max(1, Math.floor(maxModelLen / 4));
  const requests: string[] = [];
  for (let i = 0; i < count; i++) {
    const words = Math.min(LENGTHS[i % LENGTHS.length]!, limit);
    const content = prompt(i, words);
    const tokens = 4 + (i % 13);
    if (i % 8 === 5) {
      requests.push(
        post(
          '/v1/completions',
          { model, prompt: content, max_tokens: tokens, stream: true, stream_options: { include_usage: true } },
          i,
          true,
        ),
      );
    } else if (i % 8 === 3) {
      requests.push(
        post(
          '/v1/chat/completions',
          { messages: [{ role: 'user', content }], model, stream: false, max_completion_tokens: tokens },
          i,
          false,
        ),
      );
    } else {
      requests.push(
        post(
          '/v1/chat/completions',
          {
            messages: [{ role: 'user', content }],
            model,
            stream: true,
            max_completion_tokens: tokens,
            stream_options: { include_usage: true },
          },
          i,
          true,
        ),
      );
    }
  }
  return requests;
}
