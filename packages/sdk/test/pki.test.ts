import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import tls from 'node:tls';
import { certificateSerial, loadPublicKey } from '../src/crypto/index.js';
import { generateRsaKeyPair, issueCertificate } from '../src/pki/index.js';

describe('pki', () => {
  test('a self-signed certificate parses, verifies itself and keeps the requested serial', async () => {
    const keys = await generateRsaKeyPair();
    const cert = issueCertificate({
      subject: { CN: '商户名称', O: 'Demo', C: 'CN' },
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      serial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
    });
    assert.equal(certificateSerial(cert.pem), '5157F09EFDC096DE15EBE81A47057A7232F1B8E1');
    assert.ok(cert.x509.verify(keys.publicKey));
    assert.match(cert.x509.subject, /CN=商户名称/);
    assert.ok(loadPublicKey(cert.pem).equals(keys.publicKey));
  });

  test('a CA-issued server and client certificate complete a mutual TLS handshake', async () => {
    const caKeys = await generateRsaKeyPair();
    const ca = issueCertificate({
      subject: { CN: 'Test CA' },
      publicKey: caKeys.publicKey,
      signingKey: caKeys.privateKey,
      isCA: true,
    });
    const serverKeys = await generateRsaKeyPair();
    const server = issueCertificate({
      subject: { CN: 'localhost' },
      publicKey: serverKeys.publicKey,
      signingKey: caKeys.privateKey,
      issuer: ca.x509,
      dns: ['localhost'],
      ips: ['127.0.0.1', '::1'],
      extKeyUsage: ['serverAuth'],
    });
    const clientKeys = await generateRsaKeyPair();
    const client = issueCertificate({
      subject: { CN: '1900000001', O: 'Merchant' },
      publicKey: clientKeys.publicKey,
      signingKey: caKeys.privateKey,
      issuer: ca.x509,
      extKeyUsage: ['clientAuth'],
    });
    assert.ok(server.x509.checkIssued(ca.x509));
    assert.ok(server.x509.checkIP('127.0.0.1'));

    const srv = tls.createServer(
      { key: serverKeys.privateKeyPem, cert: server.pem, ca: ca.pem, requestCert: true, rejectUnauthorized: true },
      (socket) => socket.end(socket.getPeerCertificate().serialNumber),
    );
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const { port } = srv.address() as AddressInfo;
    const socket = tls.connect({
      port,
      host: '127.0.0.1',
      ca: ca.pem,
      key: clientKeys.privateKeyPem,
      cert: client.pem,
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    await once(socket, 'end');
    srv.close();
    assert.equal(Buffer.concat(chunks).toString().toUpperCase(), client.serial);
  });
});
