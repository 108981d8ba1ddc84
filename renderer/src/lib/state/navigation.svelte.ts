/**
 * Cross-view navigation requests. One owner per field: a view that wants another view to open a
 * run calls `requestRun`; the Replay view takes it with `takeRequestedRun` (which clears it), so a
 * request is acted on once.
 */
export const navigation = $state<{ openRunId: number | null }>({ openRunId: null });

/** Ask the Replay view to select this run when it next shows. */
export function requestRun(runId: number): void {
  navigation.openRunId = runId;
}

/** The requested run, cleared once taken. */
export function takeRequestedRun(): number | null {
  const id = navigation.openRunId;
  navigation.openRunId = null;
  return id;
}
