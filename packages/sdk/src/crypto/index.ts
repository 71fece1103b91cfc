export { type AeadOptions, aesGcmDecrypt, aesGcmEncrypt, assertApiV3Key } from './aes-gcm.js';
export {
  AUTH_SCHEME,
  type AuthorizationParams,
  authorization,
  nonce,
  parseAuthorization,
  requestMessage,
  responseMessage,
  timestamp,
  v2StringToSign,
} from './formatter.js';
export { certificateSerial, type KeyLike, loadCertificate, loadPrivateKey, loadPublicKey } from './keys.js';
export { randomHex, randomString } from './random.js';
export { oaepDecrypt, oaepEncrypt, rsaSign, rsaSignAsync, rsaVerify, rsaVerifyAsync } from './rsa.js';
export { hmacSha256Hex, md5Hex, type V2SignType, v2Sign, v2Verify } from './v2.js';
