/**
 * better-sqlite3 for two runtimes: the backend picks an Electron-ABI copy only inside Electron
 * (and only when it exists), and node_modules keeps the Node build the tests need — checked by
 * the `node_register_module_v<ABI>` symbol the addon exports, so CI notices when something
 * (electron-builder's npmRebuild, `electron-rebuild`, `install-app-deps`) overwrote it.
 *
 * Not covered: loading the Electron copy (no Electron binary, and no network to build one here).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeBindingCandidates, selectNativeBinding } from '../../../electron/backend/native-binding';
import { REPO_ROOT } from '../../helpers/temp';

const packaged = '/opt/Undertow/resources/electron-native/better_sqlite3.node';
const checkout = '/src/undertow/build/electron-native/better_sqlite3.node';
const facts = (electronVersion: string | undefined, present: string[]) => ({
  electronVersion,
  resourcesPath: '/opt/Undertow/resources',
  entryDir: '/src/undertow/out/main',
  exists: (file: string) => present.includes(file),
});

describe('selectNativeBinding', () => {
  it('uses the default (node_modules) build on plain Node, even when an Electron copy exists', () => {
    expect(selectNativeBinding(facts(undefined, [packaged, checkout]))).toBeUndefined();
  });

  it('inside Electron prefers the packaged resource, then the checkout build', () => {
    expect(nativeBindingCandidates(facts('45.4.1', []))).toEqual([packaged, checkout]);
    expect(selectNativeBinding(facts('45.4.1', [packaged, checkout]))).toBe(packaged);
    expect(selectNativeBinding(facts('45.4.1', [checkout]))).toBe(checkout);
  });

  it('inside Electron without any Electron build falls back to the default (startupError then names the fix)', () => {
    expect(selectNativeBinding(facts('45.4.1', []))).toBeUndefined();
  });
});

/** The `node_register_module_v<N>` symbol of an addon: from `nm -D` if present, else from its bytes. */
function registeredAbi(file: string): number[] {
  let text: string;
  try {
    text = execFileSync('nm', ['-D', '--defined-only', file], { encoding: 'utf8' });
  } catch {
    text = fs.readFileSync(file).toString('latin1');
  }
  return [...new Set([...text.matchAll(/node_register_module_v(\d+)/g)].map((m) => Number(m[1])))];
}

describe('the Node build in node_modules', () => {
  it('is built for this Node’s ABI (not overwritten by an Electron rebuild)', () => {
    const addon = path.join(REPO_ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(fs.existsSync(addon)).toBe(true);
    expect(registeredAbi(addon)).toEqual([Number(process.versions.modules)]);
  });
});
