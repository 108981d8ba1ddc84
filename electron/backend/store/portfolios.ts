/**
 * Portfolios with their accounts and positions. A save replaces the whole portfolio in one
 * transaction, so a reader never sees half of an edit.
 */
import type { AccountSpec, PortfolioSummary, PositionSpec, StoredPortfolio } from '../../../shared/portfolio';
import type { Db } from './db';

interface PositionRow {
  account_id: number;
  ext_id: string;
  symbol: string;
  side: 'long' | 'short';
  qty: number;
  entry: number;
  leverage: number | null;
  margin: number | null;
  opened_at: number | null;
  debt: number | null;
}

export class PortfolioStore {
  constructor(private readonly db: Db) {}

  list(): PortfolioSummary[] {
    return (
      this.db
        .prepare(
          `SELECT p.id, p.name, p.updated_at AS updatedAt,
                  (SELECT count(*) FROM accounts a WHERE a.portfolio_id = p.id) AS accounts,
                  (SELECT count(*) FROM positions x JOIN accounts a ON a.id = x.account_id WHERE a.portfolio_id = p.id) AS positions
           FROM portfolios p ORDER BY p.name`,
        )
        .all() as PortfolioSummary[]
    );
  }

  get(id: number): StoredPortfolio | undefined {
    const row = this.db.prepare('SELECT id, name, updated_at FROM portfolios WHERE id = ?').get(id) as
      | { id: number; name: string; updated_at: number }
      | undefined;
    if (!row) return undefined;
    const accounts = this.db
      .prepare('SELECT id, ext_id, venue, mode, wallet FROM accounts WHERE portfolio_id = ? ORDER BY id')
      .all(id) as { id: number; ext_id: string; venue: string; mode: 'cross' | 'isolated'; wallet: number }[];
    const positions = this.db
      .prepare(
        'SELECT x.* FROM positions x JOIN accounts a ON a.id = x.account_id WHERE a.portfolio_id = ? ORDER BY x.id',
      )
      .all(id) as PositionRow[];
    return {
      id: row.id,
      name: row.name,
      updatedAt: row.updated_at,
      accounts: accounts.map(
        (a): AccountSpec => ({
          id: a.ext_id,
          venue: a.venue,
          mode: a.mode,
          wallet: a.wallet,
          positions: positions.filter((p) => p.account_id === a.id).map(toPosition),
        }),
      ),
    };
  }

  findByName(name: string): number | undefined {
    return (this.db.prepare('SELECT id FROM portfolios WHERE name = ?').get(name) as { id: number } | undefined)?.id;
  }

  /** Creates the portfolio, or replaces the one with id `replaceId`, in one transaction. */
  save(portfolio: { name: string; accounts: AccountSpec[] }, now: number, replaceId?: number): number {
    return this.db.transaction(() => {
      let id: number;
      if (replaceId !== undefined) {
        this.db.prepare('UPDATE portfolios SET name = ?, updated_at = ? WHERE id = ?').run(portfolio.name, now, replaceId);
        this.db.prepare('DELETE FROM accounts WHERE portfolio_id = ?').run(replaceId);
        id = replaceId;
      } else {
        id = Number(
          this.db.prepare('INSERT INTO portfolios (name, created_at, updated_at) VALUES (?, ?, ?)').run(portfolio.name, now, now).lastInsertRowid,
        );
      }
      const insertAccount = this.db.prepare('INSERT INTO accounts (portfolio_id, ext_id, venue, mode, wallet) VALUES (?, ?, ?, ?, ?)');
      const insertPosition = this.db.prepare(
        'INSERT INTO positions (account_id, ext_id, symbol, side, qty, entry, leverage, margin, opened_at, debt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (const account of portfolio.accounts) {
        const accountId = Number(insertAccount.run(id, account.id, account.venue, account.mode, account.wallet).lastInsertRowid);
        for (const p of account.positions) {
          insertPosition.run(accountId, p.id, p.symbol, p.side, p.qty, p.entry, p.leverage ?? null, p.margin ?? null, p.openedAt ?? null, p.debt ?? null);
        }
      }
      return id;
    })();
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM portfolios WHERE id = ?').run(id).changes > 0;
  }
}

function toPosition(row: PositionRow): PositionSpec {
  return {
    id: row.ext_id,
    symbol: row.symbol,
    side: row.side,
    qty: row.qty,
    entry: row.entry,
    ...(row.leverage !== null ? { leverage: row.leverage } : {}),
    ...(row.margin !== null ? { margin: row.margin } : {}),
    ...(row.opened_at !== null ? { openedAt: row.opened_at } : {}),
    ...(row.debt !== null ? { debt: row.debt } : {}),
  };
}
