/**
 * File ▸ Recent's own list (userData/recent.json, so it works on Linux): newest first, no
 * duplicates, at most ten, persisted and read back; a corrupt file or bad entries are
 * dropped; entries come only from successful relayed replies of the methods that open or
 * create a run or a dataset. Not covered: the OS recent-documents list (deliberately unused).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MAX_RECENT, parseRecent, RECENT_FILE, RecentList, recentFromReply, withRecent } from '../../../electron/main/recent';
import { tempDir } from '../../helpers/temp';

const dir = tempDir('undertow-recent-');

describe('recent list', () => {
  it('puts the newest first, moves a repeated entry to the top, keeps ten', () => {
    let list = withRecent([], { kind: 'run', id: 1, label: 'a' });
    list = withRecent(list, { kind: 'dataset', id: 1, label: 'BTCUSDT 1m' });
    list = withRecent(list, { kind: 'run', id: 1, label: 'a' });
    expect(list.map((i) => `${i.kind}${i.id}`)).toEqual(['run1', 'dataset1']);
    for (let id = 2; id < 20; id++) list = withRecent(list, { kind: 'run', id, label: `r${id}` });
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]).toEqual({ kind: 'run', id: 19, label: 'r19' });
  });

  it('drops bad entries and survives a corrupt file', () => {
    expect(parseRecent([{ kind: 'run', id: 1, label: 'ok' }, { kind: 'file', id: 2, label: 'x' }, { kind: 'run', id: -1, label: 'x' }, { kind: 'run', id: 3, label: '' }, 'junk'])).toEqual([
      { kind: 'run', id: 1, label: 'ok' },
    ]);
    expect(parseRecent({ not: 'a list' })).toEqual([]);
    const userData = path.join(dir, 'corrupt');
    fs.mkdirSync(userData);
    fs.writeFileSync(path.join(userData, RECENT_FILE), '[{"kind":"run",');
    expect(new RecentList(userData).list).toEqual([]);
  });

  it('persists each change and tells the menu to rebuild', () => {
    const userData = path.join(dir, 'persist');
    const onChange = vi.fn();
    const recent = new RecentList(userData, onChange);
    recent.add({ kind: 'run', id: 7, label: 'BTCUSDT replay' });
    recent.add({ kind: 'run', id: 7, label: 'BTCUSDT replay' }); // no change: no rebuild
    expect(onChange).toHaveBeenCalledOnce();
    expect(new RecentList(userData).list).toEqual([{ kind: 'run', id: 7, label: 'BTCUSDT replay' }]);
    recent.clear();
    expect(new RecentList(userData).list).toEqual([]);
  });
});

describe('recentFromReply', () => {
  it('names runs opened or computed and datasets imported, nothing else', () => {
    expect(recentFromReply('runs.get', { run: { id: 3, name: 'BTCUSDT replay' }, series: {}, events: [] })).toEqual({ kind: 'run', id: 3, label: 'BTCUSDT replay' });
    expect(recentFromReply('runs.replay', { id: 4, name: 'what if' })).toEqual({ kind: 'run', id: 4, label: 'what if' });
    expect(recentFromReply('datasets.importFile', { dataset: { id: 2, name: null, symbol: 'BTCUSDT', barSeconds: 60 } })).toEqual({ kind: 'dataset', id: 2, label: 'BTCUSDT 1m' });
    expect(recentFromReply('datasets.importText', { dataset: { id: 5, name: 'Covid crash', symbol: 'BTCUSDT', barSeconds: 3600 } })).toEqual({ kind: 'dataset', id: 5, label: 'Covid crash' });
    expect(recentFromReply('datasets.list', [{ id: 1 }])).toBeNull();
    expect(recentFromReply('runs.get', { run: { id: 'x' } })).toBeNull();
    expect(recentFromReply('runs.get', null)).toBeNull();
  });
});
