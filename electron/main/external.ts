/**
 * Links that leave the app (Electron security checklist: "do not use `shell.openExternal`
 * with untrusted content"). Only `https:` URLs on an allow-list of hosts are handed to the
 * OS browser; everything else — `file:`, `javascript:`, `smb:`, custom schemes, plain http,
 * credentials in the URL, any other host — is refused. The renderer cannot call this: main
 * opens a link only from its own menu, or from a `window.open` it denies (see window.ts).
 */

/** Hosts a link may open: the chart library's site (its licence asks for the attribution link). */
export const EXTERNAL_HOSTS: readonly string[] = ['www.tradingview.com', 'tradingview.github.io', 'github.com'];

export const CHARTS_SITE_URL = 'https://www.tradingview.com/lightweight-charts/';

/** True when `url` may be opened in the user's browser. */
export function isAllowedExternalUrl(url: unknown, hosts: readonly string[] = EXTERNAL_HOSTS): boolean {
  if (typeof url !== 'string' || url.length > 2048) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:') return false;
  if (parsed.username || parsed.password || parsed.port) return false;
  return hosts.includes(parsed.hostname);
}

/** Opens `url` with `openExternal` (Electron's `shell.openExternal`) when allowed; returns whether it did. */
export function openExternalSafely(url: unknown, openExternal: (url: string) => Promise<void>): boolean {
  if (!isAllowedExternalUrl(url)) return false;
  openExternal(url as string).catch((err: unknown) => {
    console.warn(`Undertow: cannot open ${String(url)}: ${(err as Error)?.message ?? String(err)}`);
  });
  return true;
}
