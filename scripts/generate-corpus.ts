/**
 * Writes assets/corpus.txt: English-like prose from a vocabulary and grammar of this project's own,
 * so that output token lengths look like English without committing anyone else's text.
 * Deterministic (seeded), so regenerating gives the same file: `node dist/scripts/generate-corpus.js`.
 */
import { writeFileSync } from 'node:fs';
import seedrandom from 'seedrandom';
import { DEFAULT_CORPUS_PATH } from '../src/generation/assets.js';

const W = (s: string): string[] => s.trim().split(/\s+/);

const NOUNS = W(`
  river harbor lantern orchard village engine market garden window meadow valley mountain bridge
  tower station library council letter journey morning evening winter summer autumn spring season
  signal mirror kitchen doorway carriage ledger compass pattern theory method system network record
  archive chapter promise question answer reason problem solution picture machine instrument voice
  silence shadow harvest forest island coast shore current tide storm cloud thunder candle ribbon
  traveler merchant teacher student captain gardener weaver baker painter sailor farmer doctor clerk
  neighbor stranger family crowd committee company factory workshop laboratory measure figure number
  letterbox blanket basket window table chair staircase corridor courtyard fountain statue portrait
  melody rhythm song story rumor legend account report estimate forecast signalman lighthouse canal
  railway platform ticket schedule engineer design drawing model sample result experiment outcome
  memory habit custom festival ceremony holiday visitor guest host owner tenant landlord apprentice
`);
const ADJS = W(`
  quiet bright narrow ancient careful gentle sudden patient distant heavy hollow silver golden
  crowded empty familiar curious modest honest simple complex steady restless early late warm cold
  pale dark clever stubborn tired eager humble proud open hidden broken careful useful ordinary
  remarkable uncertain reliable rapid slow northern southern eastern western wooden stone iron paper
  small large long short young old new faint loud sharp soft rough smooth clear cloudy
`);
const VERBS_T = W(`
  carried found opened closed followed measured repaired painted studied remembered described
  watched noticed answered crossed gathered counted delivered borrowed promised explained prepared
  collected finished started visited carried moved lifted signed copied checked planted built
`);
const VERBS_I = W(`
  waited arrived paused listened wandered returned vanished laughed hesitated rested worked
  traveled disappeared agreed improved changed recovered settled continued gathered
`);
const ADVS = W(`
  slowly quickly quietly carefully suddenly gently patiently finally nearly rarely often always
  never eventually certainly perhaps clearly briefly barely openly
`);
const PREPS = W('across beneath beside behind toward along through around near past under over beyond');
const DETS = W('the the the a this that every each one another');
const CONJS = ['and', 'but', 'while', 'because', 'although', 'so', 'until', 'after', 'before'];
const NAMES = W('Ada Marek Liora Tomas Ines Oskar Nadia Felix Sabine Ilan Mireille Kasimir Petra Rowan Edda Lucan');
const OPENERS = [
  'In the morning',
  'By evening',
  'For a while',
  'Even so',
  'At last',
  'Later that year',
  'Some time ago',
  'Without a word',
];

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

function nounPhrase(rng: Rng): string {
  const det = pick(rng, DETS);
  const adj = rng() < 0.55 ? pick(rng, ADJS) + ' ' : '';
  let noun = pick(rng, NOUNS);
  if (det === 'the' && rng() < 0.25) noun += 's';
  const article = det === 'a' && /^[aeiou]/.test(adj || noun) ? 'an' : det;
  return `${article} ${adj}${noun}`;
}

function subject(rng: Rng): string {
  return rng() < 0.25 ? pick(rng, NAMES) : nounPhrase(rng);
}

function clause(rng: Rng): string {
  const adv = rng() < 0.3 ? pick(rng, ADVS) + ' ' : '';
  const pp = rng() < 0.5 ? ` ${pick(rng, PREPS)} ${nounPhrase(rng)}` : '';
  if (rng() < 0.6) return `${subject(rng)} ${adv}${pick(rng, VERBS_T)} ${nounPhrase(rng)}${pp}`;
  return `${subject(rng)} ${adv}${pick(rng, VERBS_I)}${pp}`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function sentence(rng: Rng): string {
  const r = rng();
  if (r < 0.08) {
    return `"Did ${nounPhrase(rng)} ${pick(rng, VERBS_I).replace(/ed$/, '')}?" asked ${pick(rng, NAMES)}.`;
  }
  if (r < 0.16) return `${pick(rng, OPENERS)}, ${clause(rng)}.`;
  let s = clause(rng);
  if (rng() < 0.45) s += `${rng() < 0.3 ? ',' : ''} ${pick(rng, CONJS)} ${clause(rng)}`;
  if (rng() < 0.12) s += `; ${clause(rng)}`;
  return capitalise(s) + '.';
}

function generateCorpus(seed: string, paragraphs: number): string {
  const rng = seedrandom(seed);
  const out: string[] = [];
  for (let p = 0; p < paragraphs; p++) {
    const n = 3 + Math.floor(rng() * 6);
    const sentences: string[] = [];
    for (let i = 0; i < n; i++) sentences.push(sentence(rng));
    out.push(sentences.join(' '));
  }
  return out.join('\n\n') + '\n';
}

const text = generateCorpus('aiperf-mock-server corpus v1', 1800);
writeFileSync(DEFAULT_CORPUS_PATH, text);
console.log(`wrote ${DEFAULT_CORPUS_PATH}: ${text.length} characters`);
