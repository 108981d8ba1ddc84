/**
 * The in-process transport: the CLI and the tests call the backend directly, yet every
 * value still goes through JSON, exactly as over IPC or HTTP, so all transports agree.
 */
import type { Api, MethodName, Params, PushEvent, Result } from '../../../shared/contract';
import { ApiError } from '../../../shared/errors';
import type { Backend, CallContext } from './backend';

export function createInProcessApi(backend: Backend, context: CallContext): Api {
  return {
    async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
      try {
        const result = await backend.dispatch(method, JSON.parse(JSON.stringify(params ?? {})), context);
        return JSON.parse(JSON.stringify(result)) as Result<M>;
      } catch (err) {
        // Errors cross as values, as they would over a wire.
        throw err instanceof ApiError ? ApiError.from(err.toJSON()) : err;
      }
    },
    subscribe(listener: (event: PushEvent) => void): () => void {
      return backend.subscribe(listener);
    },
  };
}
