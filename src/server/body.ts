import bytes from 'bytes';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { createRequire } from 'node:module';
import type Multer from 'multer';
import { ApiError, badRequest } from './errors.js';

/** JSON bodies: any content type is read as JSON, so `curl -d` without -H works; bad JSON is a clear 400. */
export function jsonBody(limit: string): RequestHandler {
  return express.json({ limit, type: () => true, strict: false });
}

/**
 * JSON or multipart/form-data (the openai SDK sends video jobs and image edits as forms; AIPerf's
 * video endpoint can too). Form fields land in `req.body` as strings, files in memory in `req.files`,
 * within the same size limit as JSON bodies; a malformed or oversized form is a 400 or 413, never a 500.
 */
export function formBody(limit: string): RequestHandler {
  const json = jsonBody(limit);
  // The same parser body-parser reads the JSON limit with, so both kinds of body get the same limit.
  const max = bytes.parse(limit) ?? Number.MAX_SAFE_INTEGER;
  // Loaded on the first form, not at start: most runs never see one, and every worker's memory counts.
  let upload: RequestHandler | undefined;
  const uploader = (): RequestHandler => {
    const multer = createRequire(import.meta.url)('multer') as typeof Multer;
    return multer({
      storage: multer.memoryStorage(),
      limits: { fileSize: max, fieldSize: max, files: 16, fields: 256, parts: 272 },
    }).any();
  };
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!req.is('multipart/form-data')) {
      json(req, res, next);
      return;
    }
    (upload ??= uploader())(req, res, (err?: unknown) =>
      next(err === undefined || err === null ? undefined : formError(err)),
    );
  };
}

function formError(err: unknown): ApiError {
  const e = err as { name?: string; code?: string; message?: string };
  if (e.name === 'MulterError' && (e.code === 'LIMIT_FILE_SIZE' || e.code === 'LIMIT_FIELD_VALUE'))
    return new ApiError(413, 'invalid_request_error', `Form part is larger than the limit: ${e.message}`, null, 413);
  return badRequest(`Request body is not a valid multipart form: ${String(e.message ?? err)}`);
}
