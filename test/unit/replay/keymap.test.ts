/**
 * The replay keymap (renderer/src/lib/replay/keymap.ts): DESIGN.md §5's keys, and keys left
 * alone while typing in a field or when a focused control would act on them itself.
 */
import { describe, expect, it } from 'vitest';
import { actionForKey, isTypingTarget } from '../../../renderer/src/lib/replay/keymap';

const body = { tagName: 'BODY' };

describe('replay keymap', () => {
  it('maps Space, arrows, Shift+arrows, [ ], Home/End and speed keys', () => {
    expect(actionForKey({ key: ' ', target: body })).toEqual({ kind: 'toggle-play' });
    expect(actionForKey({ key: 'ArrowRight', target: body })).toEqual({ kind: 'step', bars: 1 });
    expect(actionForKey({ key: 'ArrowLeft', target: body })).toEqual({ kind: 'step', bars: -1 });
    expect(actionForKey({ key: 'ArrowRight', shiftKey: true, target: body })).toEqual({ kind: 'step', bars: 10 });
    expect(actionForKey({ key: 'ArrowLeft', shiftKey: true, target: body })).toEqual({ kind: 'step', bars: -10 });
    expect(actionForKey({ key: ']', target: body })).toEqual({ kind: 'event', direction: 1 });
    expect(actionForKey({ key: '[', target: body })).toEqual({ kind: 'event', direction: -1 });
    expect(actionForKey({ key: 'Home', target: body })).toEqual({ kind: 'start' });
    expect(actionForKey({ key: 'End', target: body })).toEqual({ kind: 'end' });
    expect(actionForKey({ key: '+', target: body })).toEqual({ kind: 'speed', direction: 1 });
    expect(actionForKey({ key: '-', target: body })).toEqual({ kind: 'speed', direction: -1 });
    expect(actionForKey({ key: 'x', target: body })).toBeNull();
  });

  it('ignores keys while typing in a field', () => {
    for (const target of [{ tagName: 'INPUT', type: 'text' }, { tagName: 'INPUT', type: 'number' }, { tagName: 'INPUT' }, { tagName: 'TEXTAREA' }, { tagName: 'SELECT' }, { tagName: 'DIV', isContentEditable: true }]) {
      expect(isTypingTarget(target)).toBe(true);
      expect(actionForKey({ key: ' ', target })).toBeNull();
      expect(actionForKey({ key: 'ArrowRight', target })).toBeNull();
    }
  });

  it('leaves Space to a focused button or checkbox, and arrows to a focused scrubber', () => {
    expect(actionForKey({ key: ' ', target: { tagName: 'BUTTON' } })).toBeNull();
    expect(actionForKey({ key: ' ', target: { tagName: 'INPUT', type: 'checkbox' } })).toBeNull();
    expect(actionForKey({ key: 'ArrowRight', target: { tagName: 'BUTTON' } })).toEqual({ kind: 'step', bars: 1 });
    expect(actionForKey({ key: 'ArrowRight', target: { tagName: 'INPUT', type: 'range' } })).toBeNull();
    expect(actionForKey({ key: ' ', target: { tagName: 'INPUT', type: 'range' } })).toEqual({ kind: 'toggle-play' });
    // A focused table scroll box scrolls itself with Home/End; the arrows and Space still drive the replay.
    const box = { tagName: 'DIV', dataset: { scrollbox: '' } };
    expect(actionForKey({ key: 'Home', target: box })).toBeNull();
    expect(actionForKey({ key: 'End', target: box })).toBeNull();
    expect(actionForKey({ key: 'ArrowRight', target: box })).toEqual({ kind: 'step', bars: 1 });
    expect(actionForKey({ key: ' ', target: box })).toEqual({ kind: 'toggle-play' });
    expect(actionForKey({ key: 'End', target: { tagName: 'DIV', dataset: {} } })).toEqual({ kind: 'end' });
  });

  it('ignores keys with Ctrl, Alt or Meta (browser and menu shortcuts)', () => {
    expect(actionForKey({ key: 'ArrowRight', ctrlKey: true, target: body })).toBeNull();
    expect(actionForKey({ key: ' ', metaKey: true, target: body })).toBeNull();
    expect(actionForKey({ key: ']', altKey: true, target: body })).toBeNull();
  });
});
