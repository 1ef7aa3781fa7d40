import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type OutputPlan } from '../../src/generation/planner.js';
import { applyStop } from '../../src/generation/stop.js';
import { TokenSpan } from '../../src/generation/token-span.js';

const plan: OutputPlan = {
  promptTokens: 3,
  reasoning: TokenSpan.of([]),
  content: TokenSpan.of(['Hel', 'lo', ' wor', 'ld', '!']),
  finishReason: 'length',
  cachedTokens: 0,
  cacheCreationTokens: 0,
  seed: 7,
};
const tokens = (p: OutputPlan): string[] => p.content.map((t) => t);

describe('stop sequences', () => {
  const table: [string, string[], string[], string][] = [
    ['inside a token: that token keeps its part before the stop', ['wor'], ['Hel', 'lo', ' '], 'stop'],
    ['across tokens: cut in the token where the stop starts', ['lo w'], ['Hel'], 'stop'],
    ['at a token boundary', [' wor'], ['Hel', 'lo'], 'stop'],
    ['at the very start: nothing left', ['Hel'], [], 'stop'],
    ['the earliest of several wins', ['!', 'ld'], ['Hel', 'lo', ' wor'], 'stop'],
    ['absent: the plan is unchanged', ['xyz'], ['Hel', 'lo', ' wor', 'ld', '!'], 'length'],
    ['empty strings are ignored', [''], ['Hel', 'lo', ' wor', 'ld', '!'], 'length'],
  ];
  for (const [what, stops, expected, finish] of table) {
    it(what, () => {
      const out = applyStop(plan, stops);
      assert.deepEqual(tokens(out), expected);
      assert.equal(out.finishReason, finish);
      assert.equal(out.content.join(), expected.join(''));
    });
  }
});
