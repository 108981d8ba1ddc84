/**
 * The Replay form's population options (shared/population-form.ts): form → scenario population
 * (validated by the scenario schema, its messages per field), a validation fit → form, and the
 * run description's words (shared/validation.ts describeScenarioPopulation / describePopulation).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POPULATION_FORM, formFromFit, LEVERAGE_MIX, MIX_MAX_LEVERAGE, FIT_REACTION_LOSS_SHARE, populationFromForm, scaledLeverageMix, type PopulationForm, markFromForm } from '../../../shared/population-form';
import { describePopulation, describeScenarioPopulation, type PopulationParametersInfo } from '../../../shared/validation';
import { scenarioSchema } from '../../../shared/scenario';
import { POPULATION_DEFAULTS } from '../../../electron/backend/engine/population';
import { BASE_BUCKETS, MAX_LEVERAGE, REACTION_LOSS_SHARE } from '../../../electron/backend/engine/validation';
import { counterfactual, describeChanges, NO_CHANGES } from '../../../renderer/src/lib/replay/counterfactual';
import type { RunInfo } from '../../../shared/runs';

const form = (over: Partial<PopulationForm>): PopulationForm => ({ ...DEFAULT_POPULATION_FORM, ...over });

describe('form → scenario population', () => {
  it('the default form is the old scenario: only the look-back', () => {
    expect(populationFromForm(DEFAULT_POPULATION_FORM)).toEqual({ ok: true, population: { lookbackBars: 1440 } });
  });

  it('aged entries, reaction, inflow, leverage and long share map to the schema fields exactly', () => {
    const r = populationFromForm(form({ lookbackBars: 720, entries: 'aged', meanAgeDays: 90, reactionOn: true, reactionLossShare: 0.4, reactionMinutes: 60, inflowOn: true, meanHoldingDays: 7, leverageScale: 2, longShare: 0.6 }));
    expect(r).toEqual({
      ok: true,
      population: {
        lookbackBars: 720,
        longShare: 0.6,
        buckets: [{ leverage: 10, weight: 0.3 }, { leverage: 20, weight: 0.3 }, { leverage: 50, weight: 0.2 }, { leverage: 100, weight: 0.12 }, { leverage: 125, weight: 0.08 }],
        meanAgeDays: 90,
        reaction: { lossShare: 0.4, minutes: 60 },
        inflow: { meanHoldingDays: 7 },
      },
    });
    // What the form sends passes the backend's scenario schema.
    if (r.ok) expect(scenarioSchema.safeParse({ venue: 'binance-usdm', impact: { model: 'none' }, population: r.population }).success).toBe(true);
  });

  it('fields of options that are off are not sent (and not validated)', () => {
    const r = populationFromForm(form({ entries: 'lookback', meanAgeDays: 0, reactionOn: false, reactionMinutes: -1, inflowOn: false, meanHoldingDays: 0 }));
    expect(r).toEqual({ ok: true, population: { lookbackBars: 1440 } });
  });

  it('bad values give the schema’s messages on their fields', () => {
    const r = populationFromForm(form({ lookbackBars: 0, entries: 'aged', meanAgeDays: 4000, reactionOn: true, reactionLossShare: 1, reactionMinutes: 0, inflowOn: true, meanHoldingDays: 0, longShare: 1.5 }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual({
      lookbackBars: 'lookbackBars must be ≥ 1 bar',
      longShare: expect.any(String),
      meanAgeDays: 'meanAgeDays must be ≤ 3650 days (10 years)',
      reactionLossShare: 'reaction.lossShare must be < 1 (at 1 the margin is gone: liquidation comes first)',
      reactionMinutes: 'reaction.minutes must be > 0 (owners close at a rate of 1/minutes)',
      meanHoldingDays: 'inflow.meanHoldingDays must be > 0 days (how long a position is held at the look-back’s average volume)',
    });
    // The same messages the backend gives (one schema).
    const backend = scenarioSchema.safeParse({ venue: 'x', impact: { model: 'none' }, population: { lookbackBars: 1440, inflow: { meanHoldingDays: 0 } } });
    expect(backend.success ? null : backend.error.issues[0]!.message).toBe(r.errors.meanHoldingDays);
  });

  it('empty inputs (null) and impossible leverage scales are errors, not NaN in the scenario', () => {
    const r = populationFromForm(form({ lookbackBars: null, inflowOn: true, meanHoldingDays: null, leverageScale: null }));
    expect(r).toEqual({ ok: false, errors: { lookbackBars: 'lookbackBars must be a number of bars', meanHoldingDays: 'inflow.meanHoldingDays must be a number of days', leverageScale: 'leverage × must be a number (1 = the default mix)' } });
    expect(populationFromForm(form({ lookbackBars: 1.5 }))).toEqual({ ok: false, errors: { lookbackBars: 'lookbackBars must be a whole number of bars' } });
    expect(populationFromForm(form({ leverageScale: 0 }))).toMatchObject({ ok: false, errors: { leverageScale: 'leverage × must be > 0' } });
    expect(populationFromForm(form({ leverageScale: 26 }))).toMatchObject({ ok: false, errors: { leverageScale: expect.stringContaining('≤ 25') } });
    expect(populationFromForm(form({ leverageScale: 0.1 }))).toMatchObject({ ok: true, population: { buckets: expect.arrayContaining([{ leverage: 1.01, weight: 0.3 }]) } });
  });

  it('the shared mix and caps are the engine’s', () => {
    expect(LEVERAGE_MIX).toEqual(POPULATION_DEFAULTS.buckets);
    expect(LEVERAGE_MIX).toEqual(BASE_BUCKETS);
    expect(MIX_MAX_LEVERAGE).toBe(MAX_LEVERAGE);
    expect(FIT_REACTION_LOSS_SHARE).toBe(REACTION_LOSS_SHARE);
    expect(scaledLeverageMix(1)).toEqual(LEVERAGE_MIX);
  });
});

const fit: PopulationParametersInfo = { leveragedShare: 1, leverageScale: 2, longShare: 0.5, positionsPerBucket: 1, meanAgeDays: 90, reactionMinutes: 60, inflow: false };

describe('validation fit → form', () => {
  it('the stored fit (×2, aged 90 days, reaction 60 min) fills the form; leveraged share is named as not applied', () => {
    const { form: f, notApplied } = formFromFit(fit, 60);
    expect(f).toEqual({ lookbackBars: 1440, leverageScale: 2, longShare: 0.5, entries: 'aged', meanAgeDays: 90, reactionOn: true, reactionLossShare: 0.5, reactionMinutes: 60, inflowOn: false, meanHoldingDays: DEFAULT_POPULATION_FORM.meanHoldingDays });
    expect(notApplied).toEqual(['the leveraged share 100.0% (a replay sizes its population by the look-back’s traded volume, not by open interest)']);
    const r = populationFromForm(f);
    expect(r).toEqual({ ok: true, population: { lookbackBars: 1440, buckets: scaledLeverageMix(2), meanAgeDays: 90, reaction: { lossShare: 0.5, minutes: 60 } } });
  });

  it('a look-back fit with inflow: holding time = the one-day look-back; no reaction', () => {
    const { form: f } = formFromFit({ ...fit, meanAgeDays: null, reactionMinutes: null, inflow: true }, 300, form({ entries: 'aged', reactionOn: true }));
    expect(f).toMatchObject({ lookbackBars: 288, entries: 'lookback', reactionOn: false, inflowOn: true, meanHoldingDays: 1 });
    expect(populationFromForm(f)).toEqual({ ok: true, population: { lookbackBars: 288, buckets: scaledLeverageMix(2), inflow: { meanHoldingDays: 1 } } });
  });

  it('an aged fit with inflow holds for the mean age (the validation’s inflowHoldingDays)', () => {
    expect(formFromFit({ ...fit, inflow: true }, 60).form).toMatchObject({ inflowOn: true, meanHoldingDays: 90 });
  });
});

describe('mark price model', () => {
  it('the candle path sends nothing (stored scenarios as before); closes and a damped wick send the schema’s shape', () => {
    expect(markFromForm({ source: 'candle-path', wick: 0.5 })).toEqual({ ok: true, mark: null });
    expect(markFromForm({ source: 'close', wick: null })).toEqual({ ok: true, mark: { source: 'close' } });
    expect(markFromForm({ source: 'damped', wick: 0.25 })).toEqual({ ok: true, mark: { source: 'damped', wick: 0.25 } });
  });

  it('a damped wick outside [0, 1] or empty gets the schema’s message', () => {
    const bad = (wick: number | null): string => {
      const r = markFromForm({ source: 'damped', wick });
      if (r.ok) throw new Error(`accepted wick ${wick}`);
      return r.error;
    };
    expect(bad(1.5)).toBe('mark.wick must be ≤ 1 (1: the mark is the candle path)');
    expect(bad(-0.1)).toBe('mark.wick must be ≥ 0 (0: the mark follows the closes)');
    expect(bad(null)).toMatch(/^mark\.wick must be/);
  });

  it('the fit’s mark fills the form: 1 → candle path, 0 → closes, else damped', () => {
    expect(formFromFit(fit, 60).mark).toEqual({ source: 'candle-path', wick: 0.5 });
    expect(formFromFit({ ...fit, markWick: 0 }, 60).mark).toEqual({ source: 'close', wick: 0.5 });
    expect(formFromFit({ ...fit, markWick: 0.3 }, 60).mark).toEqual({ source: 'damped', wick: 0.3 });
  });
});

describe('population in words', () => {
  it('the validation’s wording is unchanged', () => {
    expect(describePopulation(fit)).toBe('leveraged share 100.0% of open interest, leverage ×2, long share 50%, entries aged (mean 90 days), owners close at a rate of 1/60 min once half the margin is lost, no positions opened during the window, mark on the candle path');
    expect(describePopulation({ ...fit, meanAgeDays: null, reactionMinutes: null, inflow: true, markWick: 0 })).toBe('leveraged share 100.0% of open interest, leverage ×2, long share 50%, entries over a one-day look-back, no owner reaction, positions turn over and reopen during the window, mark on the 1m closes (no intra-minute wick triggers)');
  });

  it('a replay scenario’s population, with the same phrases', () => {
    expect(describeScenarioPopulation({ lookbackBars: 1440 })).toBe('default leverage mix, long share 50%, entries over a 1,440-bar look-back, no owner reaction, no positions opened during the window');
    expect(describeScenarioPopulation({ lookbackBars: 1440, buckets: scaledLeverageMix(2), meanAgeDays: 90, reaction: { lossShare: 0.4, minutes: 60 }, inflow: { meanHoldingDays: 7 } })).toBe(
      'leverage mix 10×/20×/50×/100×/125×, long share 50%, entries aged (mean 90 days), volatility from a 1,440-bar look-back, owners close at a rate of 1/60 min once 40% of the margin is lost, positions turn over and reopen during the window (mean holding 7 days)',
    );
  });
});

describe('counterfactual inflow', () => {
  const run = { id: 1, name: 'r', params: { datasetId: 1, portfolioId: null, portfolio: null, scenario: { venue: 'binance-usdm', impact: { model: 'none' }, population: { lookbackBars: 10, meanAgeDays: 30 } }, seed: 1, from: null, to: null, shock: null, rules: null } } as unknown as RunInfo;
  it('turns inflow on with a holding time, or off, keeping the rest of the population', () => {
    const on = counterfactual(run, { ...NO_CHANGES, inflow: { meanHoldingDays: 3 } });
    expect(on.scenario.population).toEqual({ lookbackBars: 10, meanAgeDays: 30, inflow: { meanHoldingDays: 3 } });
    expect(on.name).toContain('inflow 3 d');
    const off = counterfactual({ ...run, params: { ...run.params, scenario: on.scenario } } as RunInfo, { ...NO_CHANGES, inflow: 'off' });
    expect(off.scenario.population).toEqual({ lookbackBars: 10, meanAgeDays: 30 });
    expect(describeChanges({ ...NO_CHANGES, inflow: 'off' })).toBe('no inflow');
    expect(counterfactual(run, NO_CHANGES).scenario.population).toEqual({ lookbackBars: 10, meanAgeDays: 30 });
  });
  it('a run without a population is left without one', () => {
    const bare = { ...run, params: { ...run.params, scenario: { venue: 'binance-usdm', impact: { model: 'none' } } } } as RunInfo;
    expect(counterfactual(bare, { ...NO_CHANGES, inflow: { meanHoldingDays: 3 } }).scenario.population).toBeUndefined();
  });
});
