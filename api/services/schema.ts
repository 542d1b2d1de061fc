import { z } from 'zod';
import { IDENTIFIER_PATTERN } from '../../lib/tenants/model.js';

export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'privilegeWithdrawn',
] as const;

export const serviceIdSchema = z.string().regex(IDENTIFIER_PATTERN, 'must be a service id (lower-case letters, digits and dashes)');

export const certificateView = z.object({
  serial: z.string(),
  serviceId: z.string(),
  notBefore: z.iso.datetime(),
  notAfter: z.iso.datetime(),
  fingerprintSha256: z.string(),
  status: z.enum(['active', 'revoked', 'expired']),
  revokedAt: z.iso.datetime().optional(),
});

export const serviceView = z.object({
  serviceId: z.string(),
  description: z.string().optional(),
  createdAt: z.iso.datetime(),
  spiffeId: z.string(),
  activeCertificates: z.number().int(),
  /** A certificate bundle generated at provisioning waits to be downloaded (once) with POST …/bundle. */
  bundlePending: z.boolean(),
});

export const serviceDetailView = serviceView.extend({ certificates: z.array(certificateView) });
export const serviceList = z.object({ items: z.array(serviceView) });

export const createServiceBody = z.object({
  serviceId: serviceIdSchema,
  description: z.string().trim().max(500).optional(),
});

export const serviceParams = z.object({ serviceId: serviceIdSchema });
export const certificateParams = z.object({
  serviceId: serviceIdSchema,
  serial: z.string().regex(/^[0-9A-Fa-f:]{1,60}$/, 'must be a hexadecimal serial number'),
});

export const issueCertificateBody = z
  .object({
    csrPem: z.string().min(1).max(20_000).optional(),
    generate: z.literal(true).optional(),
  })
  .refine((b) => (b.csrPem === undefined) !== (b.generate === undefined), {
    message: 'send either csrPem or generate: true',
    path: ['csrPem'],
  });

export const issuedCertificateView = z.object({
  certificate: certificateView,
  certificatePem: z.string(),
  /** Leaf then issuing CA. */
  chainPem: z.string(),
  /** The platform root CA: what clients trust for the KMIP server. */
  caPem: z.string(),
  /** Only when OpenKCM generated the key: shown this once, stored nowhere. */
  privateKeyPem: z.string().optional(),
  pkcs12Base64: z.string().optional(),
  pkcs12Password: z.string().optional(),
});

export const revokeCertificateBody = z.object({ reason: z.enum(REVOCATION_REASONS).optional() }).default({});

export const snippetsView = z.object({
  kmipEndpoint: z.string(),
  caPem: z.string(),
  nodeCsfle: z.string(),
  pythonCsfle: z.string(),
  mongodEncryptionAtRest: z.string(),
  fieldEncryptionClient: z.string(),
});
