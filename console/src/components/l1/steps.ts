import type { DiagnosticStep } from '../../api';

/** What each diagnostic step checks, in the administrator's words. */
export const STEP_LABELS: Record<DiagnosticStep, string> = {
  reachable: 'Keystore reachable',
  authenticated: 'Authenticated',
  'key-exists': 'Key exists',
  enabled: 'Key enabled',
  usage: 'Key usage allows wrapping',
  'round-trip': 'Wrap and unwrap round trip',
};

export function stepLabel(step: string): string {
  return STEP_LABELS[step as DiagnosticStep] ?? step;
}
