/**
 * Known-answer tests for the margin math of each venue model: Binance-like linear (isolated and
 * cross, tier re-selection, margin call, bankruptcy), inverse (BitMEX-like), Hyperliquid-like and
 * Aave-v3-like lending. Every asserted number has its source or its hand calculation beside it.
 */
import { describe, expect, it } from 'vitest';
import {
  bankruptcyPrice,
  liquidationPrice,
  liquidationPriceFormula,
  marginCallPrice,
  marginRatio,
  maintenanceMargin,
} from '../../../electron/backend/engine/linear-margin';
import {
  inverseBankruptcyPrice,
  inverseLiquidationPrice,
  inverseMarginFromLeverage,
  inversePnl,
} from '../../../electron/backend/engine/inverse-margin';
import { hyperliquidDocsLiquidationPrice, hyperliquidLiquidationKind } from '../../../electron/backend/engine/hyperliquid-margin';
import { healthFactor, lendingLiquidationPrice, liquidateLending } from '../../../electron/backend/engine/lending';
import { notional, price, qty } from '../../../electron/backend/engine/units';
import type { Bracket } from '../../../electron/backend/engine/venue-rules';
import { bracketsOf, loadTable } from './rules-fixtures';

const single: Bracket[] = [{ floor: 0, cap: 1e15, mmr: 0.004, maxLeverage: 125, cum: 0 }];
const round2 = (x: number) => Math.round(x * 100) / 100;

describe('Binance-like linear perpetual, isolated', () => {
  it('long 1 BTC @ 10,000 with 1,000 margin at 0.4%/0 → 9,036.14', () => {
    // DESIGN.md §3.1 check; by hand: (1000 + 0 − 1·10000) / (1·0.004 − 1) = −9000 / −0.996 = 9036.144…
    const r = liquidationPrice(single, { side: 1, qty: qty(1), entry: price(10000), walletBalance: notional(1000) });
    expect(round2(r.price)).toBe(9036.14);
  });

  it('the short → 10,956.18', () => {
    // (1000 + 0 + 1·10000) / (1·0.004 + 1) = 11000 / 1.004 = 10956.175…
    const r = liquidationPrice(single, { side: -1, qty: qty(1), entry: price(10000), walletBalance: notional(1000) });
    expect(round2(r.price)).toBe(10956.18);
  });

  it('the same position with the 2021 BTCUSDT table lands in tier 1 and gives the same price', () => {
    const b = bracketsOf('binance-usdm_2021-03-26.json', 'BTCUSDT');
    const r = liquidationPrice(b, { side: 1, qty: qty(1), entry: price(10000), walletBalance: notional(1000) });
    expect(r.bracketIndex).toBe(0);
    expect(round2(r.price)).toBe(9036.14);
  });

  it('re-selects the tier when the notional at the liquidation price falls into a lower tier', () => {
    // Long 100 BTC @ 10,000 (1,000,000 notional → tier 4: 2.5%, cum 16,300) with 100,000 margin.
    // Tier 4 gives (100000 + 16300 − 1e6)/(100·0.025 − 100) = 9063.59 → notional 906,359 → tier 3.
    // Tier 3 (1%, cum 1,300): (100000 + 1300 − 1e6)/(100·0.01 − 100) = −898700/−99 = 9077.78,
    // notional 907,778 ∈ [250k, 1M) ✓ — consistent.
    const b = bracketsOf('binance-usdm_2021-03-26.json', 'BTCUSDT');
    const r = liquidationPrice(b, { side: 1, qty: qty(100), entry: price(10000), walletBalance: notional(100000) });
    expect(r.bracketIndex).toBe(2);
    expect(round2(r.price)).toBe(9077.78);
    // At that price equity = maintenance: 100000 + 100·(9077.78 − 10000) = 7777.8; 907778·1% − 1300 = 7777.8.
    const equity = 100000 + 100 * (r.price - 10000);
    expect(equity).toBeCloseTo(maintenanceMargin(b, qty(100), r.price), 6);
  });

  it('freqtrade vectors (Binance FAQ examples) for isolated: 1,114.78 and 18,778.73', () => {
    // freqtrade/freqtrade tests/leverage/test_liquidation_price.py (PR #5576, 2021), isolated rows:
    // WB 1535443.01, cum 135365.00, Q 3683.979, EP 1456.84, MMR 0.10 → 1114.78
    // WB 1535443.01, cum 16300.000, Q 109.488, EP 32481.980, MMR 0.025 → 18778.73
    const a = liquidationPriceFormula({ side: 1, qty: qty(3683.979), entry: price(1456.84), walletBalance: notional(1535443.01), mmr: 0.1, cum: 135365 });
    expect(round2(a)).toBe(1114.78);
    const b = liquidationPriceFormula({ side: 1, qty: qty(109.488), entry: price(32481.98), walletBalance: notional(1535443.01), mmr: 0.025, cum: 16300 });
    expect(round2(b)).toBe(18778.73);
  });

  it('bankruptcy price: long 9,000, short 11,000 for 1 BTC @ 10,000 with 1,000 margin', () => {
    // equity = 1000 ± 1·(p − 10000) = 0 → 9000 (long), 11000 (short).
    expect(bankruptcyPrice({ side: 1, qty: qty(1), entry: price(10000), walletBalance: notional(1000) })).toBe(9000);
    expect(bankruptcyPrice({ side: -1, qty: qty(1), entry: price(10000), walletBalance: notional(1000) })).toBe(11000);
  });

  it('margin-call price at 80%: 9,045.23 for the same long', () => {
    // MM/equity = 0.8: (0 + 0.8·(1000 − 10000)) / (0.004 − 0.8) = −7200 / −0.796 = 9045.226…
    // Check: MM = 9045.23·0.4% = 36.18; equity = 1000 − 954.77 = 45.23; 36.18/45.23 = 0.80.
    const r = marginCallPrice(single, { side: 1, qty: qty(1), entry: price(10000), walletBalance: notional(1000) });
    expect(round2(r.price)).toBe(9045.23);
    expect(marginRatio(single, { side: 1, qty: qty(1), entry: price(10000), walletBalance: notional(1000) }, r.price)).toBeCloseTo(0.8, 10);
  });

  it('margin ratio reaches 1 exactly at the liquidation price', () => {
    const input = { side: -1 as const, qty: qty(3), entry: price(20000), walletBalance: notional(4000) };
    const lp = liquidationPrice(single, input).price;
    expect(marginRatio(single, input, lp)).toBeCloseTo(1, 10);
  });
});

describe('Binance-like linear perpetual, cross', () => {
  it('freqtrade cross vectors (Binance FAQ examples): 1,153.26 and 26,316.89', () => {
    // freqtrade/freqtrade tests/leverage/test_liquidation_price.py, cross rows:
    // WB 1535443.01, TMM1 71200.81144, UPNL1 −56354.57, cum 135365, Q 3683.979, EP 1456.84, MMR 0.10 → 1153.26
    // WB 1535443.01, TMM1 356512.508, UPNL1 −448192.89, cum 16300, Q 109.488, EP 32481.98, MMR 0.025 → 26316.89
    const a = liquidationPriceFormula({
      side: 1, qty: qty(3683.979), entry: price(1456.84), walletBalance: notional(1535443.01),
      otherMaintenance: notional(71200.81144), otherUnrealizedPnl: notional(-56354.57), mmr: 0.1, cum: 135365,
    });
    expect(round2(a)).toBe(1153.26);
    const b = liquidationPriceFormula({
      side: 1, qty: qty(109.488), entry: price(32481.98), walletBalance: notional(1535443.01),
      otherMaintenance: notional(356512.508), otherUnrealizedPnl: notional(-448192.89), mmr: 0.025, cum: 16300,
    });
    expect(round2(b)).toBe(26316.89);
  });

  it('cross long 2 BTC @ 10,000, wallet 10,000, other positions TMM1 50 and UPNL1 −500 → 5,296.18', () => {
    // By hand: (10000 − 50 − 500 + 0 − 2·10000) / (2·0.004 − 2) = −10550 / −1.992 = 5296.18;
    // notional 2·5296.18 = 10,592 stays in tier 1 (< 50,000) of the 2021 table.
    const b = bracketsOf('binance-usdm_2021-03-26.json', 'BTCUSDT');
    const r = liquidationPrice(b, {
      side: 1, qty: qty(2), entry: price(10000), walletBalance: notional(10000),
      otherMaintenance: notional(50), otherUnrealizedPnl: notional(-500),
    });
    expect(round2(r.price)).toBe(5296.18);
  });

  it('cross short: the other positions’ profit pushes the liquidation price up', () => {
    // (5000 − 0 + 1000 + 0 + 1·10000) / (0.004 + 1) = 16000/1.004 = 15936.25 vs 14940.24 without the profit
    const base = { side: -1 as const, qty: qty(1), entry: price(10000), walletBalance: notional(5000) };
    expect(round2(liquidationPrice(single, base).price)).toBe(14940.24);
    expect(round2(liquidationPrice(single, { ...base, otherUnrealizedPnl: notional(1000) }).price)).toBe(15936.25);
  });
});

describe('inverse perpetual (BitMEX-like)', () => {
  it('coin PnL = contracts·(1/entry − 1/exit)', () => {
    // 10,000 contracts long from 5,000 to 4,000: 10000·(1/5000 − 1/4000) = 2 − 2.5 = −0.5 XBT.
    expect(inversePnl(1, 10000, 5000, 4000)).toBeCloseTo(-0.5, 12);
    expect(inversePnl(-1, 10000, 5000, 4000)).toBeCloseTo(0.5, 12);
  });

  it('bankruptcy long = entry·L/(L+1), short = entry·L/(L−1)', () => {
    // 10x at 10,000: long 10000·10/11 = 9090.91; short 10000·10/9 = 11111.11.
    const m = inverseMarginFromLeverage(1000, 10000, 10); // 1000/(10000·10) = 0.01 XBT
    expect(m).toBeCloseTo(0.01, 15);
    expect(round2(inverseBankruptcyPrice(1, 1000, 10000, m))).toBe(9090.91);
    expect(round2(inverseBankruptcyPrice(-1, 1000, 10000, m))).toBe(11111.11);
    // At the bankruptcy price the loss equals the margin: 1000·(1/10000 − 1/9090.909) = −0.01.
    expect(inversePnl(1, 1000, 10000, inverseBankruptcyPrice(1, 1000, 10000, m))).toBeCloseTo(-m, 12);
  });

  it('liquidation price with 0.35% maintenance: long 9,122.73, short 11,072.22 at 10x', () => {
    // long: E(1+mmr)/(1+1/L) = 10000·1.0035/1.1 = 9122.727; short: E(1−mmr)/(1−1/L) = 10000·0.9965/0.9 = 11072.22
    const b = bracketsOf('bitmex-inverse_2020-01-01.json', 'XBTUSD');
    const m = inverseMarginFromLeverage(1000, 10000, 10);
    expect(round2(inverseLiquidationPrice(b, 1, 1000, 10000, m).price)).toBe(9122.73);
    expect(round2(inverseLiquidationPrice(b, -1, 1000, 10000, m).price)).toBe(11072.22);
  });

  it('a position above the 200 XBT risk limit pays the next step’s rate on all of it', () => {
    // 2,500,000 contracts @ 10,000 = 250 XBT → step 2 (0.85%). Long at 10x: 10000·1.0085/1.1 = 9168.18;
    // value at that price 2.5e6/9168.18 = 272.7 XBT ∈ [200, 300) ✓.
    const b = bracketsOf('bitmex-inverse_2020-01-01.json', 'XBTUSD');
    const r = inverseLiquidationPrice(b, 1, 2_500_000, 10000, inverseMarginFromLeverage(2_500_000, 10000, 10));
    expect(r.bracketIndex).toBe(1);
    expect(round2(r.price)).toBe(9168.18);
  });
});

describe('Hyperliquid-like', () => {
  const b = bracketsOf('hyperliquid_2025-01-01.json', 'BTC');

  it('isolated long 1 BTC @ 100,000 at 20x → 96,202.53, equal to the docs’ closed form', () => {
    // Linear condition: (5000 − 100000)/(0.0125 − 1) = 96202.53.
    // Docs: margin_available = 5000 − 100000·1.25% = 3750; 100000 − 3750/1/(1 − 0.0125) = 96202.53.
    const r = liquidationPrice(b, { side: 1, qty: qty(1), entry: price(100000), walletBalance: notional(5000) });
    expect(round2(r.price)).toBe(96202.53);
    expect(round2(hyperliquidDocsLiquidationPrice(1, 1, 100000, 3750, 0.0125))).toBe(96202.53);
  });

  it('liquidation kind: backstop under 2/3 MM, 20% slice above 100k, else full', () => {
    const policy = loadTable('hyperliquid_2025-01-01.json').liquidation!;
    expect(hyperliquidLiquidationKind(policy, 150_000, 0.6 * 1000, 1000)).toEqual({ kind: 'backstop' });
    expect(hyperliquidLiquidationKind(policy, 150_000, 0.9 * 1000, 1000)).toEqual({ kind: 'slice', fraction: 0.2 });
    expect(hyperliquidLiquidationKind(policy, 50_000, 0.9 * 1000, 1000)).toEqual({ kind: 'full' });
    expect(policy.cooldownSeconds).toBe(30);
  });
});

describe('Aave-v3-like lending', () => {
  const t = loadTable('aave-v3_2023-01-27.json');
  const weth = t.lending!.assets['WETH']!;
  const rules = t.lending!;
  const pos = { collateralAmount: 10, debt: 16000 };

  it('health factor and liquidation price', () => {
    // HF = 10·2000·0.825/16000 = 1.03125; liquidation price = 16000/(10·0.825) = 1939.39
    expect(healthFactor(pos, 2000, weth)).toBeCloseTo(1.03125, 12);
    expect(round2(lendingLiquidationPrice(pos, weth))).toBe(1939.39);
    expect(liquidateLending(pos, 2000, weth, rules).debtRepaid).toBe(0);
  });

  it('0.95 < HF < 1: close factor 50%, collateral seized with the 5% bonus', () => {
    // At 1900: HF = 19000·0.825/16000 = 0.9797 → repay 8000, seize 8000·1.05/1900 = 4.421053 WETH.
    const r = liquidateLending(pos, 1900, weth, rules);
    expect(r.closeFactor).toBe(0.5);
    expect(r.debtRepaid).toBe(8000);
    expect(r.collateralSeized).toBeCloseTo(4.421053, 6);
    expect(r.liquidatorBonusValue).toBeCloseTo(400, 9); // 5% of 8000
    expect(r.deficit).toBe(0);
  });

  it('HF ≤ 0.95: close factor 100%', () => {
    // At 1800: HF = 0.928125 → repay all 16000, seize 16000·1.05/1800 = 9.333333 WETH.
    const r = liquidateLending(pos, 1800, weth, rules);
    expect(r.closeFactor).toBe(1);
    expect(r.collateralSeized).toBeCloseTo(9.333333, 6);
    expect(r.remaining.debt).toBe(0);
  });

  it('collateral runs out: repaid debt reduced, the rest is a deficit', () => {
    // At 1500: seize would be 16000·1.05/1500 = 11.2 > 10 → seize 10, repay 10·1500/1.05 = 14285.71,
    // deficit 16000 − 14285.71 = 1714.29.
    const r = liquidateLending(pos, 1500, weth, rules);
    expect(r.collateralSeized).toBe(10);
    expect(round2(r.debtRepaid)).toBe(14285.71);
    expect(round2(r.deficit)).toBe(1714.29);
  });
});
