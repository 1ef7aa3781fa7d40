import { type OutputPlan, revised } from './planner.js';

/**
 * Stop sequences (OpenAI's and vLLM's `stop`): the answer ends where one of them first appears in the
 * generated text, which is cut just before it (the sequence itself is not returned), with finish reason
 * `stop`. Tokens wholly before the cut are kept, the token the cut falls in keeps its part before it
 * (and still counts), later tokens are dropped. Pure: scans the planned text once, only near each new
 * token's end.
 */
export function applyStop(plan: OutputPlan, stops: readonly string[]): OutputPlan {
  const wanted = stops.filter((s) => s.length > 0);
  if (wanted.length === 0) return plan;
  const longest = Math.max(...wanted.map((s) => s.length));
  const content = plan.content;
  let text = '';
  const starts: number[] = [];
  for (let i = 0; i < content.length; i++) {
    starts.push(text.length);
    const token = content.at(i);
    text += token;
    const from = Math.max(0, text.length - token.length - longest + 1);
    let at = -1;
    for (const s of wanted) {
      const p = text.indexOf(s, from);
      if (p >= 0 && (at < 0 || p < at)) at = p;
    }
    if (at < 0) continue;
    // The token the cut falls in: the last one starting at or before it.
    let k = i;
    while (k > 0 && starts[k]! > at) k--;
    const kept = text.slice(starts[k]!, at);
    const cut = kept.length > 0 ? content.cut(k + 1, kept) : content.cut(k);
    return revised(plan, { content: cut, finishReason: 'stop' });
  }
  return plan;
}
