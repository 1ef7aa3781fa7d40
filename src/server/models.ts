import { type ServerResponse } from 'node:http';
import { type Config } from '../config/options.js';
import { secondsUntilReady } from './access.js';
import { type ApiRequest, type AppContext } from './context.js';
import { ApiError } from './errors.js';
import { sendError, sendJson } from './respond.js';

/** The model ids the server serves: --served-model-name (comma-separated), else --default-model. */
export function servedModels(config: Pick<Config, 'servedModelName' | 'defaultModel'>): string[] {
  const names = config.servedModelName
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  return names.length > 0 ? [...new Set(names)] : [config.defaultModel];
}

/** An unknown model under --strict-models: OpenAI's 404, rendered in the called API's family shape. */
export function modelNotFound(model: string): ApiError {
  return new ApiError(
    404,
    'invalid_request_error',
    `The model \`${model}\` does not exist.`,
    'model',
    'model_not_found',
  );
}

/** Throws modelNotFound when --strict-models is on and the model is not served. */
export function checkModel(ctx: AppContext, model: string): void {
  if (ctx.config.strictModels && !ctx.models.includes(model)) throw modelNotFound(model);
}

/** One model card as vLLM lists it (plus `max_model_len`). */
function card(id: string, created: number, maxModelLen: number) {
  return {
    id,
    object: 'model',
    created,
    owned_by: 'aiperf-mock-server',
    root: id,
    parent: null,
    max_model_len: maxModelLen,
  };
}

/** GET /v1/models: every served model (none while --models-ready-delay-seconds runs). */
export function modelsHandler(ctx: AppContext) {
  const created = Math.floor(Date.now() / 1000);
  return (_req: ApiRequest, res: ServerResponse): void => {
    const loading = secondsUntilReady(ctx.startedEpochMs, ctx.config.modelsReadyDelaySeconds) > 0;
    sendJson(res, 200, {
      object: 'list',
      data: loading ? [] : ctx.models.map((id) => card(id, created, ctx.config.maxModelLen)),
    });
  };
}

/** GET /v1/models/{id} (ids may contain slashes: `Qwen/Qwen3-0.6B`): its card, or OpenAI's 404. */
export function modelHandler(ctx: AppContext) {
  const created = Math.floor(Date.now() / 1000);
  return (req: ApiRequest, res: ServerResponse): void => {
    const raw = req.params?.['id'];
    const id = Array.isArray(raw) ? raw.join('/') : (raw ?? '');
    const loading = secondsUntilReady(ctx.startedEpochMs, ctx.config.modelsReadyDelaySeconds) > 0;
    if (loading || !ctx.models.includes(id)) {
      sendError(res, modelNotFound(id), 'openai');
      return;
    }
    sendJson(res, 200, card(id, created, ctx.config.maxModelLen));
  };
}
