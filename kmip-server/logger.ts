import pino from 'pino';
import type { Logger } from 'pino';

/**
 * Structured JSON logs on stdout. Nothing that could hold key material is ever logged: handlers
 * log identifiers and reasons, and the serializers below keep request payloads out.
 */
export function createLogger(level: string, role: 'kmip-primary' | 'kmip-worker', extra: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'openkcm-kmip', role, pid: process.pid, ...extra },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['*.key', '*.cert', '*.material', '*.payload', '*.ticketKeys', '*.privateKeyPem'], censor: '[redacted]' },
  });
}
