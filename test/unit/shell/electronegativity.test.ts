/**
 * Electronegativity (Doyensec's Electron security scanner) over electron/ as part of
 * `npm test`: every finding must be justified in `.electronegativity-allow.json` (by check and
 * file, with a reason), and every allow-list entry must still match a finding, so the list
 * cannot silently outlive the code it excuses. The scanner is run through its CLI on the
 * TypeScript source, assuming the Electron version in package.json (it cannot fetch release
 * data offline). Also pins what the CSP allow-list entry relies on: no `unsafe-eval`.
 *
 * Not covered: what the scanner cannot see (options built by functions are checked by the
 * other shell tests, as the allow-list reasons say).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CSP } from '../../../shared/csp';
import { REPO_ROOT, tempDir } from '../../helpers/temp';

interface AllowEntry {
  check: string;
  file: string;
  reason: string;
}

interface Finding {
  check: string;
  severity: string;
  file: string;
  location: string;
  sample: string;
}

/** Parses the scanner's CSV (quoted fields may hold commas and doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field.trim());
      field = '';
    } else if (c === '\n') {
      row.push(field.trim());
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field.trim()]);
  return rows;
}

const dir = tempDir('undertow-electronegativity-');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const electronVersion = pkg.devDependencies.electron!.replace(/^[^\d]*/, '');

function scan(): Finding[] {
  const output = path.join(dir, 'findings.csv');
  const cli = path.join(REPO_ROOT, 'node_modules/@doyensec/electronegativity/dist/index.js');
  execFileSync(process.execPath, [cli, '-i', 'electron', '-o', output, '-r', '-e', electronVersion, '-v', 'false'], {
    cwd: REPO_ROOT,
    stdio: 'ignore',
    timeout: 90_000,
  });
  const [header, ...rows] = parseCsv(fs.readFileSync(output, 'utf8')).filter((r) => r.length > 1);
  expect(header?.slice(0, 5)).toEqual(['issue', 'severity', 'confidence', 'filename', 'location']);
  return rows.map((r) => ({ check: r[0]!, severity: r[1]!, file: r[3]!, location: r[4]!, sample: r[5]! }));
}

describe('Electronegativity over electron/', () => {
  const allow = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, '.electronegativity-allow.json'), 'utf8')) as { allow: AllowEntry[] }).allow;

  it('gives a reason for every allow-list entry', () => {
    for (const entry of allow) {
      expect(entry.check, JSON.stringify(entry)).toMatch(/^[A-Z_]+$/);
      expect(entry.reason.length, `${entry.check} ${entry.file}`).toBeGreaterThan(40);
    }
  });

  it('finds nothing that the allow-list does not justify, and the allow-list holds nothing stale', () => {
    const findings = scan();
    const allowed = (f: { check: string; file: string }): boolean => allow.some((a) => a.check === f.check && a.file === f.file);
    const unjustified = findings.filter((f) => !allowed(f)).map((f) => `${f.check} ${f.file}:${f.location} ${f.sample}`);
    expect(unjustified).toEqual([]);
    const stale = allow.filter((a) => !findings.some((f) => f.check === a.check && f.file === a.file)).map((a) => `${a.check} ${a.file}`);
    expect(stale).toEqual([]);
  }, 120_000);

  it('relies on a CSP without unsafe-eval, scripts from the app only', () => {
    expect(CSP).not.toContain('unsafe-eval');
    expect(CSP).toMatch(/script-src 'self'(;|$)/);
    expect(CSP).toContain("object-src 'none'");
  });
});
