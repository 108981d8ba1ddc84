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
  file: string;
  location: string;
  message: string;
}

/** The scanner's SARIF report (JSON, written in one go; its CSV writer races its own header, which corrupted the file under load). */
interface Sarif {
  runs: { results: { ruleId: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] }[];
}

const dir = tempDir('undertow-electronegativity-');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const electronVersion = pkg.devDependencies.electron!.replace(/^[^\d]*/, '');

function scan(): Finding[] {
  const output = path.join(dir, 'findings.sarif');
  const cli = path.join(REPO_ROOT, 'node_modules/@doyensec/electronegativity/dist/index.js');
  execFileSync(process.execPath, [cli, '-i', 'electron', '-o', output, '-r', '-e', electronVersion, '-v', 'false'], {
    cwd: REPO_ROOT,
    stdio: 'ignore',
    timeout: 90_000,
  });
  const report = JSON.parse(fs.readFileSync(output, 'utf8')) as Sarif;
  expect(report.runs).toHaveLength(1);
  return report.runs[0]!.results.map((r) => {
    const where = r.locations[0]!.physicalLocation;
    return { check: r.ruleId, file: where.artifactLocation.uri, location: `${where.region.startLine}:${where.region.startColumn}`, message: r.message.text };
  });
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
    const unjustified = findings.filter((f) => !allowed(f)).map((f) => `${f.check} ${f.file}:${f.location} ${f.message}`);
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
