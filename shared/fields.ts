/**
 * Field schemas that many API params share: ids, times, symbols, job ids, a user's own rule
 * tables, and the choice between a stored portfolio and an inline one.
 */
import { z } from 'zod';
import { portfolioSchema } from './portfolio';

/** A stored row's id. */
export const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** A time in UTC seconds (up to the year 3000). */
export const unixSeconds = z.number().int().min(0).max(32503680000);

export const symbol = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9._:/-]+$/, 'letters, digits and . _ : / - only');

/** A client-chosen job id: progress events carry it and the cancel methods take it. */
export const jobId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only (at most 64)');

/** A user's own venue rule tables (the JSON of `--rules FILE`), validated by the engine. */
export const userRules = z.array(z.record(z.string(), z.unknown())).min(1).max(20).optional();

/** The portfolio a call is about: a stored one by id or one given inline (most calls need exactly one: `exactlyOnePortfolio`). */
export const portfolioChoice = {
  portfolioId: id.optional(),
  portfolio: portfolioSchema.optional(),
};

/** The refinement of params that need exactly one of `portfolioId` and `portfolio`. */
export const exactlyOnePortfolio = {
  check: (p: { portfolioId?: number | undefined; portfolio?: unknown }) => (p.portfolioId === undefined) !== (p.portfolio === undefined),
  message: { message: 'give exactly one of portfolioId and portfolio', path: ['portfolioId'] },
};
