import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';
import { badRequest } from '../../server/errors.js';
import { type OneShotApi } from '../contract.js';
import { type JsonObject, optionalString, requireObject } from '../fields.js';

interface RetrievalRequest {
  readonly model: string;
  readonly urls: readonly string[];
}

const CATEGORIES = ['title', 'table', 'figure', 'text', 'header', 'footer'] as const;
const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** 1–5 boxes per image, grouped by category: a pure function of the image URL. */
function boxes(url: string): Record<string, JsonObject[]> {
  const rand = seedrandom.alea(createHash('sha1').update(url).digest('hex'));
  const out: Record<string, JsonObject[]> = {};
  const n = 1 + Math.floor(rand() * 5);
  for (let i = 0; i < n; i++) {
    const category = CATEGORIES[Math.floor(rand() * CATEGORIES.length)]!;
    const xMin = rand() * 0.5;
    const yMin = rand() * 0.5;
    (out[category] ??= []).push({
      x_min: r4(xMin),
      y_min: r4(yMin),
      x_max: r4(xMin + 0.05 + rand() * (0.95 - xMin)),
      y_max: r4(yMin + 0.05 + rand() * (0.95 - yMin)),
      confidence: r4(0.7 + rand() * 0.3),
    });
  }
  return out;
}

/**
 * NVIDIA NIM image retrieval (page elements), `POST /v1/infer` and `/v1/image/infer`: the body AIPerf's
 * `nim_image_retrieval` endpoint sends (`input: [{type: "image_url", url}]`), answered with
 * `data[].{index, bounding_boxes}` per image and `usage.images_size_mb`. Its `template` endpoint type can
 * drive it too (docs/endpoints.md has the template).
 */
export function imageRetrievalApi(endpoint: string): OneShotApi<RetrievalRequest> {
  return {
    endpoint,
    family: 'openai',
    summary: 'NIM image retrieval: bounding boxes per image',
    parse(raw) {
      const body = requireObject(raw);
      const input = body['input'];
      if (!Array.isArray(input) || input.length === 0)
        throw badRequest("Field 'input' must be a non-empty list of {type: 'image_url', url}", 'input');
      const urls = input.map((item, i) => {
        const url = typeof item === 'object' && item !== null ? (item as JsonObject)['url'] : undefined;
        if (typeof url !== 'string') throw badRequest(`input[${i}].url must be a string`, `input[${i}].url`);
        return url;
      });
      return { model: optionalString(body, 'model') ?? 'nv-yolox-page-elements', urls };
    },
    latencyMs: (r, ctx) => ctx.config.rankingBaseLatency + ctx.config.rankingPerPassageLatency * r.urls.length,
    promptTokens: () => 0,
    model: (r) => r.model,
    respond: (r) => ({
      data: r.urls.map((url, index) => ({ index, bounding_boxes: boxes(url) })),
      usage: { images_size_mb: r4(r.urls.reduce((n, u) => n + u.length, 0) / (1024 * 1024 * 1.37)) },
    }),
  };
}
