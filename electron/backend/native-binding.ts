/**
 * Which better-sqlite3 addon the backend loads. Tests, the CLI and browser mode run on plain
 * Node and use node_modules' own build; the Electron backend needs a copy built for Electron's
 * ABI, made by `npm run rebuild:electron` into `build/electron-native/` (never over the Node
 * build) and packaged by electron-builder as `resources/electron-native/`.
 *
 * Pure: the caller passes the runtime facts and an existence check, so a unit test covers it.
 */
import path from 'node:path';

export const NATIVE_FILE = 'better_sqlite3.node';

export interface NativeBindingFacts {
  /** `process.versions.electron` (undefined on plain Node). */
  electronVersion: string | undefined;
  /** `process.resourcesPath` in a packaged app. */
  resourcesPath: string | undefined;
  /** Directory of the running backend entry (out/main in a checkout). */
  entryDir: string;
  exists: (file: string) => boolean;
}

/** Candidate files, most specific first: the packaged resource, then the checkout's build/. */
export function nativeBindingCandidates(facts: Pick<NativeBindingFacts, 'resourcesPath' | 'entryDir'>): string[] {
  const candidates: string[] = [];
  if (facts.resourcesPath) candidates.push(path.join(facts.resourcesPath, 'electron-native', NATIVE_FILE));
  candidates.push(path.resolve(facts.entryDir, '../../build/electron-native', NATIVE_FILE));
  return candidates;
}

/**
 * The Electron-ABI addon to pass as better-sqlite3's `nativeBinding`, or undefined to use the
 * default (always on plain Node; in Electron when no Electron build exists, in which case
 * better-sqlite3 fails with NODE_MODULE_VERSION and `startupError` names the fix).
 */
export function selectNativeBinding(facts: NativeBindingFacts): string | undefined {
  if (!facts.electronVersion) return undefined;
  return nativeBindingCandidates(facts).find((file) => facts.exists(file));
}
