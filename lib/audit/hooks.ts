/** Calls an observer hook (metrics, logging); a hook that throws must never break the audit path. */
export function callHook(call: () => void): void {
  try {
    call();
  } catch {
    // ignored on purpose
  }
}
