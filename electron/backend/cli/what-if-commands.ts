/**
 * What-if commands of the CLI (issue 7): `sweep` (leverage × shock × depth grid of loss and
 * survival) and `montecarlo` (seeded paths through the cascade: VaR, ES, probability of
 * liquidation per position). Files are read here and sent through the same contract as the UI;
 * runs are stored like the UI's. `stress` lives in engine-commands.ts.
 */
import { ApiError } from '../../../shared/errors';
import type { Api } from '../../../shared/contract';
import { formatPrice } from '../../../shared/format';
import type { PortfolioSpec } from '../../../shared/portfolio';
import type { ScenarioSpec } from '../../../shared/scenario';
import { SHOCK_SHAPES, type MonteCarloWhatIf, type ShockShapeName, type SweepWhatIf } from '../../../shared/what-if';
import type { CliCommand } from './command';
import { parseDuration, parseSeed, parseShock } from './engine-commands';
import { portfolioFlags, readPortfolio, readScenario } from './input-files';

/** "2,5,10" → [2, 5, 10]; each checked. */
function numberList(text: unknown, field: string, fallback?: number[]): number[] {
  if (text === undefined) {
    if (fallback) return fallback;
    throw new ApiError('invalid_input', `give --${field}`, { field });
  }
  const values = String(text)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const v = Number(s);
      if (!Number.isFinite(v) || v <= 0) throw new ApiError('invalid_input', `--${field}: "${s}" is not a positive number`, { field });
      return v;
    });
  if (values.length === 0) throw new ApiError('invalid_input', `--${field} is empty`, { field });
  return values;
}

function intFlag(text: unknown, field: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min || v > max) throw new ApiError('invalid_input', `--${field} ${String(text)} is not an integer from ${min} to ${max}`, { field });
  return v;
}

function workersFlag(text: unknown): 1 | 2 {
  const v = intFlag(text, 'workers', 2, 1, 2);
  return v === 1 ? 1 : 2;
}

function shapeFlag(text: unknown): ShockShapeName {
  const shape = (text as string | undefined) ?? 'linear';
  if (!(SHOCK_SHAPES as readonly string[]).includes(shape)) throw new ApiError('invalid_input', `--shape must be one of ${SHOCK_SHAPES.join(', ')}`, { field: 'shape' });
  return shape as ShockShapeName;
}

function datasetFlag(text: unknown, required: boolean): number | undefined {
  if (text === undefined) {
    if (required) throw new ApiError('invalid_input', 'give --dataset ID (see `datasets`)', { field: 'dataset' });
    return undefined;
  }
  return intFlag(text, 'dataset', 0, 1, Number.MAX_SAFE_INTEGER);
}

const money = (x: number): string => formatPrice(x, 2);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

const common = {
  ...portfolioFlags,
  scenario: { type: 'string' },
  dataset: { type: 'string' },
  seed: { type: 'string' },
  workers: { type: 'string' },
} as const;

function defaultScenario(portfolio: PortfolioSpec, withDataset: boolean): ScenarioSpec {
  // With a dataset the square-root law is calibrated on it; without one there is nothing to calibrate.
  return { venue: portfolio.accounts[0]!.venue, impact: withDataset ? { model: 'sqrt', y: 0.7 } : { model: 'none' } };
}

export const WHAT_IF_COMMANDS: Record<string, CliCommand> = {
  sweep: {
    summary: 'sensitivity grid: loss and survivors for leverage × shock (× depth), in worker threads',
    usage: 'sweep --portfolio FILE --leverage 2,5,10 --shocks -5%,-10% [--depth 0.5,1] [--over 10m] [--shape linear] [--dataset ID] [--workers 1|2]',
    options: { ...common, leverage: { type: 'string' }, shocks: { type: 'string' }, depth: { type: 'string' }, over: { type: 'string' }, shape: { type: 'string' }, symbol: { type: 'string' }, price: { type: 'string' } },
    async run(api: Api, { values }, out) {
      const portfolio = readPortfolio(values.portfolio, values);
      const datasetId = datasetFlag(values.dataset, false);
      const leverages = numberList(values.leverage, 'leverage', [2, 5, 10, 25, 50]);
      const moves = (values.shocks === undefined ? '-5%,-10%,-15%,-20%' : String(values.shocks)).split(',').map((s) => parseShock(s));
      const depthScales = numberList(values.depth, 'depth', [1]);
      const scenario = readScenario(values.scenario, defaultScenario(portfolio, datasetId !== undefined));
      const symbol = (values.symbol as string | undefined)?.toUpperCase();
      const price = values.price !== undefined ? Number(values.price) : undefined;
      if (price !== undefined && !(price > 0)) throw new ApiError('invalid_input', `--price ${String(values.price)} is not a price`, { field: 'price' });
      const run = await api.call('whatif.sweep', {
        portfolio,
        scenario: { ...scenario, ...(symbol ? { symbol } : {}) },
        leverages,
        moves,
        depthScales,
        overSeconds: parseDuration(values.over as string | undefined, 600),
        shape: shapeFlag(values.shape),
        ...(price !== undefined ? { startPrice: price } : {}),
        ...(datasetId !== undefined ? { datasetId } : {}),
        seed: parseSeed(values.seed),
        workers: workersFlag(values.workers),
      });
      const w = run.summary.whatIf as SweepWhatIf;
      out.line(`run ${run.id}: ${run.name} — ${w.symbol} from ${money(w.startPrice)}, ${w.shape} over ${w.overSeconds / 60} min, ${w.workers} worker(s). Losses are ESTIMATED.`);
      for (const depth of w.depthScales) {
        out.line(`depth ×${depth}: loss (survivors/positions)`);
        out.line(`  ${'leverage'.padEnd(9)}${w.moves.map((m) => pct(m).padStart(22)).join('')}`);
        for (const lev of w.leverages) {
          const cells = w.moves.map((m) => w.cells.find((c) => c.leverage === lev && c.move === m && c.depthScale === depth)!);
          out.line(`  ${`${lev}×`.padEnd(9)}${cells.map((c) => `${money(c.loss)} (${c.survivors}/${c.positions})`.padStart(22)).join('')}`);
        }
      }
      out.result({ run: { ...run, timing: undefined }, timing: run.timing, grid: w });
    },
  },
  montecarlo: {
    summary: 'seeded Monte Carlo through the cascade: loss distribution, VaR/ES 95/99%, P(liquidation)',
    usage: 'montecarlo --portfolio FILE --dataset ID [--paths 1000] [--steps 1440] [--model gbm-jump|bootstrap] [--workers 1|2] [--seed N]',
    options: { ...common, paths: { type: 'string' }, steps: { type: 'string' }, model: { type: 'string' } },
    async run(api: Api, { values }, out) {
      const portfolio = readPortfolio(values.portfolio, values);
      const datasetId = datasetFlag(values.dataset, true)!;
      const model = (values.model as string | undefined) ?? 'gbm-jump';
      if (model !== 'gbm-jump' && model !== 'bootstrap') throw new ApiError('invalid_input', '--model must be gbm-jump or bootstrap', { field: 'model' });
      const scenario = readScenario(values.scenario, defaultScenario(portfolio, true));
      const run = await api.call('whatif.montecarlo', {
        portfolio,
        scenario,
        datasetId,
        model,
        paths: intFlag(values.paths, 'paths', 1000, 1, 200_000),
        steps: intFlag(values.steps, 'steps', 1440, 1, 100_000),
        seed: parseSeed(values.seed),
        workers: workersFlag(values.workers),
      });
      const w = run.summary.whatIf as MonteCarloWhatIf;
      out.line(`run ${run.id}: ${run.name} — seed ${run.seed}, ${w.workers} worker(s), from ${money(w.startPrice)}. Losses are ESTIMATED.`);
      out.line(`  mean loss ${money(w.meanLoss)} · VaR95 ${money(w.var95)} · ES95 ${money(w.es95)} · VaR99 ${money(w.var99)} · ES99 ${money(w.es99)} · worst ${money(w.worstLoss)}`);
      for (const p of w.liquidationProbability) out.line(`  ${p.id.padEnd(16)} P(liquidated) ${pct(p.probability)}`);
      out.result({ run: { ...run, timing: undefined }, timing: run.timing, monteCarlo: w });
    },
  },
};
