// `npm start` builds only when dist/ is missing or older than a source file, then hands over.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'dist/assets/corpus.o200k_base.json');

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'scripts')), newest(join(root, 'assets')));
if (!existsSync(stamp) || statSync(stamp).mtimeMs < sources) {
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}
