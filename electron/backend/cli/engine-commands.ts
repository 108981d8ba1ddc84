/**
 * Engine commands of the CLI: `margin`, `replay`, `stress`. Files named on the command line
 * are read here (the CLI acts with the user's authority) and sent as data through the same
 * contract as the UI; every bad file or flag is named with its line or field.
 */
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import { formatPrice } from '../../../shared/format';
import type { MarginRow, RunEvent, RunInfo } from '../../../shared/runs';
import type { CliCommand } from './command';
import { portfolioFlags, readPortfolio, readRules, readScenario } from './input-files';

/** "BTCUSDT=7900,ETHUSDT=195" → { BTCUSDT: 7900, ETHUSDT: 195 }. */
export function parseMarks(text: string | undefined): Record<string, number> | undefined {
  if (!text) return undefined;
  const marks: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z0-9._:/-]+)\s*=\s*([0-9.eE+-]+)\s*$/.exec(part);
    const value = m ? Number(m[2]) : NaN;
    if (!m || !(value > 0) || !Number.isFinite(value)) throw new ApiError('invalid_input', `"${part}" is not SYMBOL=PRICE`, { field: 'marks' });
    marks[m[1]!.toUpperCase()] = value;
  }
  return marks;
}

/** "-15%" → -0.15, "-0.15" → -0.15. */
export function parseShock(text: string | undefined): number {
  if (text === undefined) throw new ApiError('invalid_input', 'give the shock, e.g. --shock -15%', { field: 'shock' });
  const m = /^\s*([+-]?\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const value = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!Number.isFinite(value) || value <= -1 || value === 0) throw new ApiError('invalid_input', `--shock "${text}" is not a move like -15% (above -100%, not 0)`, { field: 'shock' });
  return value;
}

/** "10m" → 600, "90s" → 90, "1h" → 3600. */
export function parseDuration(text: string | undefined, fallbackSeconds: number): number {
  if (text === undefined) return fallbackSeconds;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/.exec(text);
  const seconds = m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'] : NaN;
  if (!(seconds >= 1) || !Number.isInteger(seconds)) throw new ApiError('invalid_input', `--over "${text}" is not a duration like 10m`, { field: 'over' });
  return seconds;
}

function parseDate(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) || text.length <= 10 ? text : `${text}Z`);
  if (!Number.isFinite(ms)) throw new ApiError('invalid_input', `"${text}" is not a date (YYYY-MM-DD or ISO-8601, UTC)`, { field });
  return Math.floor(ms / 1000);
}

export function parseSeed(text: unknown): number {
  if (text === undefined) return 0;
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new ApiError('invalid_input', `--seed ${String(text)} is not an integer from 0 to 4294967295`, { field: 'seed' });
  return seed;
}

const fmt = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined ? 'never' : formatPrice(x, digits));
const iso = (t: number | null): string => (t === null ? '—' : new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' '));

function printRun(run: RunInfo, events: RunEvent[], out: { line(text: string): void }): void {
  const s = run.summary;
  out.line(`run ${run.id}: ${run.name} — ${s.bars} bars of ${s.symbol}, rules ${s.rules.venue} ${s.rules.effective} (estimated; mark = ${s.markSource})`);
  out.line(`  price: first ${fmt(s.firstPrice)}, real low ${fmt(s.minExogenousLow)}, effective low ${fmt(s.minEffectiveLow)}, final ${fmt(s.finalEffective)}`);
  out.line(`  liquidated: longs ${s.liquidatedLong.count} (${fmt(s.liquidatedLong.notional, 0)}), shorts ${s.liquidatedShort.count} (${fmt(s.liquidatedShort.notional, 0)})`);
  out.line(`  insurance fund ${fmt(s.insuranceFundStart)} → ${fmt(s.insuranceFundEnd)}, bad debt ${fmt(s.badDebt)}, ADL ${fmt(s.adlVolume)}, halts ${s.halts}`);
  for (const p of s.positions) {
    out.line(`  ${p.liquidated ? 'LIQUIDATED' : p.marginCallTime !== null ? 'margin call' : 'survived  '} ${p.id}${p.firstLiquidationTime !== null ? ` at ${iso(p.firstLiquidationTime)}` : ''}`);
  }
  const own = events.filter((e) => e.count === 1 && e.kind !== 'halt').slice(0, 20);
  if (own.length) out.line('  events:');
  for (const e of own) out.line(`    ${iso(e.time)} ${e.kind.padEnd(20)} ${String(e.ref ?? '').padEnd(16)} @ ${fmt(e.price)} notional ${fmt(e.notional)} pnl ${fmt(e.pnl)}`);
  if (run.timing) out.line(`  engine ${run.timing.engineMs.toFixed(1)} ms (total ${run.timing.totalMs.toFixed(1)} ms)`);
}

const portfolioAndRulesFlags = { ...portfolioFlags, rules: { type: 'string' } } as const;

export const ENGINE_COMMANDS: Record<string, CliCommand> = {
  margin: {
    summary: 'liquidation, bankruptcy and margin-call prices, MMR and maintenance margin per position',
    usage: 'margin --portfolio FILE [--marks SYM=PRICE,…] [--rules FILE] [--at DATE]',
    options: { ...portfolioAndRulesFlags, marks: { type: 'string' }, at: { type: 'string' }, 'margin-call-ratio': { type: 'string' } },
    async run(api, { values }, out) {
      const portfolio = readPortfolio(values.portfolio, values);
      const ratio = values['margin-call-ratio'] !== undefined ? Number(values['margin-call-ratio']) : undefined;
      if (ratio !== undefined && !(ratio > 0 && ratio <= 1)) throw new ApiError('invalid_input', '--margin-call-ratio must be in (0, 1]', { field: 'margin-call-ratio' });
      const marks = parseMarks(values.marks as string | undefined);
      const at = parseDate(values.at as string | undefined, 'at');
      const rules = readRules(values.rules);
      const report = await api.call('margin.compute', {
        portfolio,
        ...(marks ? { marks } : {}),
        ...(at !== undefined ? { at } : {}),
        ...(ratio !== undefined ? { marginCallRatio: ratio } : {}),
        ...(rules ? { rules } : {}),
      });
      out.line(`rules: ${report.rules.map((r) => `${r.venue} ${r.effective}`).join(', ')} (estimated from the venue's published formula)`);
      out.line(['position'.padEnd(14), 'side '.padEnd(6), 'qty'.padStart(10), 'entry'.padStart(12), 'mark'.padStart(12), 'liquidation'.padStart(12), 'bankruptcy'.padStart(12), 'margin call'.padStart(12), 'MMR'.padStart(7), 'maint.'.padStart(10), 'distance'.padStart(9)].join(' '));
      for (const r of report.rows as MarginRow[]) {
        out.line(
          [r.positionId.padEnd(14), r.side.padEnd(6), String(r.qty).padStart(10), fmt(r.entry).padStart(12), fmt(r.mark).padStart(12), fmt(r.liquidationPrice).padStart(12), fmt(r.bankruptcyPrice).padStart(12),
            fmt(r.marginCallPrice).padStart(12), `${(r.mmr * 100).toFixed(2)}%`.padStart(7), fmt(r.maintenanceMargin).padStart(10),
            (r.distanceToLiquidation === null ? 'never' : `${(r.distanceToLiquidation * 100).toFixed(1)}%`).padStart(9)].join(' '),
        );
      }
      out.result(report);
    },
  },

  replay: {
    summary: 'replay a dataset (or a candle file) through the cascade with a portfolio; events and summary',
    usage: 'replay --dataset ID|--file CSV [--portfolio FILE] [--scenario FILE] [--seed N] [--from DATE] [--to DATE]',
    options: { ...portfolioAndRulesFlags, dataset: { type: 'string' }, file: { type: 'string' }, scenario: { type: 'string' }, seed: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, name: { type: 'string' } },
    async run(api, { values }, out) {
      let datasetId: number;
      if (values.file !== undefined) {
        if (values.dataset !== undefined) throw new ApiError('invalid_input', 'give --dataset or --file, not both', { field: 'dataset' });
        datasetId = (await api.call('datasets.importFile', { path: path.resolve(values.file as string) })).dataset.id;
      } else {
        datasetId = Number(values.dataset);
        if (!Number.isInteger(datasetId) || datasetId <= 0) throw new ApiError('invalid_input', 'give --dataset ID (see `datasets`) or --file CSV', { field: 'dataset' });
      }
      const dataset = await api.call('datasets.get', { id: datasetId });
      const scenario = readScenario(values.scenario, { venue: 'binance-usdm', symbol: dataset.symbol, impact: { model: 'none' } });
      const portfolio = values.portfolio ? readPortfolio(values.portfolio, values) : undefined;
      const rules = readRules(values.rules);
      const from = parseDate(values.from as string | undefined, 'from');
      const to = parseDate(values.to as string | undefined, 'to');
      const run = await api.call('runs.replay', {
        datasetId,
        scenario,
        seed: parseSeed(values.seed),
        ...(portfolio ? { portfolio } : {}),
        ...(rules ? { rules } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(values.name ? { name: values.name as string } : {}),
      });
      const detail = await api.call('runs.get', { id: run.id });
      printRun(run, detail.events, out);
      out.result({ run: { ...run, timing: undefined }, timing: run.timing, events: detail.events });
    },
  },

  stress: {
    summary: 'shock the price (e.g. −15% over 10 minutes) and run the cascade it sets off on a portfolio',
    usage: 'stress --portfolio FILE --shock -15% [--over 10m] [--symbol SYM] [--price P] [--scenario FILE] [--seed N]',
    options: { ...portfolioAndRulesFlags, shock: { type: 'string' }, over: { type: 'string' }, symbol: { type: 'string' }, price: { type: 'string' }, scenario: { type: 'string' }, seed: { type: 'string' }, marks: { type: 'string' } },
    async run(api, { values }, out) {
      const portfolio = readPortfolio(values.portfolio, values);
      const move = parseShock(values.shock as string | undefined);
      const overSeconds = parseDuration(values.over as string | undefined, 600);
      const positions = portfolio.accounts.flatMap((a) => a.positions);
      const symbol = ((values.symbol as string | undefined) ?? positions[0]?.symbol)?.toUpperCase();
      if (!symbol) throw new ApiError('invalid_input', 'the portfolio has no positions; give --symbol', { field: 'symbol' });
      const marks = parseMarks(values.marks as string | undefined);
      let startPrice = values.price !== undefined ? Number(values.price) : marks?.[symbol];
      if (startPrice === undefined) {
        // Without a price, start from the quantity-weighted entry of the symbol's positions.
        const own = positions.filter((p) => p.symbol.toUpperCase() === symbol);
        const qty = own.reduce((s, p) => s + p.qty, 0);
        if (qty > 0) startPrice = own.reduce((s, p) => s + p.qty * p.entry, 0) / qty;
      }
      if (!(startPrice !== undefined && startPrice > 0 && Number.isFinite(startPrice))) {
        throw new ApiError('invalid_input', `no start price for ${symbol}: give --price`, { field: 'price' });
      }
      const scenario = readScenario(values.scenario, { venue: portfolio.accounts[0]!.venue, impact: { model: 'none' } });
      const rules = readRules(values.rules);
      const run = await api.call('runs.shock', {
        portfolio,
        scenario: { ...scenario, symbol: scenario.symbol ?? symbol, ...(marks ? { marks } : {}) },
        shock: { startPrice, move, overSeconds },
        seed: parseSeed(values.seed),
        ...(rules ? { rules } : {}),
      });
      const detail = await api.call('runs.get', { id: run.id });
      printRun(run, detail.events, out);
      const s = run.summary;
      const exogenous = s.minExogenousLow / s.firstPrice - 1;
      const effective = s.minEffectiveLow / s.firstPrice - 1;
      out.line(`  shock ${(exogenous * 100).toFixed(2)}% → effective ${(effective * 100).toFixed(2)}% (amplification ×${(effective / exogenous).toFixed(3)})`);
      out.result({ run: { ...run, timing: undefined }, timing: run.timing, amplification: effective / exogenous, events: detail.events });
    },
  },
};
