import { constants, createHash, type KeyObject, publicDecrypt } from 'node:crypto';

// Why an APIv3 signature does not verify. SHA256withRSA (PKCS#1 v1.5) can be undone with the public
// key: raising the signature to the public exponent gives the padded digest the signer signed. If that
// block has the padding's exact shape, the merchant's own key made the signature and only the message
// differs; if not, another key made it. The recovered digest is then compared with the digests of the
// messages clients commonly sign by mistake, to name what differs.

/** The DER prefix of a SHA-256 DigestInfo, which precedes the digest in the padded block. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

export type MismatchReason = 'wrong key' | 'body changed' | 'url changed';

export interface Mismatch {
  reason: MismatchReason;
  /** For `url changed`: what the client signed instead of the request-target. */
  signedUrl?: string;
}

/**
 * Explains a signature that did not verify over `message`. `head` builds the message for another
 * URL or body (the same timestamp and nonce), to test the usual mistakes.
 */
export function diagnoseMismatch(
  signature: string,
  publicKey: KeyObject,
  target: string,
  host: string | undefined,
  body: Buffer,
  build: (url: string, body: Buffer) => Buffer,
): Mismatch {
  const digest = recoveredDigest(signature, publicKey);
  if (!digest) return { reason: 'wrong key' };
  const matches = (url: string, b: Buffer) => createHash('sha256').update(build(url, b)).digest().equals(digest);
  const query = target.indexOf('?');
  const urls = [
    ...(query >= 0 ? [target.slice(0, query)] : []),
    ...(host ? [`https://${host}${target}`, `http://${host}${target}`] : []),
    `https://api.mch.weixin.qq.com${target}`,
  ];
  for (const url of urls) if (matches(url, body)) return { reason: 'url changed', signedUrl: url };
  return { reason: 'body changed' };
}

function recoveredDigest(signature: string, publicKey: KeyObject): Buffer | undefined {
  const bytes = Buffer.from(signature, 'base64');
  const size = (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  if (size === 0 || bytes.length !== size) return undefined;
  let block: Buffer;
  try {
    block = publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, bytes);
  } catch {
    return undefined;
  }
  const infoAt = block.length - SHA256_DIGEST_INFO.length - 32;
  if (block[0] !== 0x00 || block[1] !== 0x01 || block[infoAt - 1] !== 0x00) return undefined;
  for (let i = 2; i < infoAt - 1; i++) if (block[i] !== 0xff) return undefined;
  if (!block.subarray(infoAt, infoAt + SHA256_DIGEST_INFO.length).equals(SHA256_DIGEST_INFO)) return undefined;
  return block.subarray(block.length - 32);
}

/** What usually causes each failure, in plain words (the journal's `signature.explanation`). */
export function explain(reason: string, extra?: { signedUrl?: string; maxSkew?: number }): string {
  if (reason === 'wrong key')
    return (
      'The signature was not made with the private key of the certificate named by serial_no. Usually the ' +
      'client loaded another merchant’s key, an old key, or a key that does not match the serial_no it sends.'
    );
  if (reason === 'body changed')
    return (
      'The signature was made with the right key, but over a different message than the one shown here. ' +
      'Usually the body was serialized again after signing (other spacing, field order or escaping), a proxy ' +
      'changed it, or the timestamp or nonce signed are not the ones sent.'
    );
  if (reason === 'url changed')
    return (
      `The signature was made with the right key over the URL ${extra?.signedUrl ?? ''}; sign the path ` +
      'with its query string exactly as sent, without scheme or host.'
    );
  if (reason.startsWith('clock skew'))
    return (
      `The timestamp is further than ${extra?.maxSkew ?? 300} s from the server’s clock. Usually the ` +
      'client’s clock is wrong, the timestamp is in milliseconds, or a signed request was kept and sent later.'
    );
  if (reason === 'serial unknown')
    return (
      'serial_no is not the serial of any API certificate of this merchant. Usually it is the platform ' +
      'certificate’s serial, an expired certificate’s, or written in another case or with separators.'
    );
  if (reason === 'mchid mismatch')
    return (
      'serial_no is an API certificate of another merchant than the mchid in Authorization. Usually the ' +
      'client mixes the credentials of two merchants.'
    );
  if (reason === 'mchid unknown')
    return (
      'The mchid in Authorization is not a merchant of this platform. Usually it is a typo, or the merchant ' +
      'lives on another platform (another data directory or database).'
    );
  if (reason === 'Authorization missing')
    return 'The request has no Authorization header: every APIv3 request is signed (WECHATPAY2-SHA256-RSA2048).';
  return (
    'The Authorization header is not WECHATPAY2-SHA256-RSA2048 followed by mchid, nonce_str, timestamp, ' +
    'serial_no and signature as key="value" pairs separated by commas, each once.'
  );
}
