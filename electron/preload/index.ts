/**
 * Preload of the sandboxed renderer (built as CommonJS, out/preload/index.cjs: a sandboxed
 * preload cannot be ESM). Exposes exactly `window.undertow` — one call, one push subscription,
 * saving an export, importing a picked or dropped file by path, the platform — and nothing of
 * Electron itself: the renderer never sees `ipcRenderer`, an IPC event object or a file's
 * path, and can use only the channels in `IPC`.
 *
 * `importLocalFile` resolves the `File`'s path here, in the isolated world, with
 * `webUtils.getPathForFile` (Electron's advice: do not hand full paths to web content), so the
 * page can only ever import files the user picked or dropped — a `File` it makes itself has
 * no path, and the page gets `null` and sends the content instead.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import {
  importsByPath,
  IPC,
  type LocalImportOptions,
  type MenuCommand,
  type PreloadBridge,
  type SaveFileReply,
  type SaveFileRequest,
} from '../../shared/bridge';
import type { PushEvent, ReplyMessage } from '../../shared/contract';

function cannotSend(what: string, err: unknown): { id: number; ok: false; error: { code: 'bad_request'; message: string; where: object } } {
  return { id: 0, ok: false, error: { code: 'bad_request', message: `cannot send ${what}: ${(err as Error)?.message ?? String(err)}`, where: {} } };
}

/** The file's path on disk, or '' (not a `File`, or not backed by a file). */
function pathOf(file: File): string {
  try {
    return webUtils.getPathForFile(file);
  } catch {
    return '';
  }
}

const bridge = {
  async call(method: string, params: unknown): Promise<ReplyMessage> {
    try {
      return (await ipcRenderer.invoke(IPC.call, method, params)) as ReplyMessage;
    } catch (err) {
      // Params that cannot be cloned, or main gone: still an error value, as the bridge promises.
      return cannotSend(method, err);
    }
  },
  onPush(listener: (event: PushEvent | MenuCommand) => void): () => void {
    const forward = (_event: IpcRendererEvent, message: PushEvent | MenuCommand): void => listener(message);
    ipcRenderer.on(IPC.push, forward);
    return () => {
      ipcRenderer.removeListener(IPC.push, forward);
    };
  },
  async saveFile(request: SaveFileRequest): Promise<SaveFileReply> {
    try {
      return (await ipcRenderer.invoke(IPC.saveFile, request)) as SaveFileReply;
    } catch (err) {
      return cannotSend('the export', err);
    }
  },
  async importLocalFile(file: File, options: LocalImportOptions): Promise<ReplyMessage | null> {
    const filePath = pathOf(file);
    if (!filePath || !importsByPath(filePath)) return null;
    try {
      return (await ipcRenderer.invoke(IPC.importPath, filePath, options)) as ReplyMessage;
    } catch (err) {
      return cannotSend(`the import of ${file.name}`, err);
    }
  },
  platform: process.platform,
} satisfies PreloadBridge;

contextBridge.exposeInMainWorld('undertow', bridge);
