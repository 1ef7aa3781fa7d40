import { MESSAGES_API } from './anthropic/messages.js';
import { type AppContext } from '../server/context.js';
import { type Route } from '../server/routes.js';
import { type GenerationApi, type OneShotApi } from './contract.js';
import { imageRoutes } from './images/routes.js';
import { SOLIDO_RAG_API } from './rag/solido.js';
import { imageRetrievalApi } from './retrieval/image-retrieval.js';
import { videoRoutes } from './videos/routes.js';
import { CHAT_EMBEDDINGS_API, EMBEDDINGS_API } from './embeddings/embeddings.js';
import { CUSTOM_MULTIMODAL_API } from './multimodal/custom.js';
import { CHAT_API, COMPLETIONS_API } from './openai/apis.js';
import { COHERE_RERANK_API, NIM_RANKING_API, TEI_RERANK_API } from './rankings/rankings.js';
import { RESPONSES_API } from './responses/responses.js';
import { TGI_GENERATE_API, TGI_STREAM_API } from './tgi/tgi.js';

/** An API the server answers, by the request path it takes: token generation, or one answer after one latency. */
export type RegisteredApi =
  | { readonly kind: 'generation'; readonly api: GenerationApi }
  | { readonly kind: 'one-shot'; readonly api: OneShotApi<unknown> }
  /** A family whose routes are its own (job APIs, binary content): it hands over finished routes. */
  | { readonly kind: 'routes'; readonly routes: (ctx: AppContext) => Route[] };

const generation = (api: GenerationApi): RegisteredApi => ({ kind: 'generation', api });
const oneShot = <T>(api: OneShotApi<T>): RegisteredApi => ({ kind: 'one-shot', api: api as OneShotApi<unknown> });

/** Every API family's endpoints, in the order the route table and `/` list them. Each API names its own path. */
export const APIS: readonly RegisteredApi[] = [
  generation(CHAT_API),
  generation(COMPLETIONS_API),
  generation(RESPONSES_API),
  generation(MESSAGES_API),
  generation(TGI_GENERATE_API),
  generation(TGI_STREAM_API),
  oneShot(EMBEDDINGS_API),
  oneShot(CHAT_EMBEDDINGS_API),
  generation(CUSTOM_MULTIMODAL_API),
  oneShot(NIM_RANKING_API),
  oneShot(TEI_RERANK_API),
  oneShot(COHERE_RERANK_API),
  generation(SOLIDO_RAG_API),
  oneShot(imageRetrievalApi('/v1/infer')),
  oneShot(imageRetrievalApi('/v1/image/infer')),
  { kind: 'routes', routes: imageRoutes },
  { kind: 'routes', routes: videoRoutes },
];
