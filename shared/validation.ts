/**
 * Model validation and the mechanism design lab on the wire (issue 9). These mirror the engine's
 * plain-data results (electron/backend/engine/validation.ts, mechanisms.ts, lending-check.ts),
 * which the renderer must not import. Every modelled figure is an ESTIMATE; every reported figure
 * is OBSERVED and carries its source.
 */

export interface PopulationParametersInfo {
  leveragedShare: number;
  leverageScale: number;
  longShare: number;
  positionsPerBucket: number;
  /** Mean age of open positions (days), or null: all opened during the one-day look-back. */
  meanAgeDays: number | null;
  /** Owners' reaction time (minutes) once half the margin is lost, or null: none react. */
  reactionMinutes: number | null;
  /** In-window inflow: the population turns over during the window at its own holding time, new positions opening at each bar's close. */
  inflow: boolean;
  /** Mark model as the share of each 1m wick that reaches the mark: 1 or absent the candle path, 0 the 1m closes, between a damped wick. */
  markWick?: number;
}

export interface OpenInterestInfo {
  usd: number;
  imputed: boolean;
  note: string;
}

export interface EventComparisonInfo {
  id: string;
  title: string;
  sample: 'in' | 'out';
  observed: { btcNotional: number; btcRule: string; totalNotional: number; longShare: number | null; source: string };
  observedProfile: { shareWithin40Minutes: number; peakMinute: string; source: string } | null;
  estimate: {
    id: string;
    openInterest: OpenInterestInfo;
    scale: number;
    estimated: { total: number; long: number; short: number; longShare: number | null };
    series: { time: number[]; close: number[]; low: number[]; long: number[]; short: number[] };
    profile: { shareWithin40Minutes: number; best40From: number | null; peakMinute: number | null; peakNotional: number };
    priceMove: { first: number; low: number; drawdown: number };
    populationPositions: number;
  };
  ratio: number;
  within2x: boolean;
  longShareGap: number | null;
}

/** The population a stored validation run fitted (validation.storedFit). */
export interface StoredFitInfo {
  runId: number;
  engineVersion: string;
  parameters: PopulationParametersInfo;
}

/** One alternative calibration (engine SplitResult). */
export interface SplitResultInfo {
  inSample: string[];
  parameters: PopulationParametersInfo;
  ratios: { id: string; sample: 'in' | 'out'; ratio: number; within2x: boolean }[];
  within2x: number;
  within2xOutOfSample: number;
}

/** How much the validation depends on which events are fitted (engine Robustness). */
export interface RobustnessInfo {
  reverse: SplitResultInfo;
  leaveOneOut: SplitResultInfo[];
  leaveOneOutWithin2x: number;
  events: number;
  engineVersion: string;
  /** Stored run holding it. */
  runId: number;
}

export interface ValidationReportInfo {
  parameters: PopulationParametersInfo;
  calibration: {
    inSample: string[];
    outOfSample: string[];
    grid: { leverageScale: number; meanAgeDays: number | null; reactionMinutes: number | null; inflow: boolean; markWick?: number; leveragedShare: number; rmsLogError: number }[];
    parameters: PopulationParametersInfo;
  } | null;
  kappa: Record<string, number>;
  events: EventComparisonInfo[];
  score: { within2x: number; within2xOutOfSample: number; events: number; target: string; met: boolean };
  scaling: string;
  openInterestRule: string;
  depthRule: string;
  dataDir: string;
  engineVersion: string;
  /** Stored run holding this report. */
  runId: number;
}

export interface MechanismInfo {
  id: string;
  label: string;
  sliceFraction?: number;
  cooldownSeconds?: number;
  perStepCapShareOfOI?: number;
  circuitBreaker?: { thresholdPct: number; windowMinutes: number; haltMinutes: number };
  insuranceFundUsd: number;
  shortfall: 'adl' | 'socialised';
  auctionMinutes?: number;
}

export interface MechanismOutcomeInfo {
  eventId: string;
  mechanismId: string;
  amplification: number;
  exogenousMove: number;
  effectiveMove: number;
  liquidatedNotional: number;
  liquidatedLong: number;
  liquidatedShort: number;
  badDebt: number;
  insuranceFundDrawdown: number;
  adlVolume: number;
  halts: number;
}

/**
 * The lab's liquidity: `calibrated` multiplies every event's reported resting depth by the smallest
 * factor at which the in-sample events' observed paths can be de-impacted; `resting` uses the
 * reported depth as it is (a stress case: there the model's cascades are too violent for the paths).
 */
export const LIQUIDITY = ['calibrated', 'resting'] as const;
export type Liquidity = (typeof LIQUIDITY)[number];

export interface DepthCalibrationInfo {
  inSample: string[];
  grid: { multiplier: number; residuals: Record<string, number>; converged: string[] }[];
  multiplier: number;
  met: boolean;
}

export interface DesignMatrixInfo {
  liquidity: Liquidity;
  /** Every event's reported resting depth times this. */
  depthMultiplier: number;
  /** How the multiplier was chosen (calibrated liquidity), else null. */
  depthCalibration: DepthCalibrationInfo | null;
  mechanisms: MechanismInfo[];
  events: {
    id: string;
    title: string;
    openInterest: OpenInterestInfo;
    depthUsd: number;
    scale: number;
    /** How the exogenous path the mechanisms ran on was de-impacted from the observed one. */
    exogenousPath: { method: 'baseline-fixed-point'; iterations: number; residual: number; tolerance: number; converged: boolean; damping: number };
  }[];
  cells: MechanismOutcomeInfo[];
  parameters: PopulationParametersInfo;
  engineVersion: string;
  runId: number;
}

export interface LendingCheckInfo {
  source: string;
  records: number;
  positions: number;
  collateralUsd: number;
  debtUsd: number;
  bonus: { collateral: string; records: number; medianImpliedBonus: number; modelBonus: number | null }[];
  closes: { medianPerPosition: number; maxPerPosition: number; positionsOver3: number; modelMaxOnMonotoneFall: number };
  hourly: { hour: number; observedDebtUsd: number; observedBtcBackedUsd: number; observedShare: number; modelShare: number; btcLow: number }[];
  hourlyCorrelation: number | null;
  findings: string[];
}

/** Every modelling assumption behind the validation and the design lab (shown in the app and the CLI). */
export const ASSUMPTIONS: readonly { topic: string; text: string }[] = [
  { topic: 'Mark price', text: 'A calibration dimension with two values. Venues trigger liquidations on a mark price, not on one venue’s last trade: on Binance USDⓈ-M the mark is the median of (index × (1 + last funding rate × time to funding), index + moving average of the basis, last price), the index a weighted average of several spot venues’ prices (Binance FAQ 360033525071 “What Are Mark Price and Price Index in USDⓈ-Margined Futures?”). A median of three ignores one outlier, so a wick in one venue’s trades alone does not move the mark; a wick reaches it only as far as it is in the multi-venue index. No mark or index series is available, so the calibration tries the two ends: (1) candle path: the mark is the replayed venue’s last-trade 1m candles, walked O→L→H→C for bullish and O→H→L→C for bearish bars, every wick triggering as if it were the mark; (2) closes: the mark moves from each 1m close to the next and no intra-minute wick triggers anything. Replays outside the validation may also use a damped wick (a share k of each wick, measured from the bar’s close, reaches the mark; k is an assumption, not fitted). With either, a liquidation fills at the price where the mark crossed it (the 1m bars do not say where trades printed at that moment). Positions the look-back already liquidated are dropped by the candle path’s lows and highs whatever the mark model.' },
  { topic: 'One venue, one asset', text: 'The candles are Binance BTC/USDT (spot, or the USD-M perpetual for 2022-05 and 2022-11). Market-wide BTC liquidations are estimated from them; the reported figures are scaled to BTC as stated beside each (reported BTC figure; BTC longs ÷ long share; or the total × the mean BTC share 38.3%).' },
  { topic: 'Open interest', text: 'Reported pre-event BTC open interest where CRASH-FACTS.md has it (2021-05, 2022-11, 2025-10); otherwise imputed from the notional the replayed venue traded over the look-back times κ, the ratio seen where OI is reported (per spot/perp file).' },
  { topic: 'Population shape', text: 'Half long and half short, over the leverage mix 5/10/25/50/100× with weights 30/30/20/12/8% (every leverage times the fitted scale, capped at 125×). Only a fitted share of open interest is in this mix; the rest (hedged or unleveraged) is assumed never to be liquidated in the window. Entries, one of two shapes chosen by the calibration: (a) aged: the steady state of positions held for an exponentially distributed time of a fitted mean age (7, 30 or 90 days); a position of age A entered at P·exp(σ√A·z), z standard normal, P the last look-back close and σ the look-back’s realised daily volatility (a random walk with no drift), and it is kept with the Brownian-bridge probability 1 − exp(−2ab/(σ²A)) that the walk from its entry to P never reached its liquidation price (a, b: log distances from the entry and from P to it); 16 age quantiles × 41 normal nodes per side and leverage; or (b) look-back: every position opened during the one-day look-back in proportion to traded volume at the bar close, those the look-back already liquidated dropped.' },
  { topic: 'Positions opened during the window', text: 'A calibration dimension (on or off). On: the look-back rule goes on through the window. At the close of each 1m bar t owners close a share h_t = 1 − exp(−w_t·Δt/H) of every open population position, whatever its PnL, and the same BTC quantity opens again at that close (Δt: the bar in days; w_t: the bar’s traded notional over the look-back’s mean per bar, so busy crash bars turn over more; H: the population’s own holding time, the mean age for aged entries or the one-day look-back for look-back entries, not a new fitted number). The new positions are split long/short and over the leverage mix like the population, their liquidation is checked from the next bar on, and open interest changes only by liquidations (and owners reacting). Turnover closes happen at the market without fee or impact and are not counted as liquidations. Off: no position opens during the window.' },
  { topic: 'Position size', text: 'The population is simulated at a small size and totals are scaled linearly to market size (exact with impact off). Simulated positions are about $20,000 each with look-back entries; with aged entries they range up to about $180,000 (heavier quadrature nodes), so the largest fall in the second Binance bracket tier (maintenance margin 0.5% instead of 0.4%). Large accounts on higher tiers are not represented.' },
  { topic: 'Margin', text: 'Isolated margin, liquidation price from the venue formula with tiers (Binance USD-M tables in force at the date). Cross-margin accounts and margin top-ups are ignored.' },
  { topic: 'Owners reacting', text: 'When the calibration picks a reaction time T: once a position has lost half its margin, its owner closes it at a rate of 1/T (exponential), so a share exp(−Δt/T) of it is still open when the price reaches its liquidation price Δt minutes after crossing that loss. A fast crash liquidates nearly all of it, a slow one little. The owner’s part is settled at the liquidation price, without fee and without market impact (assumed absorbed over its longer time span); it is counted apart from liquidations.' },
  { topic: 'Impact in validation', text: 'Off: the real path already contains the cascade’s own price impact, so adding impact would count it twice.' },
  { topic: 'Impact in the design lab', text: 'Linear depth (notional per 1% move) from Kaiko figures in CRASH-FACTS.md, transient impact with a 300 s half-life and 50% permanent. The real path already contains the real cascade’s impact, so it is not replayed as if it were exogenous (that would count the impact twice).' },
  { topic: 'Liquidity of the design lab', text: 'Two cases. Calibrated (default): every event’s reported resting depth times one shared multiplier k, the smallest of 1, 2, 3, 5, 10, 20, 30, 50, 100 at which the baseline can reproduce all three in-sample events’ observed closes (the de-impacting fixed point converges); out-of-sample events play no part. The k found is shown with the matrix; that it is well above 1 says the reported resting book alone (Kaiko’s 1–2% depth, a snapshot) could not have absorbed the estimated liquidations without moving the price far more than it moved: the market refilled during the cascade. Resting: k = 1, a stress case — what each mechanism does if only the resting book absorbs the forced orders; there the model’s cascades run far beyond the real paths, which then do not de-impact.' },
  { topic: 'De-impacted path (design lab)', text: 'Each event’s observed path O is de-impacted against the baseline mechanism (full liquidation, $100M fund, ADL): an exogenous path X is found such that the baseline’s effective closes reproduce O’s closes, by fixed-point iteration X ← X·(O/E)^α per replayed bar (each candle’s open, high, low and close scaled alike; α = 1, halved when a step does not reduce the residual), at most 40 replays, converged when every bar’s |ln(E/O)| ≤ 0.0001. Every mechanism then runs on X, so the baseline reproduces the real crash by construction and the others are counterfactuals against it; amplification is effective move / X’s move. Iterations, residual and convergence are stored per event in the matrix; an event whose fixed point did not converge is flagged there and its row is a comparison on the best path found, not on the real crash. Only closes are matched: intrabar highs and lows of the baseline can differ from the observed ones.' },
  { topic: 'Partial liquidation', text: 'Modelled as slices whose triggers are the successive liquidation prices of the remainder; the cooldown between slices is not modelled for the population.' },
  { topic: 'Dutch auction', text: 'Modelled as the forced order sold evenly over the auction: the book is deepened by the inverse of the peak-impact factor φ + (1−φ)(1−2^−x)/(x ln 2), x = duration/half-life. Auction discounts are not modelled.' },
  { topic: 'Circuit breakers (finding)', text: 'A halt stops liquidations for its length; when it ends, every position still under water is liquidated at once (no gradual release, no per-step cap unless the mechanism has one). So a breaker does not always soften the cascade: released together and later, the held-back liquidations leave their impact closer to the trough. Found by the property tests: 2021-05-19, one-day look-back population without owner reaction, 1% of open interest leveraged, $60M of depth per 1%, halt at 2% over 1 minute for 1 minute — $55.68M liquidated instead of $55.71M, yet the worst effective move deepens from −30.311% to −30.312% (29 halts). What does hold, and is tested: nothing is liquidated while halted, and a breaker changes nothing before it first trips.' },
  { topic: 'Insurance fund and ADL', text: 'One fund for the whole market, sized per mechanism; shortfalls beyond it go to ADL (profitable opposite positions ranked by PnL% × leverage) or are socialised as bad debt.' },
  { topic: 'Calibration', text: 'Chronological split: the three earliest events fit the shared parameters, the three latest are out of sample. Grid: leverage scale 0.5, 1, 2 × entries look-back or mean age 7, 30, 90 days × owners’ reaction none, 15, 60, 240 minutes × positions opened during the window or not × mark on the candle path or on the 1m closes; at each point the leveraged share is fitted in closed form (geometric-mean ratio 1 on the in-sample events, capped at 100%), and the point with the smallest RMS log error wins. Observed totals are lower bounds (throttled exchange feeds), so ratios above 1 may be less wrong than they look.' },
  { topic: 'Ignored', text: 'Funding, fees other than the liquidation fee, other assets (ETH, SOL, alts), spot/DeFi liquidations, exchange outages and order-book depth changes during the crash, positions opened during the window unless the calibration turns inflow on, and the leverage regime of the time (the same leverage mix is used from 2020 to 2025).' },
];

/** The lab's liquidity in words (app and CLI). */
export function describeLiquidity(m: Pick<DesignMatrixInfo, 'liquidity' | 'depthMultiplier' | 'depthCalibration'>): string {
  if (m.liquidity === 'resting') return 'resting depth as reported (×1): a stress case — at this depth the model’s cascades are more violent than the observed paths allow, so most paths do not de-impact';
  const c = m.depthCalibration;
  const tried = c ? c.grid.map((g) => `×${g.multiplier}: ${g.converged.length}/${c.inSample.length}`).join(', ') : '';
  return c?.met
    ? `reported resting depth ×${m.depthMultiplier}, the smallest multiplier at which every in-sample path (${c.inSample.join(', ')}) de-impacts (converged per multiplier tried: ${tried})`
    : `reported resting depth ×${m.depthMultiplier}: no multiplier tried let every in-sample path de-impact (${tried})`;
}

/**
 * The entries, owners' reaction and in-window inflow of a population in words: one phrase each,
 * shared by the validation's fit ({@link describePopulation}) and a replay's scenario
 * ({@link describeScenarioPopulation}).
 */
export function populationPhrases(p: {
  meanAgeDays: number | null;
  /** How the look-back entries are named, e.g. "a one-day look-back". */
  lookback: string;
  reaction: { lossShare: number; minutes: number } | null;
  /** On: the mean holding time in days when known (null: not stated). */
  inflow: { meanHoldingDays: number | null } | null;
}): [entries: string, reaction: string, inflow: string] {
  const entries = p.meanAgeDays !== null ? `entries aged (mean ${p.meanAgeDays} days)` : `entries over ${p.lookback}`;
  const lost = p.reaction && p.reaction.lossShare === 0.5 ? 'half the margin' : `${((p.reaction?.lossShare ?? 0) * 100).toFixed(0)}% of the margin`;
  const reaction = p.reaction ? `owners close at a rate of 1/${p.reaction.minutes} min once ${lost} is lost` : 'no owner reaction';
  const holding = p.inflow?.meanHoldingDays != null ? ` (mean holding ${p.inflow.meanHoldingDays} days)` : '';
  const inflow = p.inflow ? `positions turn over and reopen during the window${holding}` : 'no positions opened during the window';
  return [entries, reaction, inflow];
}

/** The fitted population in words (app and CLI): leveraged share, leverage scale, entries, reaction, inflow, mark model. */
export function describePopulation(p: PopulationParametersInfo): string {
  const [entries, reaction, inflow] = populationPhrases({
    meanAgeDays: p.meanAgeDays,
    lookback: 'a one-day look-back',
    reaction: p.reactionMinutes !== null ? { lossShare: 0.5, minutes: p.reactionMinutes } : null,
    inflow: p.inflow ? { meanHoldingDays: null } : null,
  });
  return `leveraged share ${(p.leveragedShare * 100).toFixed(1)}% of open interest, leverage ×${p.leverageScale}, long share ${(p.longShare * 100).toFixed(0)}%, ${entries}, ${reaction}, ${inflow}, ${describeMark(p.markWick ?? 1)}`;
}

/** The mark model of a wick factor k (1: the candle path, 0: the 1m closes) in words. */
export function describeMark(k: number): string {
  return k === 1 ? 'mark on the candle path' : k === 0 ? 'mark on the 1m closes (no intra-minute wick triggers)' : `mark on a damped wick (${k} of each wick)`;
}

/** A replay scenario's estimated population in words (the run description), from the stored scenario. */
export function describeScenarioPopulation(p: {
  lookbackBars: number;
  longShare?: number | undefined;
  buckets?: readonly { leverage: number; weight: number }[] | undefined;
  meanAgeDays?: number | undefined;
  reaction?: { lossShare: number; minutes: number } | undefined;
  inflow?: { meanHoldingDays: number } | undefined;
}): string {
  const [entries, reaction, inflow] = populationPhrases({
    meanAgeDays: p.meanAgeDays ?? null,
    lookback: `a ${p.lookbackBars.toLocaleString('en-US')}-bar look-back`,
    reaction: p.reaction ?? null,
    inflow: p.inflow ?? null,
  });
  const mix = p.buckets ? `leverage mix ${p.buckets.map((b) => `${+b.leverage.toFixed(2)}×`).join('/')}` : 'default leverage mix';
  const lookback = p.meanAgeDays !== undefined ? `, volatility from a ${p.lookbackBars.toLocaleString('en-US')}-bar look-back` : '';
  return `${mix}, long share ${((p.longShare ?? 0.5) * 100).toFixed(0)}%, ${entries}${lookback}, ${reaction}, ${inflow}`;
}
