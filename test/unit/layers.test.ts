/**
 * The layer rule, made mechanical: engine ← store ← services ← transports/shell, and the
 * renderer sees only shared/. Fails on any import that crosses a layer the wrong way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/temp';

function sourceFiles(dir: string): string[] {
  const abs = path.join(REPO_ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return (fs.readdirSync(abs, { recursive: true }) as string[])
    .filter((f) => /\.(ts|svelte)$/.test(f))
    .map((f) => path.join(abs, f));
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)) {
    specs.push((m[1] ?? m[2] ?? m[3])!);
  }
  return specs;
}

/** Resolved repo-relative target of a relative import, or the bare package name. */
function target(file: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  return path.relative(REPO_ROOT, path.resolve(path.dirname(file), spec)).split(path.sep).join('/');
}

function violations(dir: string, forbidden: (target: string) => boolean): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(dir)) {
    for (const spec of importsOf(file)) {
      const t = target(file, spec);
      if (forbidden(t)) found.push(`${path.relative(REPO_ROOT, file)} imports ${spec}`);
    }
  }
  return found;
}

describe('layer rule', () => {
  it('the engine imports no Node, Electron, I/O or higher layer', () => {
    expect(
      violations('electron/backend/engine', (t) =>
        /^(node:|fs$|path$|os$|crypto$|child_process$|worker_threads$|electron$|better-sqlite3$)/.test(t) ||
        /^electron\/(main|preload)|^electron\/backend\/(store|services|server|cli|market-data)|^renderer\//.test(t),
      ),
    ).toEqual([]);
  });

  it('the engine has no clock or randomness of its own', () => {
    const code = (f: string): string => fs.readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const offenders = sourceFiles('electron/backend/engine').filter((f) => /Date\.now|new Date\(|Math\.random|performance\.now/.test(code(f)));
    expect(offenders.map((f) => path.relative(REPO_ROOT, f))).toEqual([]);
  });

  it('the store does not import services, transports or the shell', () => {
    expect(violations('electron/backend/store', (t) => /^electron\/(main|preload)|^electron\/backend\/(services|server|cli)|^renderer\//.test(t))).toEqual([]);
  });

  it('services do not import transports or the shell', () => {
    expect(violations('electron/backend/services', (t) => /^electron\/(main|preload)|^electron\/backend\/(server|cli)|^renderer\/|^electron$/.test(t))).toEqual([]);
  });

  it('the renderer imports only shared/, its own files and browser packages', () => {
    expect(
      violations('renderer', (t) => /^electron\//.test(t) || /^(node:|electron$|better-sqlite3$|fs$|path$)/.test(t)),
    ).toEqual([]);
  });

  it('shared/ imports nothing from the processes', () => {
    expect(violations('shared', (t) => /^(electron|renderer)\//.test(t) || /^(node:|electron$|better-sqlite3$)/.test(t))).toEqual([]);
  });

  it('the Electron main process runs no domain code: it reaches the backend only through messages', () => {
    expect(violations('electron/main', (t) => /^electron\/backend\/(engine|store|market-data|services)/.test(t) || t === 'better-sqlite3')).toEqual([]);
  });
});
