/** Prints docs/options.md's option tables from the one option table: `node dist/scripts/options-doc.js`. */
import { envName, optionEntries } from '../src/config/options.js';

const groups = new Map<string, string[]>();
for (const [, spec] of optionEntries()) {
  const rows = groups.get(spec.group) ?? [];
  const def = 'default' in spec && spec.default !== undefined ? `\`${String(spec.default)}\`` : '—';
  const short = spec.alias ? `\`-${spec.alias}\`` : '';
  const allowed = spec.choices ? ` One of: ${spec.choices.map((c) => `\`${c}\``).join(', ')}.` : '';
  rows.push(`| \`--${spec.flag}\` | ${short} | \`${envName(spec)}\` | ${def} | ${spec.describe}.${allowed} |`);
  groups.set(spec.group, rows);
}
for (const [group, rows] of groups) {
  console.log(`## ${group}\n`);
  console.log('| Option | Short | Env | Default | Description |');
  console.log('|---|---|---|---|---|');
  console.log(rows.join('\n'));
  console.log();
}
