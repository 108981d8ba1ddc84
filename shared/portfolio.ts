/**
 * The portfolio file (DESIGN.md §4): accounts on venues, isolated or cross, with positions.
 * One schema validates it everywhere: the portfolio JSON a user imports, API payloads, and
 * positions CSV rows once parsed. Times are UTC seconds.
 */
import { z } from 'zod';

const finitePositive = (what: string) =>
  z.number({ error: `${what} must be a number` }).finite(`${what} must be finite`).positive(`${what} must be above zero`);

export const positionSchema = z
  .object({
    id: z.string().trim().min(1).max(64),
    symbol: z.string().trim().min(1).max(40).regex(/^[A-Za-z0-9._:/-]+$/, 'letters, digits and . _ : / - only'),
    side: z.enum(['long', 'short'], { error: 'side must be "long" or "short"' }),
    qty: finitePositive('qty').max(1e12, 'qty is absurdly large'),
    entry: finitePositive('entry').max(1e12, 'entry is absurdly large'),
    leverage: finitePositive('leverage').max(1000, 'leverage above 1000× is not offered by any venue').optional(),
    margin: finitePositive('margin').max(1e15).optional(),
    openedAt: z.number().int().min(0).max(32503680000).optional(),
    /** Lending positions only: debt in the quote currency (qty is the collateral). */
    debt: z.number().finite().min(0).max(1e15).optional(),
  })
  .strict();

/** An account without its positions (e.g. the account a positions CSV is imported into). */
export const accountFieldsSchema = z
  .object({
    id: z.string().trim().min(1).max(64),
    venue: z.string().trim().min(1).max(40),
    mode: z.enum(['cross', 'isolated'], { error: 'mode must be "cross" or "isolated"' }),
    wallet: z.number().finite().min(0, 'wallet cannot be negative').max(1e15),
  })
  .strict();

export const accountSchema = accountFieldsSchema
  .extend({ positions: z.array(positionSchema).max(1_000_000) })
  .strict()
  .superRefine((account, ctx) => {
    const seen = new Set<string>();
    account.positions.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['positions', i, 'id'], message: `position id "${p.id}" appears twice` });
      seen.add(p.id);
      if (account.mode === 'isolated' && p.margin === undefined && p.leverage === undefined) {
        ctx.addIssue({ code: 'custom', path: ['positions', i, 'leverage'], message: 'an isolated position needs margin or leverage' });
      }
    });
  });

export const portfolioSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    accounts: z.array(accountSchema).min(1, 'a portfolio needs at least one account').max(1000),
  })
  .strict()
  .superRefine((portfolio, ctx) => {
    const seen = new Set<string>();
    portfolio.accounts.forEach((a, i) => {
      if (seen.has(a.id)) ctx.addIssue({ code: 'custom', path: ['accounts', i, 'id'], message: `account id "${a.id}" appears twice` });
      seen.add(a.id);
    });
  });

export type PositionSpec = z.infer<typeof positionSchema>;
export type AccountSpec = z.infer<typeof accountSchema>;
export type PortfolioSpec = z.infer<typeof portfolioSchema>;

/** A stored portfolio: the file's content plus its database id. */
export interface StoredPortfolio extends PortfolioSpec {
  id: number;
  updatedAt: number;
}

export interface PortfolioSummary {
  id: number;
  name: string;
  accounts: number;
  positions: number;
  updatedAt: number;
}

/** Isolated margin of a position: given, else qty·entry/leverage. */
export function positionMargin(p: Pick<PositionSpec, 'qty' | 'entry' | 'leverage' | 'margin'>): number | undefined {
  if (p.margin !== undefined) return p.margin;
  if (p.leverage !== undefined) return (p.qty * p.entry) / p.leverage;
  return undefined;
}
