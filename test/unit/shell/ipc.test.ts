/**
 * IPC sender validation and relay (`electron` mocked): only the app's own top-level frame —
 * the built file:// index.html, or the dev server in development — may call; trusted
 * (file-path) methods are refused from the renderer; the rest reach the backend with
 * `trusted:false`, untouched.
 *
 * Not covered: Electron filling in `event.senderFrame` (no Electron binary here).
 */
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { IPC } from '../../../shared/bridge';
import { METHOD_NAMES, methods, type ReplyMessage } from '../../../shared/contract';

vi.mock('electron', () => ({}));

const { handleRendererCall, isAppUrl, isTrustedSender, registerIpc } = await import('../../../electron/main/ipc');

const indexFileUrl = pathToFileURL('/opt/Undertow/resources/app.asar/out/renderer/index.html').href;
const packaged = { indexFileUrl };
const development = { indexFileUrl, devServerUrl: 'http://localhost:5173' };

const frame = (url: string, parent: unknown = null) => ({ senderFrame: { url, parent } });

function fakeBackend() {
  return { call: vi.fn(async (_method: string, _params: unknown, _trusted: boolean): Promise<ReplyMessage> => ({ id: 1, ok: true, result: 'relayed' })) };
}

describe('isAppUrl', () => {
  it('accepts the app’s own index.html, with any query or hash', () => {
    expect(isAppUrl(indexFileUrl, packaged)).toBe(true);
    expect(isAppUrl(`${indexFileUrl}#/datasets/3`, packaged)).toBe(true);
    expect(isAppUrl(`${indexFileUrl}?x=1`, packaged)).toBe(true);
  });

  it('refuses other files, other hosts and other schemes', () => {
    expect(isAppUrl(pathToFileURL('/home/u/Downloads/evil.html').href, packaged)).toBe(false);
    expect(isAppUrl(pathToFileURL('/opt/Undertow/resources/app.asar/out/renderer/index.html.evil').href, packaged)).toBe(false);
    expect(isAppUrl('file://remote-host/opt/Undertow/resources/app.asar/out/renderer/index.html', packaged)).toBe(false);
    expect(isAppUrl('https://evil.example/index.html', packaged)).toBe(false);
    expect(isAppUrl('about:blank', packaged)).toBe(false);
    expect(isAppUrl('data:text/html,<script>1</script>', packaged)).toBe(false);
    expect(isAppUrl('not a url', packaged)).toBe(false);
  });

  it('accepts the dev server origin only when one is configured', () => {
    expect(isAppUrl('http://localhost:5173/', development)).toBe(true);
    expect(isAppUrl('http://localhost:5173/', packaged)).toBe(false);
    expect(isAppUrl('http://localhost:5174/', development)).toBe(false);
    expect(isAppUrl('http://localhost.evil.example:5173/', development)).toBe(false);
  });
});

describe('isTrustedSender', () => {
  it('accepts the app’s top-level frame', () => {
    expect(isTrustedSender(frame(indexFileUrl), packaged)).toBe(true);
  });

  it('refuses a foreign frame, a sub-frame showing the app, and a destroyed frame', () => {
    expect(isTrustedSender(frame('https://evil.example/'), packaged)).toBe(false);
    expect(isTrustedSender(frame(indexFileUrl, { url: indexFileUrl }), packaged)).toBe(false);
    expect(isTrustedSender({ senderFrame: null }, packaged)).toBe(false);
  });
});

describe('handleRendererCall', () => {
  it('relays a call from the app’s own frame with trusted:false and returns the backend’s reply', async () => {
    const backend = fakeBackend();
    const reply = await handleRendererCall(frame(indexFileUrl), 'datasets.list', {}, backend, packaged);
    expect(reply).toEqual({ id: 1, ok: true, result: 'relayed' });
    expect(backend.call).toHaveBeenCalledWith('datasets.list', {}, false);
  });

  it('refuses a foreign frame without reaching the backend', async () => {
    const backend = fakeBackend();
    const reply = await handleRendererCall(frame('https://evil.example/'), 'datasets.list', {}, backend, packaged);
    expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(backend.call).not.toHaveBeenCalled();
  });

  it('refuses every method the contract marks trusted, even from the app’s own frame', async () => {
    const trusted = METHOD_NAMES.filter((name) => methods[name].trusted);
    expect(trusted).toContain('datasets.importFile');
    const backend = fakeBackend();
    for (const method of trusted) {
      const reply = await handleRendererCall(frame(indexFileUrl), method, { path: '/etc/passwd' }, backend, packaged);
      expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(backend.call).not.toHaveBeenCalled();
  });

  it('refuses a method name that is not a string', async () => {
    const backend = fakeBackend();
    const reply = await handleRendererCall(frame(indexFileUrl), { toString: () => 'x' }, {}, backend, packaged);
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(backend.call).not.toHaveBeenCalled();
  });

  it('passes unknown method names on, so the backend answers unknown_method as over every transport', async () => {
    const backend = fakeBackend();
    await handleRendererCall(frame(indexFileUrl), 'no.such', {}, backend, packaged);
    expect(backend.call).toHaveBeenCalledWith('no.such', {}, false);
  });
});

describe('registerIpc', () => {
  it('handles exactly the IPC.call channel and can be removed', async () => {
    const handlers = new Map<string, (...args: unknown[]) => unknown>();
    const ipcMain = {
      handle: vi.fn((channel: string, handler: (...args: unknown[]) => unknown) => void handlers.set(channel, handler)),
      removeHandler: vi.fn((channel: string) => void handlers.delete(channel)),
    };
    const backend = fakeBackend();
    const unregister = registerIpc(ipcMain as never, backend, packaged);
    expect([...handlers.keys()]).toEqual([IPC.call]);

    const fromApp = await handlers.get(IPC.call)!(frame(indexFileUrl), 'app.info', {});
    expect(fromApp).toEqual({ id: 1, ok: true, result: 'relayed' });
    const fromElsewhere = await handlers.get(IPC.call)!(frame('https://evil.example/'), 'app.info', {});
    expect(fromElsewhere).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    unregister();
    expect(handlers.size).toBe(0);
  });
  it('shows successful relayed replies to the observer (File ▸ Recent), never refused ones', async () => {
    const handlers = new Map<string, (...args: unknown[]) => unknown>();
    const ipcMain = {
      handle: vi.fn((channel: string, handler: (...args: unknown[]) => unknown) => void handlers.set(channel, handler)),
      removeHandler: vi.fn(),
    };
    const onReply = vi.fn(() => {
      throw new Error('an observer bug must not break the reply');
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    registerIpc(ipcMain as never, fakeBackend(), packaged, onReply);
    expect(await handlers.get(IPC.call)!(frame(indexFileUrl), 'runs.get', { id: 1 })).toEqual({ id: 1, ok: true, result: 'relayed' });
    await handlers.get(IPC.call)!(frame('https://evil.example/'), 'runs.get', { id: 1 });
    expect(onReply).toHaveBeenCalledExactlyOnceWith('runs.get', 'relayed');
    warn.mockRestore();
  });
});
