export {
  type CertificateOptions,
  type DistinguishedName,
  generateRsaKeyPair,
  type IssuedCertificate,
  issueCertificate,
  type RsaKeyPair,
  randomSerial,
} from './certificate.js';
