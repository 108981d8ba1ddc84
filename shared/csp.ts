/**
 * The renderer's Content-Security-Policy, one string for both hosts: the browser-mode HTTP
 * server sends it on the page, the Electron main process adds it to every response in the
 * window's session. It lives in `shared/` so main can use it without importing node:http.
 *
 * No `unsafe-eval` anywhere; `unsafe-inline` for styles only (Svelte and lightweight-charts
 * set element styles).
 */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";
