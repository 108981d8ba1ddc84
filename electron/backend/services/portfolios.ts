/**
 * Portfolio handlers: CRUD, portfolio JSON and positions CSV import, export. Every payload is
 * already checked against the contract's schema; this adds what needs the store (names that
 * must be unique) and turns file content into the same validated shape.
 */
import { ApiError } from '../../../shared/errors';
import { portfolioSchema, type PortfolioSpec, type StoredPortfolio } from '../../../shared/portfolio';
import { parsePositionsCsv, positionsToCsv } from '../portfolio/positions-csv';
import type { PortfolioStore } from '../store/portfolios';
import type { HandlerGroup } from './handler-types';
import { jsonErrorOffset, lineAndColumn } from '../json-position';

type PortfolioMethods =
  | 'portfolios.list'
  | 'portfolios.get'
  | 'portfolios.save'
  | 'portfolios.importJson'
  | 'portfolios.importPositionsCsv'
  | 'portfolios.export'
  | 'portfolios.delete';

export function portfolioHandlers(store: PortfolioStore, now: () => number): HandlerGroup<PortfolioMethods> {
  const require = (id: number): StoredPortfolio => {
    const portfolio = store.get(id);
    if (!portfolio) throw new ApiError('not_found', `no portfolio with id ${id}`, { field: 'id' });
    return portfolio;
  };
  const save = (portfolio: PortfolioSpec, replaceId?: number): StoredPortfolio => {
    const clash = store.findByName(portfolio.name);
    if (clash !== undefined && clash !== replaceId) {
      throw new ApiError('conflict', `a portfolio named "${portfolio.name}" exists already`, { field: 'name' });
    }
    if (replaceId !== undefined) require(replaceId);
    return require(store.save(portfolio, now(), replaceId));
  };

  return {
    'portfolios.list': () => store.list(),
    'portfolios.get': ({ id }) => require(id),
    'portfolios.save': ({ id, portfolio }) => save(portfolio, id),
    'portfolios.importJson': ({ fileName, text }) => save(parsePortfolioJson(text, fileName)),
    'portfolios.importPositionsCsv': ({ fileName, text, name, account }) =>
      save({ name, accounts: [{ ...account, positions: parsePositionsCsv(text, fileName) }] }),
    'portfolios.export': ({ id, format }) => {
      const { id: _id, updatedAt: _updated, ...portfolio } = require(id);
      // A plain file name the Save dialog accepts: no folders, no leading dot.
      const base = portfolio.name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '') || 'portfolio';
      if (format === 'json') {
        return { fileName: `${base}.json`, mimeType: 'application/json', text: `${JSON.stringify(portfolio, null, 2)}\n` };
      }
      if (portfolio.accounts.length !== 1) {
        throw new ApiError('invalid_input', 'a positions CSV holds one account; export this portfolio as JSON', { field: 'format' });
      }
      return { fileName: `${base}.csv`, mimeType: 'text/csv', text: positionsToCsv(portfolio.accounts[0]!.positions) };
    },
    'portfolios.delete': ({ id }) => ({ deleted: store.delete(id) }),
  };
}

/** Parses and validates a portfolio JSON file; errors name the line (syntax) or the field path. */
export function parsePortfolioJson(text: string, fileName: string): PortfolioSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const offset = jsonErrorOffset(text);
    if (offset < 0) throw err; // JSON.parse and the scanner disagree: a bug, not the user's
    const { line, column } = lineAndColumn(text, offset);
    const near = JSON.stringify(text.slice(offset, offset + 12));
    throw new ApiError('invalid_input', `not valid JSON at column ${column}, near ${near}`, { file: fileName, line });
  }
  const parsed = portfolioSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw new ApiError('invalid_input', field ? `${field}: ${issue.message}` : issue.message, { file: fileName, ...(field ? { field } : {}) });
  }
  return parsed.data;
}
