/**
 * Window size and position remembered in userData: a saved state is read back; a corrupt
 * file, absurd or non-integer numbers, a size below the minimum, and a position that lies on
 * no display (a monitor unplugged since) are ignored; a state larger than its display is
 * shrunk to it; moves and resizes are saved after a debounce, closing saves at once.
 * Not covered: real displays and window managers (no Electron binary here).
 */
import fs from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import {
  isOnSomeDisplay,
  loadWindowState,
  parseWindowState,
  saveWindowState,
  trackWindowState,
  WINDOW_STATE_FILE,
} from '../../../electron/main/window-state';
import { tempDir } from '../../helpers/temp';

const FULL_HD = [{ x: 0, y: 0, width: 1920, height: 1080 }];
const TWO_SCREENS = [...FULL_HD, { x: 1920, y: 0, width: 2560, height: 1440 }];
const dir = tempDir('undertow-window-state-');

function write(name: string, text: string): string {
  const userData = path.join(dir, name);
  fs.mkdirSync(userData, { recursive: true });
  fs.writeFileSync(path.join(userData, WINDOW_STATE_FILE), text);
  return userData;
}

describe('loadWindowState', () => {
  it('reads back what was saved', () => {
    const userData = path.join(dir, 'roundtrip');
    saveWindowState(userData, { x: 40, y: 30, width: 1300, height: 850, maximized: true });
    expect(loadWindowState(userData, FULL_HD)).toEqual({ x: 40, y: 30, width: 1300, height: 850, maximized: true });
  });

  it('is null without a file, and for a corrupt one', () => {
    expect(loadWindowState(path.join(dir, 'none'), FULL_HD)).toBeNull();
    expect(loadWindowState(write('truncated', '{"x": 10, "y": 2'), FULL_HD)).toBeNull();
    expect(loadWindowState(write('binary', '\u0000\u00ff'), FULL_HD)).toBeNull();
    expect(loadWindowState(write('array', '[1,2,3,4]'), FULL_HD)).toBeNull();
  });

  it('ignores absurd values', () => {
    const bad = [
      { x: 0, y: 0, width: 'wide', height: 800 },
      { x: 0.5, y: 0, width: 1000, height: 800 },
      { x: 0, y: 0, width: 1e9, height: 800 },
      { x: 0, y: 0, width: 200, height: 100 },
      { x: 0, y: 0, width: 1000, height: 800, maximized: 'yes' },
      { x: null, y: 0, width: 1000, height: 800 },
    ];
    for (const [i, state] of bad.entries()) {
      expect(loadWindowState(write(`bad-${i}`, JSON.stringify(state)), FULL_HD), JSON.stringify(state)).toBeNull();
    }
    expect(parseWindowState({ x: 0, y: 0, width: Number.NaN, height: 800 })).toBeNull();
  });

  it('ignores a position on a display that is gone, keeps one on a display that is there', () => {
    const onSecond = write('second', JSON.stringify({ x: 2200, y: 100, width: 1400, height: 900 }));
    expect(loadWindowState(onSecond, TWO_SCREENS)).toMatchObject({ x: 2200, y: 100 });
    expect(loadWindowState(onSecond, FULL_HD)).toBeNull();
    // Title bar above the top of the screen, or only a sliver of it visible: not grabbable.
    expect(isOnSomeDisplay({ x: 100, y: -500, width: 1000, height: 700 }, FULL_HD)).toBe(false);
    expect(isOnSomeDisplay({ x: 1880, y: 100, width: 1000, height: 700 }, FULL_HD)).toBe(false);
    expect(isOnSomeDisplay({ x: 1700, y: 100, width: 1000, height: 700 }, FULL_HD)).toBe(true);
  });

  it('shrinks a state larger than its display to the display', () => {
    const big = write('big', JSON.stringify({ x: 0, y: 0, width: 2500, height: 1400 }));
    expect(loadWindowState(big, FULL_HD)).toEqual({ x: 0, y: 0, width: 1920, height: 1080, maximized: false });
  });
});

describe('trackWindowState', () => {
  it('saves after moves and resizes settle, and at once on close', () => {
    vi.useFakeTimers();
    try {
      const window = Object.assign(new EventEmitter(), {
        getNormalBounds: () => ({ x: 1, y: 2, width: 1000, height: 700 }),
        isMaximized: () => false,
        isDestroyed: () => false,
      });
      const save = vi.fn();
      trackWindowState(window, save, 500);
      window.emit('move');
      window.emit('resize');
      window.emit('move');
      vi.advanceTimersByTime(499);
      expect(save).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(save).toHaveBeenCalledOnce();
      expect(save).toHaveBeenLastCalledWith({ x: 1, y: 2, width: 1000, height: 700, maximized: false });
      window.emit('resize');
      window.emit('close');
      expect(save).toHaveBeenCalledTimes(2);
      vi.advanceTimersByTime(1000);
      expect(save).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
