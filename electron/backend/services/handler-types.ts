/** The typed handler map: one function per contract method, taking validated params. */
import type { MethodName, ParsedParams, Results } from '../../../shared/contract';

export type Handlers = { [M in MethodName]: (params: ParsedParams<M>) => Results[M] | Promise<Results[M]> };

/** A slice of the handler map, for one domain's module. */
export type HandlerGroup<K extends MethodName> = Pick<Handlers, K>;
