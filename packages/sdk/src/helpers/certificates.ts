import type { Buffer } from 'node:buffer';
import { aesGcmDecrypt } from '../crypto/aes-gcm.js';
import { certificateSerial, loadCertificate } from '../crypto/keys.js';
import { VerificationError } from '../errors/verification-error.js';

/** One entry of `GET /v3/certificates` (certificate mode, protocol.md §1.3). */
export interface EncryptedCertificateEntry {
  serial_no: string;
  effective_time: string;
  expire_time: string;
  encrypt_certificate: {
    algorithm: 'AEAD_AES_256_GCM' | (string & {});
    nonce: string;
    associated_data: string;
    ciphertext: string;
  };
}

export interface PlatformCertificate {
  serial: string;
  /** The certificate, PEM: put it in `certs` under `serial`. */
  pem: string;
  effectiveTime: string;
  expireTime: string;
}

/**
 * Decrypts the platform certificates of a `GET /v3/certificates` answer with the APIv3 key, and
 * checks that each certificate's own serial is the one it is listed under.
 */
export function decryptCertificates(
  body: { data?: readonly EncryptedCertificateEntry[] },
  apiV3Key: string | Buffer,
): PlatformCertificate[] {
  return (body.data ?? []).map((entry) => {
    const e = entry.encrypt_certificate;
    let pem: string;
    try {
      pem = aesGcmDecrypt(e.ciphertext, apiV3Key, e.nonce, e.associated_data ?? '');
    } catch (cause) {
      throw new VerificationError({
        reason: 'DECRYPT_FAILED',
        serial: entry.serial_no,
        message: `platform certificate ${entry.serial_no} does not decrypt: is \`apiV3Key\` the APIv3 key of this merchant?`,
        cause,
      });
    }
    const serial = certificateSerial(loadCertificate(pem, `certificate ${entry.serial_no}`));
    if (serial !== entry.serial_no.toUpperCase()) {
      throw new VerificationError({
        reason: 'BAD_BODY',
        serial: entry.serial_no,
        message: `the certificate listed as ${entry.serial_no} has serial ${serial}`,
      });
    }
    return { serial, pem, effectiveTime: entry.effective_time, expireTime: entry.expire_time };
  });
}
