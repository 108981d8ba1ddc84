/**
 * `shell.openExternal` only for https URLs of the allow-list (Electron security checklist
 * item "do not use openExternal with untrusted content"). Not covered: the OS browser.
 */
import { describe, expect, it, vi } from 'vitest';
import { CHARTS_SITE_URL, isAllowedExternalUrl, openExternalSafely } from '../../../electron/main/external';

describe('isAllowedExternalUrl', () => {
  it('allows https links to the allow-listed hosts', () => {
    expect(isAllowedExternalUrl(CHARTS_SITE_URL)).toBe(true);
    expect(isAllowedExternalUrl('https://github.com/tradingview/lightweight-charts')).toBe(true);
  });

  it('refuses other schemes, hosts, credentials, ports and non-strings', () => {
    for (const url of [
      'http://www.tradingview.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://attacker/share',
      'ms-msdt:/id PCWDiagnostic',
      'https://www.tradingview.com.evil.example/',
      'https://evil.example/?https://www.tradingview.com/',
      'https://user:pw@www.tradingview.com/',
      'https://www.tradingview.com:8443/',
      'not a url',
      `https://github.com/${'a'.repeat(3000)}`,
      42,
      null,
    ]) {
      expect(isAllowedExternalUrl(url), String(url)).toBe(false);
    }
  });
});

describe('openExternalSafely', () => {
  it('opens allowed links and nothing else', () => {
    const open = vi.fn(async () => {});
    expect(openExternalSafely(CHARTS_SITE_URL, open)).toBe(true);
    expect(openExternalSafely('file:///home/u/.ssh/id_rsa', open)).toBe(false);
    expect(open).toHaveBeenCalledExactlyOnceWith(CHARTS_SITE_URL);
  });

  it('swallows a failure of the OS browser (a warning, never an exception)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    openExternalSafely(CHARTS_SITE_URL, async () => {
      throw new Error('no browser');
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });
});
