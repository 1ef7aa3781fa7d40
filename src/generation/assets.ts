import { fileURLToPath } from 'node:url';

/** Files committed in the repo (`assets/`) and files the build derives from them (`dist/assets/`). */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const SOURCE_ASSETS_DIR = REPO_ROOT + 'assets/';
/** Named option presets (`--profile NAME` → profiles/NAME.yaml). */
export const PROFILES_DIR = REPO_ROOT + 'profiles/';
export const BUILT_ASSETS_DIR = REPO_ROOT + 'dist/assets/';

export const DEFAULT_CORPUS_PATH = SOURCE_ASSETS_DIR + 'corpus.txt';

export function rankCachePath(encoding: string): string {
  return `${BUILT_ASSETS_DIR}${encoding}.ranks.bin`;
}

export function corpusCachePath(encoding: string): string {
  return `${BUILT_ASSETS_DIR}corpus.${encoding}.json`;
}
