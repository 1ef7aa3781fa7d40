import { readFileSync } from 'node:fs';

/** One dataset row: the question as the client will send it, and its gold answer. */
interface Row {
  readonly index: number;
  readonly question: string;
  readonly lower: string;
  readonly gold: string;
}

/** How the grader reads an answer, told by the gold answer's own form. */
type Format = 'gsm8k' | 'choice' | 'boxed';

/** Field names of AIPerf's accuracy datasets (gsm8k: question/answer) and common alternatives. */
const QUESTION_FIELDS = ['question', 'prompt', 'input', 'problem'];
const ANSWER_FIELDS = ['answer', 'gold', 'target', 'solution'];

const GOLDEN = 0.6180339887498949;

export interface AccuracyVerdict {
  readonly correct: boolean;
  /** The whole reply: a short chain of thought, then the answer in the grader's format. */
  readonly text: string;
}

export interface AccuracyCounts {
  readonly matched: number;
  readonly correct: number;
  readonly wrong: number;
  readonly unmatched: number;
  readonly correctRate: number | null;
}

function formatOf(gold: string): Format {
  if (/^####\s*/.test(gold)) return 'gsm8k';
  if (/^\(?[A-J]\)?$/.test(gold.trim())) return 'choice';
  return 'boxed';
}

/** A wrong answer of the same form: another number, letter or expression. */
function wrongOf(gold: string, format: Format): string {
  if (format === 'gsm8k') {
    const n = Number(gold.replace(/^####\s*/, '').replace(/,/g, ''));
    return Number.isFinite(n) ? String(n + 1) : `${gold.replace(/^####\s*/, '')}0`;
  }
  if (format === 'choice') {
    const letter = gold.replace(/[()\s]/g, '');
    return letter === 'A' ? 'B' : 'A';
  }
  const n = Number(gold);
  return Number.isFinite(n) ? String(n + 1) : `${gold}+1`;
}

function answerLine(value: string, format: Format): string {
  if (format === 'gsm8k') return `#### ${value}`;
  if (format === 'choice') return `The answer is (${value})`;
  return `The final answer is $\\boxed{${value}}$.`;
}

/**
 * The accuracy oracle (--accuracy-dataset): a request whose prompt matches a row (the same text, or
 * one containing the other, case-insensitive) is answered right or wrong in the grader's format. Which
 * rows are right is fixed by the row's position (a golden-ratio sequence against --accuracy-correct-rate,
 * shifted by --random-seed), so any run over the dataset scores the rate to within one row. Each worker
 * loads the rows; the tally (AccuracyTally) lives with the global state.
 */
export class AccuracyOracle {
  private readonly rows: Row[];
  private readonly exact = new Map<string, Row>();

  private readonly offset: number;

  constructor(
    file: string,
    private readonly correctRate: number,
    seed = 0,
  ) {
    // A different seed shifts which rows are right, not how many.
    this.offset = (seed * 0.7548776662466927) % 1;
    this.rows = [];
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.trim()) return;
        let obj: Record<string, unknown>;
        try {
          obj = JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`${file}:${i + 1}: not a JSON object`);
        }
        const question = QUESTION_FIELDS.map((f) => obj[f]).find((v) => typeof v === 'string') as string | undefined;
        const gold = ANSWER_FIELDS.map((f) => obj[f]).find((v) => typeof v === 'string' || typeof v === 'number');
        if (question === undefined || gold === undefined)
          throw new Error(
            `${file}:${i + 1}: needs a question (${QUESTION_FIELDS.join('/')}) and an answer (${ANSWER_FIELDS.join('/')})`,
          );
        const row = {
          index: this.rows.length,
          question,
          lower: question.trim().toLowerCase(),
          gold: String(gold).trim(),
        };
        this.rows.push(row);
        if (!this.exact.has(row.lower)) this.exact.set(row.lower, row);
      });
    if (this.rows.length === 0) throw new Error(`${file}: no rows`);
  }

  get size(): number {
    return this.rows.length;
  }

  private find(prompt: string): Row | undefined {
    const p = prompt.trim().toLowerCase();
    const hit = this.exact.get(p);
    if (hit) return hit;
    // The client wraps the question in its template (or sends a part of it): the longest row that fits wins.
    let best: Row | undefined;
    for (const r of this.rows)
      if ((p.includes(r.lower) || r.lower.includes(p)) && (!best || r.lower.length > best.lower.length)) best = r;
    return best;
  }

  /** The verdict for a prompt, or null when no row matches (the request is answered as usual). */
  answer(prompt: string): AccuracyVerdict | null {
    const row = this.find(prompt);
    if (!row) return null;
    const correct = ((row.index + 1) * GOLDEN + this.offset) % 1 < this.correctRate;
    const format = formatOf(row.gold);
    const gold = format === 'gsm8k' ? row.gold.replace(/^####\s*/, '') : row.gold.replace(/[()]/g, '');
    const value = correct ? gold : wrongOf(row.gold, format);
    const thought = `Let me work through this step by step. The question asks: ${row.question.slice(0, 200)}`;
    return { correct, text: `${thought}\n\nWorking it out carefully gives ${value}.\n${answerLine(value, format)}` };
  }
}

/** The server-wide tally of how accuracy requests were answered, fed by their end events (no dataset needed). */
export class AccuracyTally {
  private counts = { matched: 0, correct: 0, wrong: 0, unmatched: 0 };

  count(verdict: 'correct' | 'wrong' | 'unmatched'): void {
    if (verdict === 'unmatched') this.counts.unmatched++;
    else {
      this.counts.matched++;
      this.counts[verdict]++;
    }
  }

  tally(): AccuracyCounts {
    const c = this.counts;
    return { ...c, correctRate: c.matched > 0 ? c.correct / c.matched : null };
  }

  reset(): void {
    this.counts = { matched: 0, correct: 0, wrong: 0, unmatched: 0 };
  }
}
