/**
 * electron-builder.yml: validated against electron-builder's own JSON schema (the same check
 * `electron-builder` runs before packaging, without downloading anything), plus the targets,
 * fuses and native-module settings the project requires.
 *
 * Not covered: actually packaging (needs Electron and a better-sqlite3 binary for Electron's
 * ABI from the network).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';

const root = path.resolve(import.meta.dirname, '../../..');
const configFile = path.join(root, 'electron-builder.yml');

type Config = Record<string, unknown> & {
  files: Array<string | { filter?: string[] }>;
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[] };
  mac: { target: string[] };
  win: { target: string[] };
};

describe('electron-builder.yml', () => {
  // Parsed by electron-builder's own loader, exactly as `electron-builder` would read it.
  let loaded: Awaited<ReturnType<typeof getConfig>>;
  let config: Config;
  beforeAll(async () => {
    loaded = await getConfig(root, configFile, null);
    config = loaded as unknown as Config;
  });

  it('passes electron-builder’s own configuration schema', async () => {
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('the schema check is live: a misspelt fuse is rejected', async () => {
    const broken = { ...loaded, electronFuses: { ...loaded.electronFuses, runAsnode: false } };
    await expect(validateConfiguration(broken as typeof loaded, new DebugLogger(false))).rejects.toThrow(
      /Invalid configuration object[\s\S]*electronFuses/,
    );
  });

  it('names the app and packs only the build output and package.json', () => {
    expect(config.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(config.productName).toBe('Undertow');
    // electron-builder normalises the list to `[{ filter: [...] }]`.
    const patterns = config.files.flatMap((entry) => (typeof entry === 'string' ? [entry] : (entry.filter ?? [])));
    expect(patterns).toEqual(['out/**', 'package.json']);
  });

  it('unpacks better-sqlite3’s native module and packages the separate Electron-ABI copy, never rebuilding node_modules', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3/**/*.node');
    // A rebuild in node_modules would break the Node build the tests load.
    expect(config.npmRebuild).toBe(false);
    // Where electron/backend/native-binding.ts looks for it: resources/electron-native/.
    expect(config.extraResources).toEqual([
      { from: 'build/electron-native/better_sqlite3.node', to: 'electron-native/better_sqlite3.node' },
    ]);
  });

  it('targets AppImage and deb on Linux, dmg on macOS, nsis on Windows', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
  });

  it('flips the fuses that close Node-as-a-debugger back doors and pin the app to its asar', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('packs the entry that package.json points at', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('out/main/index.js');
  });
});
