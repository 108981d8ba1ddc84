/**
 * End to end in Debian Chromium (browser mode): the theme and time-zone control in the top
 * bar. Light theme chosen → `<html data-theme=light>` and light page colours; a reload keeps
 * it (localStorage); "System" follows `prefers-color-scheme` both ways, live; the time zone
 * choice persists too; a corrupt stored value falls back to the defaults. Screenshots:
 * test-results/e2e/preferences-light.png and preferences-dark.png.
 *
 * Not covered: Electron's View menu sending the same choices (unit-tested in
 * test/unit/shell/main-index.test.ts; no Electron binary here). The charts keep UTC labels.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchChromium, startWebApp, type WebApp, closeAll } from './harness';

let app: WebApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  app = await startWebApp();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, colorScheme: 'dark' });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.appUrl);
  await page.getByTestId('pref-theme').waitFor();
});

afterAll(() => closeAll(browser, app));

const theme = (): Promise<string | undefined> => page.evaluate(() => document.documentElement.dataset.theme);
const background = (): Promise<string> => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

describe('theme and time zone preferences', () => {
  it('starts dark on a dark system (theme "system")', async () => {
    expect(await page.getByTestId('pref-theme').inputValue()).toBe('system');
    expect(await theme()).toBe('dark');
    // --bg of the dark theme, #0b0f14 (app.css).
    expect(await background()).toBe('rgb(11, 15, 20)');
    await page.screenshot({ path: artifactPath('preferences-dark.png') });
  });

  it('switches to light, and a reload keeps it', async () => {
    await page.getByTestId('pref-theme').selectOption('light');
    expect(await theme()).toBe('light');
    // --bg of the light theme, #f4f6f9 (app.css).
    expect(await background()).toBe('rgb(244, 246, 249)');
    await page.reload();
    await page.getByTestId('pref-theme').waitFor();
    expect(await page.getByTestId('pref-theme').inputValue()).toBe('light');
    expect(await theme()).toBe('light');
    expect(await background()).toBe('rgb(244, 246, 249)');
    await page.screenshot({ path: artifactPath('preferences-light.png') });
  });

  it('"System" follows prefers-color-scheme, live', async () => {
    await page.getByTestId('pref-theme').selectOption('system');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(theme).toBe('light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(theme).toBe('dark');
    // An explicit choice ignores the system.
    await page.getByTestId('pref-theme').selectOption('light');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await theme()).toBe('light');
  });

  it('keeps the time zone choice across a reload', async () => {
    await page.getByTestId('pref-time-zone').selectOption('local');
    await page.reload();
    await page.getByTestId('pref-time-zone').waitFor();
    expect(await page.getByTestId('pref-time-zone').inputValue()).toBe('local');
  });

  it('falls back to the defaults on a corrupt stored value', async () => {
    await page.evaluate(() => localStorage.setItem('undertow.preferences', '{"theme":"neon","timeZone":'));
    await page.reload();
    await page.getByTestId('pref-theme').waitFor();
    expect(await page.getByTestId('pref-theme').inputValue()).toBe('system');
    expect(await page.getByTestId('pref-time-zone').inputValue()).toBe('utc');
    expect(pageErrors).toEqual([]);
  });
});
