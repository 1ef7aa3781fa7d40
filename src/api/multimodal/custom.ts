import { badRequest } from '../../server/errors.js';
import { type JsonObject, optionalCount, optionalObject, requireObject } from '../fields.js';
import { type GenerationApi, type GenerationRequest } from '../contract.js';
import { openAIUsage } from '../../generation/usage.js';

const list = (obj: JsonObject | null, field: string, where: string): unknown[] => {
  const v = obj?.[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badRequest(`Field '${where}' must be a list`, where);
  return v;
};

interface Counts {
  texts: number;
  images: number;
  videos: number;
  audios: number;
}

/** What was received, counted from the body (kept on the request for the formatter). */
const COUNTS = new WeakMap<GenerationRequest, Counts>();

function parseCustom(raw: unknown): GenerationRequest {
  const body = requireObject(raw);
  const bundle = optionalObject(body, 'modality_bundle');
  const visual = bundle ? optionalObject(bundle, 'visual_assets') : null;
  const fragments = list(bundle, 'text_fragments', 'modality_bundle.text_fragments');
  if (!fragments.every((f) => typeof f === 'string'))
    throw badRequest(
      "Field 'modality_bundle.text_fragments' must be a list of strings",
      'modality_bundle.text_fragments',
    );
  const params = optionalObject(body, 'inference_params');
  const sampling = params ? optionalObject(params, 'sampling_config') : null;
  const modelId = params?.['model_id'];
  const request: GenerationRequest = {
    model: typeof modelId === 'string' ? modelId : 'default-model',
    stream: false,
    includeUsage: false,
    promptText: (fragments as string[]).join(' ') || 'default text',
    promptTokenCount: null,
    maxTokens: sampling ? optionalCount(sampling, 'max_tokens') : null,
    minTokens: null,
    ignoreEos: false,
    reasoningEffort: null,
  };
  COUNTS.set(request, {
    texts: fragments.length,
    images: list(visual, 'images', 'modality_bundle.visual_assets.images').length,
    videos: list(visual, 'videos', 'modality_bundle.visual_assets.videos').length,
    audios: list(bundle, 'audio_streams', 'modality_bundle.audio_streams').length,
  });
  return request;
}

export function describeBundle(c: Counts): string {
  let text = `Processed ${c.texts} text fragments`;
  if (c.images) text += `, ${c.images} images`;
  if (c.videos) text += `, ${c.videos} videos`;
  if (c.audios) text += `, ${c.audios} audio streams`;
  return text;
}

/**
 * `POST /v1/custom-multimodal` (the brief's example of a non-standard API, driven by AIPerf's template
 * endpoint): `{text, completion: {generated_text, metadata: {tokens_used}}}`; the timing and token
 * counts are those of a generation of the text fragments.
 */
export const CUSTOM_MULTIMODAL_API: GenerationApi = {
  endpoint: '/v1/custom-multimodal',
  family: 'openai',
  summary: 'Custom multimodal format (text fragments, images, videos, audio)',
  idPrefix: 'mm-',
  reasoning: false,
  parse: parseCustom,
  body(_meta, plan, request) {
    const usage = openAIUsage(plan);
    const text = describeBundle(COUNTS.get(request) ?? { texts: 0, images: 0, videos: 0, audios: 0 });
    return {
      text,
      completion: {
        generated_text: text,
        metadata: {
          tokens_used: { input: usage.prompt_tokens, output: usage.completion_tokens, total: usage.total_tokens },
        },
      },
    };
  },
  stream() {
    throw badRequest('Streaming is not supported on /v1/custom-multimodal');
  },
};
