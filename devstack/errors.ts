/**
 * A set-up failure the user can act on: what went wrong and what to do about it. The CLI
 * prints it as one line and exits non-zero, after stopping whatever it had started.
 */
export class SetupError extends Error {
  constructor(
    readonly reason: string,
    readonly fix: string,
    /** Extra context printed above the line, e.g. the tail of a log file. */
    readonly details?: string,
  ) {
    super(`${reason}. Fix: ${fix}`);
    this.name = 'SetupError';
  }

  /** The line the user reads. */
  line(): string {
    return `openkcm: ${this.message}`;
  }
}
