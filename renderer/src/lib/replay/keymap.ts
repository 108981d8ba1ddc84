/**
 * Keyboard map of the replay transport (DESIGN.md §5): Space play/pause, ←/→ one bar,
 * Shift+←/→ ten bars, [ / ] previous/next event, Home/End start/end, − / + slower/faster.
 * Keys are ignored while the user types in a field, and Space/Enter are left to a focused
 * button or checkbox (which would otherwise act twice); Home/End are left to a focused scroll
 * box (a table's, marked data-scrollbox), which scrolls to its first or last row with them.
 */
export type ReplayAction =
  | { readonly kind: 'toggle-play' }
  | { readonly kind: 'step'; readonly bars: number }
  | { readonly kind: 'event'; readonly direction: 1 | -1 }
  | { readonly kind: 'start' }
  | { readonly kind: 'end' }
  | { readonly kind: 'speed'; readonly direction: 1 | -1 };

/** The parts of a KeyboardEvent the map reads (plain data, so tests need no DOM). */
export interface KeyInput {
  readonly key: string;
  readonly shiftKey?: boolean;
  readonly ctrlKey?: boolean;
  readonly altKey?: boolean;
  readonly metaKey?: boolean;
  readonly target?: { readonly tagName?: string; readonly type?: string; readonly isContentEditable?: boolean; readonly dataset?: { readonly scrollbox?: string } } | null;
}

/** Inputs that are not typed into: the transport's own controls. */
const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range']);

/** True when the key belongs to a field the user is typing in. */
export function isTypingTarget(target: KeyInput['target']): boolean {
  if (!target) return false;
  if (target.isContentEditable) return true;
  const tag = (target.tagName ?? '').toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !NON_TEXT_INPUTS.has((target.type ?? 'text').toLowerCase());
  return false;
}

export function actionForKey(e: KeyInput): ReplayAction | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  if (isTypingTarget(e.target)) return null;
  const tag = (e.target?.tagName ?? '').toUpperCase();
  const type = (e.target?.type ?? '').toLowerCase();
  // A focused range input moves itself with the arrows and Home/End.
  if (tag === 'INPUT' && type === 'range' && ['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) return null;
  // A focused scroll box (the replay's tables) goes to its top or bottom with Home/End.
  if (e.target?.dataset?.scrollbox !== undefined && (e.key === 'Home' || e.key === 'End')) return null;
  const activates = tag === 'BUTTON' || (tag === 'INPUT' && (type === 'checkbox' || type === 'radio' || type === 'button'));
  switch (e.key) {
    case ' ':
    case 'Spacebar':
      return activates ? null : { kind: 'toggle-play' };
    case 'ArrowRight':
      return { kind: 'step', bars: e.shiftKey ? 10 : 1 };
    case 'ArrowLeft':
      return { kind: 'step', bars: e.shiftKey ? -10 : -1 };
    case ']':
      return { kind: 'event', direction: 1 };
    case '[':
      return { kind: 'event', direction: -1 };
    case 'Home':
      return { kind: 'start' };
    case 'End':
      return { kind: 'end' };
    case '+':
    case '=':
      return { kind: 'speed', direction: 1 };
    case '-':
    case '_':
      return { kind: 'speed', direction: -1 };
    default:
      return null;
  }
}
