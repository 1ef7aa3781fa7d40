import { createRequire } from 'node:module';
import type * as Pngjs from 'pngjs';
import seedrandom from 'seedrandom';

/** Pixels per side of every image the mock makes: small on the wire, still a real picture. */
export const IMAGE_SIDE = 32;

/**
 * A deterministic PNG for (seed, image index, stage): a smooth two-colour gradient whose colours come
 * from the seed. Partial images (stage < final) are the same picture in coarser blocks, as a diffusion
 * preview sharpens; `final` is the full-resolution one. Encoded by pngjs.
 */
/** pngjs, loaded with the first image rather than at start (most runs make none; worker memory counts). */
let pngjs: typeof Pngjs | undefined;
const loadPngjs = (): typeof Pngjs => (pngjs ??= createRequire(import.meta.url)('pngjs') as typeof Pngjs);

export function mockPng(seed: string, index: number, stage: number, final: number): Buffer {
  const { PNG } = loadPngjs();
  const rand = seedrandom.alea(`${seed}|${index}`);
  const a = [rand(), rand(), rand()].map((x) => Math.round(x * 255));
  const b = [rand(), rand(), rand()].map((x) => Math.round(x * 255));
  const block = stage >= final ? 1 : 2 ** (final - stage + 1);
  const png = new PNG({ width: IMAGE_SIDE, height: IMAGE_SIDE, colorType: 2 });
  for (let y = 0; y < IMAGE_SIDE; y++) {
    for (let x = 0; x < IMAGE_SIDE; x++) {
      const bx = Math.floor(x / block) * block;
      const by = Math.floor(y / block) * block;
      const t = (bx + by) / (2 * (IMAGE_SIDE - 1));
      const o = (y * IMAGE_SIDE + x) * 4;
      for (let c = 0; c < 3; c++) png.data[o + c] = Math.round(a[c]! * (1 - t) + b[c]! * t);
      png.data[o + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}
