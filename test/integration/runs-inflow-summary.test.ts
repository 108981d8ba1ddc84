/**
 * A stored run keeps the engine's in-window inflow figures (RunSummary.inflow) on the real
 * 2020-03-12 window: present with population.inflow, null without it; the stored scenario holds
 * the population options as sent. The summary is JSON, so runs stored before simply lack the key.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { createInProcessApi } from '../../electron/backend/services/in-process';
import { readSharedCsv, SHARED_DATA, tempDir } from '../helpers/temp';

const FILE = 'events/btcusdt_1m_2020-03-11_2020-03-14.csv';

describe('inflow figures in stored runs', async () => {
  const backend = new Backend({ dbPath: path.join(tempDir(), 'runs.db'), now: () => 1_700_000_000 });
  const api = createInProcessApi(backend, { trusted: false });
  const imported = await api.call('datasets.importText', { fileName: path.basename(FILE), text: fs.readFileSync(path.join(SHARED_DATA, FILE), 'utf8') });
  const population = { lookbackBars: 1440, meanAgeDays: 30, inflow: { meanHoldingDays: 2 } };
  const on = await api.call('runs.replay', { datasetId: imported.dataset.id, scenario: { venue: 'binance-usdm', impact: { model: 'none' }, population }, seed: 1 });
  const off = await api.call('runs.replay', { datasetId: imported.dataset.id, scenario: { venue: 'binance-usdm', impact: { model: 'none' }, population: { lookbackBars: 1440, meanAgeDays: 30 } }, seed: 1 });

  it('with inflow: opened notional, positions and cohorts are stored (one cohort per replayed bar with inflow)', async () => {
    const stored = (await api.call('runs.list', {})).find((r) => r.id === on.id)!;
    expect((stored.params.scenario as { population?: unknown }).population).toEqual(population);
    const inflow = stored.summary.inflow!;
    expect(inflow.openedNotional).toBeGreaterThan(0);
    expect(inflow.positions).toBeGreaterThan(0);
    expect(inflow.cohorts).toBeGreaterThan(0);
    expect(inflow.cohorts).toBeLessThanOrEqual(readSharedCsv(FILE).time.length - 1440);
    expect(inflow.openQuantity).toBeGreaterThan(0);
  });

  it('without inflow: null', async () => {
    const stored = (await api.call('runs.list', {})).find((r) => r.id === off.id)!;
    expect(stored.summary.inflow).toBeNull();
  });

  it('shorts opened during the fall are liquidated in the rebound: more short notional with inflow than without', async () => {
    const sum = async (id: number): Promise<number> => (await api.call('runs.get', { id })).series.liquidatedNotionalShort.reduce((a, b) => a + b, 0);
    const [withInflow, without] = [await sum(on.id), await sum(off.id)];
    expect(withInflow).toBeGreaterThan(without);
    console.log(`short liquidated notional: inflow ${withInflow.toFixed(0)} vs none ${without.toFixed(0)}`);
  });
});
