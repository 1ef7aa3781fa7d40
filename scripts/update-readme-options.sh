#!/bin/sh
# Rewrites the README's option tables (from "### Server" up to "## Endpoints") from the option table.
set -e
cd "$(dirname "$0")/.."
node dist/scripts/options-doc.js > /tmp/options-doc.md
python3 - <<'PY'
s = open('README.md').read()
a = s.index('### Server\n')
b = s.index('## Endpoints\n')
s = s[:a] + open('/tmp/options-doc.md').read().rstrip() + '\n\n' + s[b:]
open('README.md', 'w').write(s)
PY
npx prettier --write README.md > /dev/null
