/**
 * Preload of the sandboxed renderer (built as CommonJS, out/preload/index.cjs: a sandboxed
 * preload cannot be ESM). Exposes exactly `window.undertow` — one call, one push subscription,
 * the platform — and nothing of Electron itself: the renderer never sees `ipcRenderer` or an
 * IPC event object, and can use only the two channels in `IPC`.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC, type MenuCommand, type PreloadBridge } from '../../shared/bridge';
import type { PushEvent, ReplyMessage } from '../../shared/contract';

const bridge = {
  async call(method: string, params: unknown): Promise<ReplyMessage> {
    try {
      return (await ipcRenderer.invoke(IPC.call, method, params)) as ReplyMessage;
    } catch (err) {
      // Params that cannot be cloned, or main gone: still an error value, as the bridge promises.
      return {
        id: 0,
        ok: false,
        error: { code: 'bad_request', message: `cannot send ${method}: ${(err as Error)?.message ?? String(err)}`, where: {} },
      };
    }
  },
  onPush(listener: (event: PushEvent | MenuCommand) => void): () => void {
    const forward = (_event: IpcRendererEvent, message: PushEvent | MenuCommand): void => listener(message);
    ipcRenderer.on(IPC.push, forward);
    return () => {
      ipcRenderer.removeListener(IPC.push, forward);
    };
  },
  platform: process.platform,
} satisfies PreloadBridge;

contextBridge.exposeInMainWorld('undertow', bridge);
