/**
 * Secrets must never reach an error message or a diagnostic, even when an SDK echoes its input
 * back. Every message a connector produces passes through a Redactor built from its secrets.
 */
export type Redactor = (message: string) => string;

/** Strings shorter than this are not scrubbed: replacing "1" everywhere would garble messages. */
const MIN_SECRET_LENGTH = 4;

export function createRedactor(secrets: ReadonlyArray<string | undefined>): Redactor {
  const needles = secrets
    .filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  if (needles.length === 0) return (message) => message;
  return (message) => {
    let out = message;
    for (const needle of needles) out = out.split(needle).join('[redacted]');
    return out;
  };
}
