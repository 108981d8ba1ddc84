/**
 * validation.storedFit: the population the latest stored validation report fitted, read without
 * computing anything (the Replay form's "Use the validated fit"); null when none is stored; the
 * robustness runs (also kind 'validation') and design runs are not reports and are skipped.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { createInProcessApi } from '../../electron/backend/services/in-process';
import type { PopulationParametersInfo } from '../../shared/validation';
import { tempDir } from '../helpers/temp';

const fit = (over: Partial<PopulationParametersInfo>): PopulationParametersInfo => ({ leveragedShare: 1, leverageScale: 2, longShare: 0.5, positionsPerBucket: 1, meanAgeDays: 90, reactionMinutes: 60, inflow: false, ...over });

describe('validation.storedFit', () => {
  const backend = new Backend({ dbPath: path.join(tempDir(), 'runs.db'), now: () => 1_700_000_000 });
  const api = createInProcessApi(backend, { trusted: false });
  const insert = (kind: string, key: string, summary: unknown, engineVersion = '0.4.0'): number =>
    backend.runs.insert({ kind, name: key, datasetId: null, portfolioId: null, params: { key }, engineVersion, seed: 1, summary, series: {}, events: [] }, 1_700_000_000);

  it('is null when no validation run is stored', async () => {
    expect(await api.call('validation.storedFit', {})).toBeNull();
  });

  it('returns the latest report’s calibrated parameters, skipping robustness and design runs', async () => {
    insert('validation', 'validation/0.3.0/x/seed1', { parameters: fit({ leverageScale: 1 }), calibration: null }, '0.3.0');
    const latest = insert('validation', 'validation/0.4.0/x/seed1', { parameters: fit({}), calibration: { inSample: [], outOfSample: [], grid: [], parameters: fit({ inflow: true }) } });
    insert('validation', 'validation/0.4.0/x/seed1/robustness', { reverse: {}, leaveOneOut: [] });
    insert('design', 'design/0.4.0/x', { parameters: fit({ leverageScale: 0.5 }) });
    expect(await api.call('validation.storedFit', {})).toEqual({ runId: latest, engineVersion: '0.4.0', parameters: fit({ inflow: true }) });
    // Not listed with the replays.
    expect((await api.call('runs.list', {})).length).toBe(0);
  });
});
