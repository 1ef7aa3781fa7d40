#!/bin/sh
# Rewrites the generated parts of docs/ from this build: the option tables of docs/options.md (from
# "## Server" to the end) and the series list of docs/metrics.md (between its generated markers).
set -e
cd "$(dirname "$0")/.."
node dist/scripts/options-doc.js > /tmp/options-doc.md
node dist/scripts/metrics-doc.js > /tmp/metrics-doc.md
python3 - <<'PY'
s = open('docs/options.md').read()
s = s[: s.index('## Server\n')] + open('/tmp/options-doc.md').read().rstrip() + '\n'
open('docs/options.md', 'w').write(s)
m = open('docs/metrics.md').read()
a = m.index('<!-- generated: metrics -->\n') + len('<!-- generated: metrics -->\n')
b = m.index('<!-- end generated -->')
open('docs/metrics.md', 'w').write(m[:a] + '\n' + open('/tmp/metrics-doc.md').read().rstrip() + '\n\n' + m[b:])
PY
npx prettier --write docs/options.md docs/metrics.md > /dev/null
