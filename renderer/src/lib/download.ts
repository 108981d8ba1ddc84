import { SAVE_FILE_KINDS, type SaveFileRequest } from '../../../shared/bridge';

/**
 * An export as a browser download: the fallback of `saveExport`, which every export goes through
 * (in Electron they use the native Save dialog instead).
 */
export function downloadExport(request: SaveFileRequest): void {
  const data = typeof request.data === 'string' ? request.data : new Uint8Array(request.data);
  downloadBlob(request.fileName, new Blob([data], { type: SAVE_FILE_KINDS[request.kind].mimeType }));
}

function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A canvas as PNG bytes. */
export function canvasPng(canvas: HTMLCanvasElement): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => {
      if (!blob) reject(new Error('the chart could not be encoded as PNG'));
      else blob.arrayBuffer().then((buffer) => resolve(new Uint8Array(buffer)), reject);
    }, 'image/png');
  });
}
