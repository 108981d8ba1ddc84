/** An `Api` over the browser-mode HTTP transport, for Node tests (same wire as the renderer's). */
import type { Api, MethodName, Params, ReplyMessage, Result } from '../../shared/contract';
import { ApiError } from '../../shared/errors';

export function createHttpApi(baseUrl: string, token: string): Api {
  let nextId = 1;
  return {
    async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
      const response = await fetch(`${baseUrl}/api/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-undertow-token': token },
        body: JSON.stringify({ id: nextId++, method, params }),
      });
      const reply = (await response.json()) as ReplyMessage;
      if (reply.ok) return reply.result as Result<M>;
      throw ApiError.from(reply.error);
    },
    subscribe() {
      throw new Error('push is tested separately over SSE');
    },
  };
}
