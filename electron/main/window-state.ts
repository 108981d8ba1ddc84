/**
 * The main window's size and position, remembered across launches in
 * `userData/window-state.json`. What is read back is validated: a corrupt file, absurd numbers,
 * or a position that no longer lies on any display (a monitor unplugged since) are ignored and
 * the window opens at its default size, centred. Pure functions plus a small tracker, so unit
 * tests can drive them with `electron` mocked and a temp directory.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState extends Rect {
  maximized: boolean;
}

export const WINDOW_STATE_FILE = 'window-state.json';
/** The window's minimum size (also `mainWindowOptions`'s minWidth/minHeight). */
export const MIN_SIZE = { width: 900, height: 600 } as const;
/** Larger than any display plausible today; anything bigger is corrupt. */
const MAX_SIDE = 32_768;
/** How much of the title bar area must be on a display for the position to be kept. */
const MIN_VISIBLE = { width: 120, height: 40 } as const;

/** The state in `value` if it is well-formed, else null. */
export function parseWindowState(value: unknown): WindowState | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const ints = [v.x, v.y, v.width, v.height];
  if (!ints.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && Math.abs(n) <= MAX_SIDE)) return null;
  const [x, y, width, height] = ints as number[];
  if (width! < MIN_SIZE.width || height! < MIN_SIZE.height) return null;
  if (v.maximized !== undefined && typeof v.maximized !== 'boolean') return null;
  return { x: x!, y: y!, width: width!, height: height!, maximized: v.maximized === true };
}

/** True when the top strip of `rect` (where the title bar is) overlaps some display's work area enough to grab it. */
export function isOnSomeDisplay(rect: Rect, workAreas: readonly Rect[]): boolean {
  const strip = { x: rect.x, y: rect.y, width: rect.width, height: MIN_VISIBLE.height };
  return workAreas.some((area) => {
    const w = Math.min(strip.x + strip.width, area.x + area.width) - Math.max(strip.x, area.x);
    const h = Math.min(strip.y + strip.height, area.y + area.height) - Math.max(strip.y, area.y);
    return w >= MIN_VISIBLE.width && h >= MIN_VISIBLE.height;
  });
}

/**
 * The remembered state from `userDataDir`, or null (no file, unreadable, corrupt, or off every
 * display in `workAreas`). When it is larger than the display it is on, it is shrunk to fit.
 */
export function loadWindowState(userDataDir: string, workAreas: readonly Rect[]): WindowState | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(path.join(userDataDir, WINDOW_STATE_FILE), 'utf8'));
  } catch {
    return null;
  }
  const state = parseWindowState(parsed);
  if (!state || !isOnSomeDisplay(state, workAreas)) return null;
  const area = workAreas.find((a) => isOnSomeDisplay(state, [a]))!;
  return {
    ...state,
    width: Math.max(MIN_SIZE.width, Math.min(state.width, area.width)),
    height: Math.max(MIN_SIZE.height, Math.min(state.height, area.height)),
  };
}

/** Writes the state atomically (temp file, then rename), so a crash never leaves half a file. */
export function saveWindowState(userDataDir: string, state: WindowState): void {
  const file = path.join(userDataDir, WINDOW_STATE_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(userDataDir, { recursive: true });
    fs.writeFileSync(temp, JSON.stringify(state));
    fs.renameSync(temp, file);
  } catch (err) {
    // Losing the window position is not worth an error dialog.
    console.warn(`Undertow: cannot save the window position: ${(err as Error).message}`);
  }
}

/** The `BrowserWindow` slice the tracker uses. */
export interface TrackableWindow {
  on(event: 'resize' | 'move' | 'close', listener: () => void): unknown;
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isDestroyed(): boolean;
}

/**
 * Saves the window's normal (unmaximised) bounds and maximised flag: `debounceMs` after the
 * last move or resize, and at once when the window closes.
 */
export function trackWindowState(window: TrackableWindow, save: (state: WindowState) => void, debounceMs = 500): void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const snapshot = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (window.isDestroyed()) return;
    save({ ...window.getNormalBounds(), maximized: window.isMaximized() });
  };
  const later = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(snapshot, debounceMs);
  };
  window.on('resize', later);
  window.on('move', later);
  window.on('close', snapshot);
}
