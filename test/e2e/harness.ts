/**
 * End-to-end harness: starts the real browser mode (`electron/backend/server/main.ts`, the
 * entry behind `npm run web`) as a child process on a temp database, and Debian's Chromium
 * through playwright-core. A missing browser or build fails loudly; nothing here skips.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const SHARED_DATA = path.resolve(REPO, '../shared/data');
export const ARTIFACTS = path.join(REPO, 'test-results', 'e2e');
export const CHROMIUM = process.env.UNDERTOW_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface WebApp {
  url: string;
  appUrl: string;
  token: string;
  dbPath: string;
  dir: string;
  stop(): Promise<void>;
}

/** Starts browser mode on a fresh temp database and waits for its URL. */
export async function startWebApp(options: { dbPath?: string } = {}): Promise<WebApp> {
  const rendererDir = path.join(REPO, 'out', 'renderer');
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`no built renderer at ${rendererDir}: run \`npm run build\` first (npm test does)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'undertow-e2e-'));
  const dbPath = options.dbPath ?? path.join(dir, 'undertow.db');
  const tsx = path.join(REPO, 'node_modules', '.bin', 'tsx');
  const child: ChildProcess = spawn(tsx, ['electron/backend/server/main.ts', '--db', dbPath, '--renderer', rendererDir], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, UNDERTOW_DB: '' },
  });
  let output = '';
  const appUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`browser mode did not start in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /open: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`browser mode exited with ${code}:\n${output}`));
    });
  });
  const parsed = new URL(appUrl);
  return {
    url: parsed.origin,
    appUrl,
    token: parsed.searchParams.get('token')!,
    dbPath,
    dir,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
}

export function artifactPath(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

/** Collects the page's uncaught errors and console errors into `into` (tests assert it stays empty). */
export function collectPageErrors(page: Page, into: string[]): void {
  page.on('pageerror', (e) => into.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') into.push(m.text());
  });
}


/** Debian's Chromium with one page in a fresh context of `options`; its errors go to `errors` when given. */
export async function openPage(options: BrowserContextOptions, errors?: string[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const page = await (await browser.newContext(options)).newPage();
  if (errors) collectPageErrors(page, errors);
  return { browser, page };
}

/** Closes what a file's beforeAll opened, whichever part of it got opened. */
export async function closeAll(browser: Browser | undefined, app: WebApp | undefined): Promise<void> {
  await browser?.close();
  await app?.stop();
}
