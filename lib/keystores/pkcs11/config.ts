import path from 'node:path';
import { z } from 'zod';

export const PKCS11_MECHANISMS = ['aes-gcm', 'aes-key-wrap-pad'] as const;
export type Pkcs11Mechanism = (typeof PKCS11_MECHANISMS)[number];

export const pkcs11SettingsSchema = z
  .object({
    kind: z.literal('pkcs11'),
    /** Absolute path of the vendor's PKCS#11 library (e.g. /usr/lib/softhsm/libsofthsm2.so). */
    modulePath: z.string().min(1).refine((p) => path.isAbsolute(p), 'must be an absolute path'),
    /** Select the token by label (preferred: slot numbers can change across reboots) … */
    tokenLabel: z.string().min(1).max(32).optional(),
    /** … or by index among the slots that have a token. */
    slotIndex: z.number().int().min(0).optional(),
    /** CKA_LABEL of the L1 key. */
    keyLabel: z.string().min(1).max(256),
    /** CKA_ID (hex) to disambiguate keys sharing a label. */
    keyId: z.string().regex(/^([0-9a-fA-F]{2})+$/, 'must be hex').optional(),
    /**
     * aes-gcm (default): C_Encrypt/C_Decrypt single-part AES-GCM, the tenant context as AAD; L1 needs CKA_ENCRYPT/CKA_DECRYPT.
     * aes-key-wrap-pad: C_WrapKey/C_UnwrapKey with CKM_AES_KEY_WRAP_PAD; L1 needs CKA_WRAP/CKA_UNWRAP.
     */
    mechanism: z.enum(PKCS11_MECHANISMS).default('aes-gcm'),
    /** Sessions kept open per token; one operation per session at a time. */
    sessionPoolSize: z.number().int().min(1).max(32).default(4),
  })
  // Unknown fields are refused, so a PIN pasted into settings is never stored in clear.
  .strict()
  .refine((s) => (s.tokenLabel === undefined) !== (s.slotIndex === undefined), {
    message: 'set exactly one of tokenLabel and slotIndex',
    path: ['tokenLabel'],
  });

export const pkcs11SecretsSchema = z.object({
  /** The token user's PIN (CKU_USER). */
  pin: z.string().min(1, 'is required').max(255),
});

export type Pkcs11Settings = z.output<typeof pkcs11SettingsSchema>;
export type Pkcs11SettingsInput = z.input<typeof pkcs11SettingsSchema>;
export type Pkcs11Secrets = z.output<typeof pkcs11SecretsSchema>;
