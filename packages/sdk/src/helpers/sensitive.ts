import { type KeyLike, loadPrivateKey, loadPublicKey } from '../crypto/keys.js';
import { oaepDecrypt, oaepEncrypt } from '../crypto/rsa.js';

// Sensitive fields (names, phone numbers…) travel RSA-OAEP encrypted under a platform key, and the
// request names that key in `Wechatpay-Serial`. These wrappers keep the pair together.

/** Encrypts `plaintext` for the platform key `serial`; send `serial` as the `Wechatpay-Serial` header. */
export function encryptSensitive(
  plaintext: string,
  publicKey: KeyLike,
  serial: string,
): { ciphertext: string; serial: string } {
  return { ciphertext: oaepEncrypt(plaintext, loadPublicKey(publicKey, 'publicKey')), serial };
}

/** Decrypts a field WeChat Pay encrypted with the merchant's public key. */
export function decryptSensitive(ciphertext: string, privateKey: KeyLike): string {
  return oaepDecrypt(ciphertext, loadPrivateKey(privateKey, 'privateKey'));
}
