/**
 * Actions in the page that need DOM types (type-checked with the e2e config only; the
 * benchmarks import harness.ts under the node config).
 */
import type { Page } from 'playwright-core';

/** Drops a file on the workspace, as a user dragging it from the desktop would. */
export async function dropFile(page: Page, name: string, content: string): Promise<void> {
  await page.evaluate(
    ({ name, content }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([content], name, { type: 'text/csv' }));
      const target = document.querySelector('.workspace')!;
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    { name, content },
  );
}
