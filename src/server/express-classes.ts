import { IncomingMessage, ServerResponse, type ServerOptions } from 'node:http';
import { type Express } from 'express';

/**
 * Request and response classes for node's server whose instances already have the prototypes express
 * gives them. express's `app.handle` re-points every request and response at `app.request` and
 * `app.response` (`Object.setPrototypeOf`); done to an object node built as a plain IncomingMessage,
 * that gives it a new hidden class on every request, and node's own hot functions (the parser
 * callbacks, writeHead, _storeHeader) then run measurably slower. Here the app's prototypes become the
 * prototypes of two subclasses of node's own classes, so node builds each object with the right
 * prototype and express's re-pointing is a no-op (an object keeps its hidden class when it is given
 * the prototype it already has). Subclasses rather than plain constructor functions: V8 sizes a
 * derived class's objects from its whole constructor chain, so their fields stay in-object.
 */
export function expressServerClasses(app: Express): Pick<ServerOptions, 'IncomingMessage' | 'ServerResponse'> {
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse {}
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as typeof app.request;
  app.response = AppResponse.prototype as typeof app.response;
  return { IncomingMessage: AppRequest, ServerResponse: AppResponse as typeof ServerResponse };
}
