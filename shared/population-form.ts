/**
 * The Replay form's estimated-population options (issue: inflow UI), pure: form fields → the
 * scenario's `population` (validated by the same zod schema the backend uses, so the messages
 * are the schema's), and a validation run's fitted parameters → form fields.
 */
import { markSchema, populationSchema, type ScenarioSpec } from './scenario';
import type { PopulationParametersInfo } from './validation';

export type PopulationSpecInput = NonNullable<ScenarioSpec['population']>;

/**
 * The leverage mix the engine uses when `population.buckets` is absent (engine POPULATION_DEFAULTS
 * and the validation's BASE_BUCKETS; a unit test keeps them equal): leverage × weight.
 */
export const LEVERAGE_MIX: readonly { readonly leverage: number; readonly weight: number }[] = [
  { leverage: 5, weight: 0.3 },
  { leverage: 10, weight: 0.3 },
  { leverage: 25, weight: 0.2 },
  { leverage: 50, weight: 0.12 },
  { leverage: 100, weight: 0.08 },
];

/** Largest leverage after scaling the mix, as in the validation (engine MAX_LEVERAGE: Binance BTCUSDT's first tier). */
export const MIX_MAX_LEVERAGE = 125;

/** Share of the margin lost before owners react, as fitted by the validation (engine REACTION_LOSS_SHARE). */
export const FIT_REACTION_LOSS_SHARE = 0.5;

/** Largest form leverage scale: at ×25 every leverage of the mix is at the 125× cap. */
export const MAX_LEVERAGE_SCALE = MIX_MAX_LEVERAGE / LEVERAGE_MIX[0]!.leverage;

/** The form's fields (numbers are null when an input is empty). */
export interface PopulationForm {
  lookbackBars: number | null;
  /** Multiplies every leverage of the default mix (capped at 125×); 1 = the default mix. */
  leverageScale: number | null;
  longShare: number | null;
  entries: 'lookback' | 'aged';
  meanAgeDays: number | null;
  reactionOn: boolean;
  reactionLossShare: number | null;
  reactionMinutes: number | null;
  inflowOn: boolean;
  meanHoldingDays: number | null;
}

export type PopulationField = 'lookbackBars' | 'leverageScale' | 'longShare' | 'meanAgeDays' | 'reactionLossShare' | 'reactionMinutes' | 'meanHoldingDays';

export const DEFAULT_POPULATION_FORM: PopulationForm = {
  lookbackBars: 1440,
  leverageScale: 1,
  longShare: 0.5,
  entries: 'lookback',
  meanAgeDays: 30,
  reactionOn: false,
  reactionLossShare: FIT_REACTION_LOSS_SHARE,
  reactionMinutes: 60,
  inflowOn: false,
  meanHoldingDays: 1,
};

/** The default mix with every leverage × k, capped at 125× (and kept above 1×, as the schema wants). */
export function scaledLeverageMix(k: number): { leverage: number; weight: number }[] {
  return LEVERAGE_MIX.map((b) => ({ leverage: Math.min(MIX_MAX_LEVERAGE, Math.max(1.01, b.leverage * k)), weight: b.weight }));
}

export type PopulationFormResult = { ok: true; population: PopulationSpecInput } | { ok: false; errors: Partial<Record<PopulationField, string>> };

/** Schema path of an issue → the form field that holds it. */
function fieldOf(path: readonly PropertyKey[]): PopulationField | null {
  const key = path.map(String).join('.');
  if (key === 'lookbackBars' || key === 'longShare' || key === 'meanAgeDays') return key;
  if (key === 'reaction.lossShare') return 'reactionLossShare';
  if (key === 'reaction.minutes') return 'reactionMinutes';
  if (key === 'inflow.meanHoldingDays') return 'meanHoldingDays';
  if (key.startsWith('buckets')) return 'leverageScale';
  return null;
}

/**
 * The scenario's `population` for the form, validated by the scenario schema (its messages per
 * field), or the errors. Options at their defaults are left out (the engine's defaults apply):
 * long share 0.5, leverage ×1; off options (look-back entries, no reaction, no inflow) are absent.
 */
export function populationFromForm(f: PopulationForm): PopulationFormResult {
  const errors: Partial<Record<PopulationField, string>> = {};
  const k = f.leverageScale;
  if (k === null || !Number.isFinite(k)) errors.leverageScale = 'leverage × must be a number (1 = the default mix)';
  else if (!(k > 0)) errors.leverageScale = 'leverage × must be > 0';
  else if (k > MAX_LEVERAGE_SCALE) errors.leverageScale = `leverage × must be ≤ ${MAX_LEVERAGE_SCALE} (every leverage of the mix is then at the ${MIX_MAX_LEVERAGE}× cap)`;
  const candidate: Record<string, unknown> = {
    lookbackBars: f.lookbackBars,
    ...(f.longShare !== 0.5 ? { longShare: f.longShare } : {}),
    ...(errors.leverageScale === undefined && k !== 1 ? { buckets: scaledLeverageMix(k!) } : {}),
    ...(f.entries === 'aged' ? { meanAgeDays: f.meanAgeDays } : {}),
    ...(f.reactionOn ? { reaction: { lossShare: f.reactionLossShare, minutes: f.reactionMinutes } } : {}),
    ...(f.inflowOn ? { inflow: { meanHoldingDays: f.meanHoldingDays } } : {}),
  };
  const parsed = populationSchema.safeParse(candidate);
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path);
      if (field && errors[field] === undefined) errors[field] = issue.message;
    }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, population: parsed.data };
}

/** What a validation fit sets in the form, and what of it a user replay cannot take. */
export interface FitApplied {
  form: PopulationForm;
  /** The fitted mark model (a scenario-wide option: it applies to own positions too). */
  mark: MarkForm;
  /** Fitted figures with no scenario field, in words (shown next to the button). */
  notApplied: string[];
}

/**
 * The form filled with a validation run's fitted population: leverage scale, long share, entries
 * (aged with the fitted mean age, or look-back), reaction (the fit's loss share 0.5), inflow (the
 * population's own holding time: the mean age, or the one-day look-back), and a one-day look-back
 * as the validation uses. The leveraged share of open interest has no scenario equivalent: a user
 * replay sizes the population by its share of the look-back's traded volume, not by open interest.
 */
export function formFromFit(p: PopulationParametersInfo, barSeconds: number, current: PopulationForm = DEFAULT_POPULATION_FORM): FitApplied {
  const lookbackBars = Math.max(1, Math.round(86_400 / barSeconds));
  const lookbackDays = (lookbackBars * barSeconds) / 86_400;
  const form: PopulationForm = {
    ...current,
    lookbackBars,
    leverageScale: p.leverageScale,
    longShare: p.longShare,
    entries: p.meanAgeDays !== null ? 'aged' : 'lookback',
    meanAgeDays: p.meanAgeDays ?? current.meanAgeDays,
    reactionOn: p.reactionMinutes !== null,
    reactionLossShare: p.reactionMinutes !== null ? FIT_REACTION_LOSS_SHARE : current.reactionLossShare,
    reactionMinutes: p.reactionMinutes ?? current.reactionMinutes,
    inflowOn: p.inflow,
    meanHoldingDays: p.inflow ? (p.meanAgeDays ?? lookbackDays) : current.meanHoldingDays,
  };
  const k = p.markWick ?? 1;
  const mark: MarkForm = k === 1 ? { source: 'candle-path', wick: 0.5 } : k === 0 ? { source: 'close', wick: 0.5 } : { source: 'damped', wick: k };
  const notApplied = [`the leveraged share ${(p.leveragedShare * 100).toFixed(1)}% (a replay sizes its population by the look-back’s traded volume, not by open interest)`];
  return { form, mark, notApplied };
}

/** The form's mark price model: the candle path (default), the 1m closes, or a damped wick (share `wick` of each wick). */
export interface MarkForm {
  source: 'candle-path' | 'close' | 'damped';
  /** Used by 'damped' only (null when the input is empty). */
  wick: number | null;
}

export type MarkSpecInput = NonNullable<ScenarioSpec['mark']>;

/**
 * The scenario's `mark` for the form (nothing for the default candle path, so stored scenarios
 * stay as before), or the schema's message for a bad wick share.
 */
export function markFromForm(m: MarkForm): { ok: true; mark: MarkSpecInput | null } | { ok: false; error: string } {
  if (m.source === 'candle-path') return { ok: true, mark: null };
  const parsed = markSchema.safeParse(m.source === 'close' ? { source: 'close' } : { source: 'damped', wick: m.wick ?? Number.NaN });
  return parsed.success ? { ok: true, mark: parsed.data } : { ok: false, error: parsed.error.issues[0]?.message ?? 'invalid mark' };
}
