import { type AppContext } from '../../server/context.js';
import { type Route } from '../../server/routes.js';
import { createVideoHandler, deleteVideoHandler, retrieveVideoHandler, videoContentHandler } from './handler.js';

/** OpenAI's (and SGLang's) video job routes, as AIPerf's `video_generation` endpoint and the openai SDK use them. */
export function videoRoutes(ctx: AppContext): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/videos',
      family: 'openai',
      summary: 'Video generation job (JSON or multipart form): queued, then polled',
      body: 'form',
      handler: createVideoHandler(ctx),
    },
    {
      method: 'GET',
      path: '/v1/videos/:id',
      family: 'openai',
      summary: 'A video job: queued, in_progress (progress), completed or failed',
      guarded: true,
      handler: retrieveVideoHandler(ctx),
    },
    {
      method: 'DELETE',
      path: '/v1/videos/:id',
      family: 'openai',
      summary: 'Delete a video job',
      guarded: true,
      handler: deleteVideoHandler(ctx),
    },
    {
      method: 'GET',
      path: '/v1/videos/:id/content',
      family: 'openai',
      summary: 'The MP4 of a completed video job (video/mp4)',
      guarded: true,
      handler: videoContentHandler(ctx),
    },
  ];
}
