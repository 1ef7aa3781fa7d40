import { type AppContext } from '../../server/context.js';
import { badRequest } from '../../server/errors.js';
import { type Route } from '../../server/routes.js';
import { imageContentHandler, imagesHandler } from './handler.js';
import { parseImageRequest } from './images.js';

/** What the form parser leaves on a request: multer's files (`.any()`). */
interface WithFiles {
  files?: { fieldname: string; size: number }[];
}

/** `/v1/images/edits` is a multipart form: the fields as for a generation, plus at least one `image` file. */
function parseImageEdit(req: Parameters<Parameters<typeof imagesHandler>[2]>[0]) {
  const files = (req as unknown as WithFiles).files ?? [];
  if (!files.some((f) => f.fieldname === 'image' || f.fieldname === 'image[]'))
    throw badRequest("Field 'image' (one or more image files) is required", 'image');
  return parseImageRequest(req.body);
}

/** OpenAI's image routes, as AIPerf's `image_generation` endpoint and the openai SDK use them. */
export function imageRoutes(ctx: AppContext): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/images/generations',
      family: 'openai',
      summary: 'OpenAI image generation (b64_json or url; streaming with partial images)',
      handler: imagesHandler(ctx, '/v1/images/generations', (req) => parseImageRequest(req.body)),
    },
    {
      method: 'POST',
      path: '/v1/images/edits',
      family: 'openai',
      summary: 'OpenAI image edits (multipart form with image files)',
      body: 'form',
      handler: imagesHandler(ctx, '/v1/images/edits', parseImageEdit),
    },
    {
      method: 'GET',
      path: '/v1/images/content/:name',
      family: 'openai',
      summary: 'The picture a response_format url answer points at',
      handler: imageContentHandler(),
    },
  ];
}
