import { createHash } from 'node:crypto';
import { type IncomingHttpHeaders } from 'node:http';
import { badRequest } from '../../server/errors.js';
import { type StreamBody } from '../contract.js';
import { formBool, formCount, optionalString, requireObject, requiredString } from '../fields.js';
import { mockPng } from './png.js';

export interface ImageRequest {
  readonly model: string;
  readonly prompt: string;
  readonly n: number;
  readonly size: string;
  readonly responseFormat: 'b64_json' | 'url';
  readonly stream: boolean;
  /** Partial images streamed before each final one (OpenAI's `partial_images`, 0–3). */
  readonly partialImages: number;
  readonly quality: string;
  readonly background: string;
  /** Hex seed of the pictures: a pure function of (model, prompt). */
  readonly seed: string;
}

/** Image tokens OpenAI's gpt-image-1 reports for a medium-quality 1024×1024 image. */
const IMAGE_TOKENS = 1056;

/**
 * `POST /v1/images/generations` (JSON) and `/v1/images/edits` (multipart form: every value a string), as
 * AIPerf's `image_generation` endpoint and the openai SDK send them: `prompt` (required), `model`, `n`
 * (1–10), `size`, `response_format` (`b64_json` or `url`), `stream`, `partial_images` (0–3), `quality`,
 * `background`; other fields (`output_format`, `moderation`, `style`, ...) are accepted. Pictures are
 * PNG whatever `output_format` asks.
 */
export function parseImageRequest(raw: unknown, _headers?: IncomingHttpHeaders): ImageRequest {
  const body = requireObject(raw);
  const prompt = requiredString(body, 'prompt');
  const model = optionalString(body, 'model') ?? 'gpt-image-1';
  const n = formCount(body, 'n') ?? 1;
  if (n < 1 || n > 10) throw badRequest(`Field 'n' must be between 1 and 10, got ${n}`, 'n');
  const partialImages = formCount(body, 'partial_images') ?? 0;
  if (partialImages > 3)
    throw badRequest(`Field 'partial_images' must be between 0 and 3, got ${partialImages}`, 'partial_images');
  const format = optionalString(body, 'response_format') ?? 'b64_json';
  if (format !== 'b64_json' && format !== 'url')
    throw badRequest(
      `Field 'response_format' must be one of b64_json, url, got ${JSON.stringify(format)}`,
      'response_format',
    );
  return {
    model,
    prompt,
    n,
    size: optionalString(body, 'size') ?? '1024x1024',
    responseFormat: format,
    stream: formBool(body, 'stream'),
    partialImages,
    quality: optionalString(body, 'quality') ?? 'medium',
    background: optionalString(body, 'background') ?? 'opaque',
    seed: createHash('sha1').update(`${model}\n${prompt}`).digest('hex').slice(0, 16),
  };
}

/** OpenAI's image usage: text tokens in, image tokens out. */
export function imageUsage(request: ImageRequest, promptTokens: number) {
  const output = IMAGE_TOKENS * request.n;
  return {
    input_tokens: promptTokens,
    input_tokens_details: { text_tokens: promptTokens, image_tokens: 0 },
    output_tokens: output,
    total_tokens: promptTokens + output,
  };
}

/** The final picture of image `index`, as the content route serves it. */
export const finalPng = (seed: string, index: number): Buffer => mockPng(seed, index, 1, 1);

/** Where `response_format: url` points: the content route, which makes the same picture again. */
export const imageUrl = (origin: string, seed: string, index: number): string =>
  `${origin}/v1/images/content/${seed}-${index}.png`;

/** The picture a content URL names, or null for a name the mock never handed out. */
export function pngForName(name: string): Buffer | null {
  const m = /^([0-9a-f]{16})-(\d)\.png$/.exec(name);
  return m ? finalPng(m[1]!, Number(m[2])) : null;
}

/** `{created, data[], size, quality, output_format, background, usage}` as OpenAI answers. */
export function imagesBody(request: ImageRequest, created: number, promptTokens: number, origin: string) {
  return {
    created,
    data: Array.from({ length: request.n }, (_, i) =>
      request.responseFormat === 'url'
        ? { url: imageUrl(origin, request.seed, i), revised_prompt: request.prompt }
        : { b64_json: finalPng(request.seed, i).toString('base64'), revised_prompt: request.prompt },
    ),
    size: request.size,
    quality: request.quality,
    output_format: 'png',
    background: request.background,
    usage: imageUsage(request, promptTokens),
  };
}

/**
 * OpenAI's image stream: for each image, `partial_images` events
 * `image_generation.partial_image` (`b64_json`, `partial_image_index`), then one
 * `image_generation.completed` with the final picture and the usage. Event i is due one stage after
 * event i − 1 (the handler's latency plan).
 */
export function imageStreamBody(request: ImageRequest, created: number, promptTokens: number): StreamBody {
  const stages = request.partialImages + 1;
  const common = {
    created_at: created,
    size: request.size,
    quality: request.quality,
    background: request.background,
    output_format: 'png',
  };
  return {
    events: request.n * stages,
    tokenEvents: 0,
    frame(i) {
      const image = Math.floor(i / stages);
      const stage = i % stages;
      if (stage < request.partialImages) {
        const data = {
          type: 'image_generation.partial_image',
          b64_json: mockPng(request.seed, image, stage, request.partialImages).toString('base64'),
          partial_image_index: stage,
          ...common,
        };
        return `event: image_generation.partial_image\ndata: ${JSON.stringify(data)}\n\n`;
      }
      const data = {
        type: 'image_generation.completed',
        b64_json: finalPng(request.seed, image).toString('base64'),
        ...common,
        usage: imageUsage(request, promptTokens),
      };
      return `event: image_generation.completed\ndata: ${JSON.stringify(data)}\n\n`;
    },
    trailer: '',
    errorFrame: (message) =>
      `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'server_error', code: 'server_error', message, param: null } })}\n\n`,
  };
}
