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

/** Waits two animation frames: a scroll event and the table's redraw after it have run. */
async function frames(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

/**
 * Every row of a virtualized table (renderer/src/lib/VirtualTable.svelte), in order: scrolls
 * its box from the top to the bottom a viewport at a time, as its scrollbar would, and reads
 * the rows drawn at each stop by their aria-rowindex. Throws unless every row of aria-rowcount
 * was seen. Leaves the box scrolled to the bottom.
 */
export async function allTableRows(page: Page, tableTestId: string): Promise<string[]> {
  const table = page.getByTestId(tableTestId);
  const box = table.locator('xpath=..');
  const count = Number(await table.getAttribute('aria-rowcount')) - 1;
  const rows = new Map<number, string>();
  await box.evaluate((el) => el.scrollTo({ top: 0, behavior: 'instant' }));
  for (let stop = 0; stop < 10_000; stop++) {
    await frames(page);
    const seen = await table.evaluate((t) => [...t.querySelectorAll('tbody tr[aria-rowindex]')].map((r) => [Number(r.getAttribute('aria-rowindex')), r.textContent ?? ''] as const));
    for (const [index, text] of seen) rows.set(index, text);
    const atEnd = await box.evaluate((el) => {
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) return true;
      el.scrollTo({ top: el.scrollTop + el.clientHeight - 30, behavior: 'instant' });
      return false;
    });
    if (atEnd) break;
  }
  const list: string[] = [];
  for (let index = 2; index <= count + 1; index++) {
    const text = rows.get(index);
    if (text === undefined) throw new Error(`${tableTestId}: row ${index} of ${count + 1} never drawn while scrolling`);
    list.push(text);
  }
  return list;
}

/** The aria-rowindex of the last row a virtualized table draws. */
export async function lastDrawnRowIndex(page: Page, tableTestId: string): Promise<number> {
  return page.getByTestId(tableTestId).evaluate((t) => Math.max(0, ...[...t.querySelectorAll('tbody tr[aria-rowindex]')].map((r) => Number(r.getAttribute('aria-rowindex')))));
}
