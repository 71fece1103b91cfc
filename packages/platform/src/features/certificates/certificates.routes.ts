import { aesGcmEncrypt, nonce } from '@wxcoupon/sdk/crypto';
import { rfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import { ApiError } from '../../errors/api-error.js';
import { route } from '../../http/contract.js';
import type { V3Router } from '../../http/env.js';
import { CERTIFICATES } from './certificates.schema.js';

/**
 * `GET /v3/certificates` (protocol.md §1.3): the platform certificate, AEAD_AES_256_GCM-encrypted
 * with the caller's APIv3 key, associated_data `certificate`. A merchant in public-key mode has no
 * platform certificate: 404 RESOURCE_NOT_EXISTS, as the real service answers.
 */
export function certificatesRoutes(router: V3Router, ctx: PlatformContext): void {
  route(
    router,
    'GET /v3/certificates',
    { summary: '下载平台证书', api: 'certificates', response: CERTIFICATES, errors: [] },
    async (_, c) => {
      const me = c.get('merchant');
      if (me.platformKeyMode === 'public_key') {
        throw new ApiError('RESOURCE_NOT_EXISTS', '商户已切换为微信支付公钥模式，无平台证书');
      }
      const merchant = await ctx.services.merchants.find(me.mchid);
      if (!merchant) throw new ApiError('MCH_NOT_EXISTS');
      const cert = ctx.keys.certificate;
      const iv = nonce(12);
      return {
        data: [
          {
            serial_no: cert.id,
            effective_time: rfc3339(cert.notBefore),
            expire_time: rfc3339(cert.notAfter),
            encrypt_certificate: {
              algorithm: 'AEAD_AES_256_GCM',
              nonce: iv,
              associated_data: 'certificate',
              ciphertext: aesGcmEncrypt(cert.certificatePem ?? '', merchant.api_v3_key, iv, 'certificate'),
            },
          },
        ],
      };
    },
  );
}
