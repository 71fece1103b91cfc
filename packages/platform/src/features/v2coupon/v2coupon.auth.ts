import { X509Certificate } from 'node:crypto';
import { type V2SignType, v2Verify } from '@wxcoupon/sdk/crypto';
import type { Context } from 'hono';
import type { PlatformContext } from '../../context.js';
import { peerCertificate } from '../../tls/peer-certificate.js';
import { V2Failure } from './v2-failure.js';

/** The merchant a v2 request was authenticated as, and how to sign the answer. */
export interface V2Caller {
  mchid: string;
  apiV2Key: string;
  signType: V2SignType;
  /** The merchant's business failures carry decimal err_codes (V2_DECIMAL_CODES). */
  decimalErrCode: boolean;
}

/**
 * Authenticates a v2 request in the order the transport would: the merchant, then (for APIs that
 * need it) the mutual-TLS client certificate, then `sign`. Every failure here is on the
 * communication layer: nothing has been read or changed yet, and the answer cannot be signed.
 */
export async function authenticateV2(
  ctx: PlatformContext,
  c: Context,
  fields: Record<string, string>,
  options: { certificate: boolean },
): Promise<V2Caller> {
  const mchid = fields['mch_id'] ?? '';
  if (mchid === '') throw new V2Failure('MCH_ID_EMPTY', 'return');
  const merchant = await ctx.services.merchants.find(mchid);
  if (!merchant) throw new V2Failure('CODE_2_ID_ERR', 'return');
  if (options.certificate) await checkClientCertificate(ctx, c, mchid);
  const declared = fields['sign_type'];
  if (declared !== undefined && declared !== 'MD5' && declared !== 'HMAC-SHA256') {
    throw new V2Failure('SIGN_ERROR', 'return');
  }
  if (!v2Verify(fields, merchant.api_v2_key)) {
    throw new V2Failure('SIGN_ERROR', 'return');
  }
  return {
    mchid,
    apiV2Key: merchant.api_v2_key,
    decimalErrCode: merchant.v2_decimal_err_code === 1,
    signType:
      declared === 'HMAC-SHA256' || (declared === undefined && fields['sign']?.length === 64) ? 'HMAC-SHA256' : 'MD5',
  };
}

/**
 * The client certificate must be one of this merchant's API certificates, byte for byte. A
 * certificate the local CA did not issue and nobody registered is CA_VERIFY_FAILED; a genuine
 * certificate of another merchant, or none at all, is CA_ERROR.
 */
async function checkClientCertificate(ctx: PlatformContext, c: Context, mchid: string): Promise<void> {
  const peer = peerCertificate(c);
  if (!peer.certificate) {
    throw new V2Failure('CA_ERROR', 'return');
  }
  const presented = peer.certificate;
  const now = Date.now();
  if (now < Date.parse(presented.validFrom) || now > Date.parse(presented.validTo)) {
    throw new V2Failure('CA_VERIFY_FAILED', 'return');
  }
  const registered = await ctx.services.merchants.certificateBySerial(presented.serialNumber.toUpperCase());
  const genuine =
    registered?.certificate_pem != null && new X509Certificate(registered.certificate_pem).raw.equals(presented.raw);
  if (!genuine) {
    if (ctx.tls.issued(presented, now)) {
      throw new V2Failure('CA_ERROR', 'return');
    }
    throw new V2Failure('CA_VERIFY_FAILED', 'return');
  }
  if (registered.mchid !== mchid) {
    throw new V2Failure('CA_ERROR', 'return');
  }
}
