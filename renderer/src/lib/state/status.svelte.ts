/**
 * The app-wide status line (read out by screen readers through aria-live). One owner: views
 * call `announce`, the footer reads `status.text`.
 */
export const status = $state({ text: 'Ready.' });

export function announce(text: string): void {
  status.text = text;
}
