/**
 * Files named on the command line — the portfolio (and the flags that place a positions CSV in
 * an account), the scenario, the user's rule tables — read here with the user's authority and
 * sent as data through the contract. Every failure names the file and its line or field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import type { PortfolioSpec } from '../../../shared/portfolio';
import { scenarioSchema, type ScenarioSpec } from '../../../shared/scenario';
import { jsonErrorOffset, lineAndColumn } from '../json-position';
import { parsePositionsCsv } from '../portfolio/positions-csv';
import { parsePortfolioJson } from '../services/portfolios';

/** `--portfolio FILE`, and the account a positions CSV is placed in (`--venue`, `--mode`, `--wallet`). */
export const portfolioFlags = {
  portfolio: { type: 'string' },
  venue: { type: 'string' },
  mode: { type: 'string' },
  wallet: { type: 'string' },
} as const;

function readText(file: string, field: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ApiError(code === 'ENOENT' ? 'not_found' : 'invalid_input', code === 'ENOENT' ? 'no such file' : `cannot read: ${(err as Error).message}`, { file, field });
  }
}

function readJson(file: string, field: string): unknown {
  const text = readText(file, field);
  try {
    return JSON.parse(text);
  } catch {
    const { line, column } = lineAndColumn(text, Math.max(0, jsonErrorOffset(text)));
    throw new ApiError('invalid_input', `not valid JSON at column ${column}`, { file, line, field });
  }
}

/** `--portfolio FILE`: a portfolio JSON file, or a positions CSV placed in one account described by flags. */
export function readPortfolio(file: unknown, values: Record<string, unknown>): PortfolioSpec {
  if (typeof file !== 'string' || file === '') throw new ApiError('invalid_input', 'give --portfolio FILE (portfolio JSON or positions CSV)', { field: 'portfolio' });
  if (/\.csv$/i.test(file)) {
    const wallet = values.wallet !== undefined ? Number(values.wallet) : 0;
    if (!Number.isFinite(wallet) || wallet < 0) throw new ApiError('invalid_input', `--wallet ${String(values.wallet)} is not an amount`, { field: 'wallet' });
    const mode = (values.mode as string | undefined) ?? 'isolated';
    if (mode !== 'isolated' && mode !== 'cross') throw new ApiError('invalid_input', '--mode must be isolated or cross', { field: 'mode' });
    return {
      name: path.basename(file),
      accounts: [{ id: 'main', venue: (values.venue as string | undefined) ?? 'binance-usdm', mode, wallet, positions: parsePositionsCsv(readText(file, 'portfolio'), file) }],
    };
  }
  return parsePortfolioJson(readText(file, 'portfolio'), file);
}

/** `--scenario FILE`, else the command's default scenario. */
export function readScenario(file: unknown, fallback: ScenarioSpec): ScenarioSpec {
  if (typeof file !== 'string' || file === '') return fallback;
  const parsed = scenarioSchema.safeParse(readJson(file, 'scenario'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw new ApiError('invalid_input', field ? `${field}: ${issue.message}` : issue.message, { file, ...(field ? { field } : {}) });
  }
  return parsed.data;
}

/** `--rules FILE`: one rule table object or an array of them (the engine checks their content). */
export function readRules(file: unknown): Record<string, unknown>[] | undefined {
  if (typeof file !== 'string' || file === '') return undefined;
  const json = readJson(file, 'rules');
  const tables = Array.isArray(json) ? json : [json];
  if (!tables.every((t) => t && typeof t === 'object' && !Array.isArray(t))) {
    throw new ApiError('invalid_input', 'a rules file holds one rule table object or an array of them', { file, field: 'rules' });
  }
  return tables as Record<string, unknown>[];
}
