/** Which bar sizes the chart offers for a dataset, and which it opens with. */
import type { Dataset } from '../../../../shared/domain';

const STANDARD = [60, 300, 900, 3600, 14400, 86400];

/** The stored bar size, then each standard size (1m…1d) that is a whole multiple of it. */
export function timeframeChoices(storedBarSeconds: number): number[] {
  const out = [storedBarSeconds];
  for (const s of STANDARD) if (s > storedBarSeconds && s % storedBarSeconds === 0) out.push(s);
  return out;
}

/** Draw at most about 200,000 bars on first paint (DESIGN §5: 500,000 bars take ~1.7 s). */
export function defaultTimeframe(dataset: Dataset): number {
  const choices = timeframeChoices(dataset.barSeconds);
  return choices.find((s) => (dataset.lastTime - dataset.firstTime) / s <= 200_000) ?? choices.at(-1)!;
}
