#!/usr/bin/env node
/**
 * `npm run rebuild:electron`: builds better-sqlite3 for Electron's ABI into
 * build/electron-native/better_sqlite3.node, WITHOUT touching node_modules/better-sqlite3 (whose
 * Node build the tests, the CLI and browser mode load). It works on a copy of the package:
 * first a prebuilt binary (prebuild-install), else a compile against Electron's headers
 * (node-gyp). Both need the network; where it is unavailable this fails with exit 1 and says so.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ELECTRON = process.env.UNDERTOW_ELECTRON_VERSION ?? '45.4.1';
const DIST_URL = 'https://electronjs.org/headers';
const root = path.resolve(import.meta.dirname, '..');
const source = path.join(root, 'node_modules/better-sqlite3');
const outDir = path.join(root, 'build/electron-native');
const work = path.join(outDir, 'better-sqlite3-src');
const bin = (name) => path.join(root, 'node_modules/.bin', name);

// `--if-missing` (used by `npm start`): keep an existing Electron build.
if (process.argv.includes('--if-missing') && fs.existsSync(path.join(outDir, 'better_sqlite3.node'))) process.exit(0);

fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
// Copy the sources only: never a build/ folder, so nothing of the Node build is reused or changed.
fs.cpSync(source, work, { recursive: true, filter: (file) => !file.startsWith(path.join(source, 'build')) });

const common = [`--runtime=electron`, `--target=${ELECTRON}`, `--arch=${process.arch}`];
const attempts = [
  ['prebuild-install', [...common, `--platform=${process.platform}`, '--verbose']],
  ['node-gyp', ['rebuild', '--release', ...common, `--dist-url=${DIST_URL}`]],
];
let built = null;
for (const [tool, args] of attempts) {
  try {
    console.log(`rebuild:electron: ${tool} ${args.join(' ')}`);
    execFileSync(bin(tool), args, { cwd: work, stdio: 'inherit' });
    const file = path.join(work, 'build/Release/better_sqlite3.node');
    if (fs.existsSync(file)) {
      built = file;
      break;
    }
  } catch (err) {
    console.error(`rebuild:electron: ${tool} failed: ${err.message.split('\n')[0]}`);
  }
}
if (!built) {
  console.error(
    `rebuild:electron: could not get better-sqlite3 for Electron ${ELECTRON} (no network, or no C++ toolchain). ` +
      'node_modules/better-sqlite3 was not touched; the tests still run. Run this again where electronjs.org and GitHub are reachable.',
  );
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(1);
}
fs.copyFileSync(built, path.join(outDir, 'better_sqlite3.node'));
fs.rmSync(work, { recursive: true, force: true });
console.log(`rebuild:electron: wrote ${path.relative(root, path.join(outDir, 'better_sqlite3.node'))} for Electron ${ELECTRON}`);
