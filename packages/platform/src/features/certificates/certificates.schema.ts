import { Type } from '@sinclair/typebox';

/** `GET /v3/certificates`'s answer (protocol.md §1.3). */
export const CERTIFICATES = Type.Object({
  data: Type.Array(
    Type.Object({
      serial_no: Type.String(),
      effective_time: Type.String({ format: 'date-time' }),
      expire_time: Type.String({ format: 'date-time' }),
      encrypt_certificate: Type.Object({
        algorithm: Type.Literal('AEAD_AES_256_GCM'),
        nonce: Type.String(),
        associated_data: Type.String(),
        ciphertext: Type.String(),
      }),
    }),
  ),
});
