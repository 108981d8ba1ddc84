/**
 * "What if": the parameters of a stored run with one or more things changed — the portfolio's
 * leverage scaled, depth ×k, a circuit breaker, another impact model, another population mix, positions opening during the window or not.
 * Pure; the result is a `runs.replay` request over the same dataset window and seed.
 */
import type { Params } from '../../../../shared/contract';
import type { PortfolioSpec } from '../../../../shared/portfolio';
import type { RunInfo } from '../../../../shared/runs';
import type { ScenarioSpec } from '../../../../shared/scenario';

export interface Changes {
  /** Multiply every position's leverage (isolated margins ÷ k, cross wallets ÷ k). 1 = unchanged. */
  leverageScale: number;
  /** Multiply the impact model's depth. 1 = unchanged. */
  depthScale: number;
  /** Replace the impact model ('keep' = unchanged); 'linear' uses `linearDepth` per 1%. */
  impact: 'keep' | 'none' | 'linear' | 'sqrt';
  linearDepth: number;
  /** Add (or replace) a circuit breaker: halt when the move over `windowBars` exceeds `threshold`. */
  circuitBreaker: { windowBars: number; threshold: number; haltBars: number } | null;
  /** Population long share (0…1), or null to keep. */
  longShare: number | null;
  /** Positions opening during the window (population.inflow): on with this mean holding time in days, 'off', or null to keep. */
  inflow: { meanHoldingDays: number } | 'off' | null;
}

export const NO_CHANGES: Changes = { leverageScale: 1, depthScale: 1, impact: 'keep', linearDepth: 5_000_000, circuitBreaker: null, longShare: null, inflow: null };

export function scalePortfolio(p: PortfolioSpec, k: number): PortfolioSpec {
  if (k === 1) return p;
  return {
    ...p,
    accounts: p.accounts.map((a) => ({
      ...a,
      wallet: a.mode === 'cross' ? a.wallet / k : a.wallet,
      positions: a.positions.map((pos) => ({
        ...pos,
        ...(pos.leverage !== undefined ? { leverage: Math.min(1000, pos.leverage * k) } : {}),
        ...(pos.margin !== undefined ? { margin: pos.margin / k } : {}),
      })),
    })),
  };
}

/** A short name saying what changed, e.g. "leverage ×2, depth ×0.5". */
export function describeChanges(c: Changes): string {
  const parts: string[] = [];
  if (c.leverageScale !== 1) parts.push(`leverage ×${c.leverageScale}`);
  if (c.impact !== 'keep') parts.push(`impact ${c.impact}`);
  if (c.depthScale !== 1) parts.push(`depth ×${c.depthScale}`);
  if (c.circuitBreaker) parts.push(`breaker ${(c.circuitBreaker.threshold * 100).toFixed(1)}%/${c.circuitBreaker.windowBars} bars`);
  if (c.longShare !== null) parts.push(`longs ${(c.longShare * 100).toFixed(0)}%`);
  if (c.inflow === 'off') parts.push('no inflow');
  else if (c.inflow) parts.push(`inflow ${c.inflow.meanHoldingDays} d`);
  return parts.length ? parts.join(', ') : 'unchanged';
}

export function counterfactual(run: RunInfo, c: Changes): Params<'runs.replay'> {
  const p = run.params;
  if (p.datasetId === null) throw new Error('only dataset replays can be compared');
  // A plain deep copy (the run may be a reactive proxy, which structuredClone refuses).
  const scenario = JSON.parse(JSON.stringify(p.scenario)) as ScenarioSpec;
  if (c.impact === 'none') scenario.impact = { model: 'none' };
  else if (c.impact === 'linear') scenario.impact = { model: 'linear', depth1Pct: c.linearDepth };
  else if (c.impact === 'sqrt') scenario.impact = { model: 'sqrt', y: 0.7 };
  if (c.depthScale !== 1 && scenario.impact.model !== 'none') scenario.impact = { ...scenario.impact, depthScale: (scenario.impact.depthScale ?? 1) * c.depthScale };
  if (c.circuitBreaker) scenario.circuitBreaker = c.circuitBreaker;
  if (c.longShare !== null && scenario.population) scenario.population = { ...scenario.population, longShare: c.longShare };
  if (c.inflow !== null && scenario.population) {
    const population = { ...scenario.population };
    if (c.inflow === 'off') delete population.inflow;
    else population.inflow = { meanHoldingDays: c.inflow.meanHoldingDays };
    scenario.population = population;
  }
  const portfolio = p.portfolio ? scalePortfolio(JSON.parse(JSON.stringify(p.portfolio)) as PortfolioSpec, c.leverageScale) : undefined;
  return {
    datasetId: p.datasetId,
    ...(portfolio ? { portfolio } : {}),
    ...(p.rules ? { rules: p.rules as Record<string, unknown>[] } : {}),
    scenario,
    seed: p.seed,
    ...(p.from !== null ? { from: p.from } : {}),
    ...(p.to !== null ? { to: p.to } : {}),
    name: `${run.name} — what if: ${describeChanges(c)}`.slice(0, 120),
  };
}
