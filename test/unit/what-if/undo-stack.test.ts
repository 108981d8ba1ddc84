/**
 * The app-level undo stack (renderer/src/lib/undo/command-stack.ts): undo and redo walk the
 * snapshots; a new edit drops the redo branch; typing into one field merges into one step until
 * sealed; the limit drops the oldest; the shortcuts are Ctrl/Cmd+Z and Shift+Ctrl/Cmd+Z (Ctrl+Y).
 * A random sequence of edits, undos and redos always agrees with a reference list model.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandStack, undoShortcut } from '../../../renderer/src/lib/undo/command-stack';

describe('undo stack', () => {
  it('undoes and redoes edits in order, with their labels', () => {
    const s = new CommandStack<number>();
    let v = 0;
    v = s.record('add 1', v, v + 1);
    v = s.record('add 2', v, v + 2);
    expect(s.undoLabel).toBe('add 2');
    expect(s.undo()).toEqual({ state: 1, label: 'add 2' });
    expect(s.undo()).toEqual({ state: 0, label: 'add 1' });
    expect(s.undo()).toBeUndefined();
    expect(s.redo()).toEqual({ state: 1, label: 'add 1' });
    expect(s.redoLabel).toBe('add 2');
  });

  it('a new edit after an undo drops the redo branch', () => {
    const s = new CommandStack<string>();
    s.record('a', '', 'a');
    s.record('b', 'a', 'ab');
    s.undo();
    s.record('c', 'a', 'ac');
    expect(s.canRedo).toBe(false);
    expect(s.undo()!.state).toBe('a');
  });

  it('edits with the same merge key in a row are one step, until sealed', () => {
    const s = new CommandStack<string>();
    s.record('type', '', '1', 'qty');
    s.record('type', '1', '12', 'qty');
    s.record('type', '12', '123', 'qty');
    s.seal();
    s.record('type', '123', '1234', 'qty');
    expect(s.undo()!.state).toBe('123');
    expect(s.undo()!.state).toBe('');
    expect(s.canUndo).toBe(false);
  });

  it('keeps at most `limit` steps, dropping the oldest', () => {
    const s = new CommandStack<number>(3);
    for (let i = 0; i < 5; i++) s.record(`e${i}`, i, i + 1);
    expect(s.snapshot().past.map((e) => e.label)).toEqual(['e2', 'e3', 'e4']);
  });

  it('agrees with a reference model over any sequence of edits, undos and redos', () => {
    type Op = { kind: 'edit'; value: number } | { kind: 'undo' } | { kind: 'redo' };
    const op = fc.oneof(fc.record({ kind: fc.constant('edit' as const), value: fc.integer() }), fc.constant({ kind: 'undo' as const }), fc.constant({ kind: 'redo' as const }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops: Op[]) => {
        const s = new CommandStack<number>();
        let current = 0;
        const history = [0];
        let at = 0;
        for (const o of ops) {
          if (o.kind === 'edit') {
            current = s.record('edit', current, o.value);
            history.splice(at + 1, history.length, o.value);
            at++;
          } else if (o.kind === 'undo') {
            const r = s.undo();
            if (at > 0) {
              at--;
              current = r!.state;
            } else expect(r).toBeUndefined();
          } else {
            const r = s.redo();
            if (at < history.length - 1) {
              at++;
              current = r!.state;
            } else expect(r).toBeUndefined();
          }
          expect(current).toBe(history[at]);
          expect(s.canUndo).toBe(at > 0);
          expect(s.canRedo).toBe(at < history.length - 1);
        }
      }),
    );
  });

  it('maps Ctrl/Cmd+Z to undo and Shift+Ctrl/Cmd+Z or Ctrl+Y to redo', () => {
    const k = (key: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }>) => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
    expect(undoShortcut(k('z', { ctrlKey: true }))).toBe('undo');
    expect(undoShortcut(k('z', { metaKey: true }))).toBe('undo');
    expect(undoShortcut(k('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo');
    expect(undoShortcut(k('Z', { metaKey: true, shiftKey: true }))).toBe('redo');
    expect(undoShortcut(k('y', { ctrlKey: true }))).toBe('redo');
    expect(undoShortcut(k('z', {}))).toBeNull();
    expect(undoShortcut(k('z', { ctrlKey: true, altKey: true }))).toBeNull();
  });
});
