import { Type } from '@sinclair/typebox';
import { writeTransaction } from '../../db/transaction.js';
import { ok } from '../../http/reply.js';
import type { Feature } from '../feature.js';

/** Platform-wide admin routes: health, the platform's public keys, and reset. */
export const adminFeature: Feature = {
  name: 'admin',
  adminDocs: {
    'GET /admin/health': {
      summary: 'The platform is up: its database engine and clock',
      response: Type.Object({ status: Type.Literal('ok'), engine: Type.String(), time: Type.String() }),
    },
    'GET /admin/platform': {
      summary: "The platform's public key, certificate and the TLS CA certificate",
      response: Type.Object({
        public_key_id: Type.String(),
        public_key: Type.String(),
        certificate_serial: Type.String(),
        certificate: Type.String(),
        ca_certificate: Type.String(),
      }),
    },
    'POST /admin/reset': {
      summary: 'Clear everything issued; merchants, appids, users and stocks stay',
      response: Type.Object({ reset: Type.Literal(true) }),
    },
  },
  admin(router, ctx) {
    router.get('/health', (c) =>
      ok(c, { status: 'ok', engine: ctx.engine, time: new Date(ctx.clock()).toISOString() }),
    );

    // What a merchant's SDK needs to verify answers and reach the HTTPS listener; public parts only.
    router.get('/platform', (c) =>
      ok(c, {
        public_key_id: ctx.keys.publicKey.id,
        public_key: ctx.keys.publicKey.publicKeyPem,
        certificate_serial: ctx.keys.certificate.id,
        certificate: ctx.keys.certificate.certificatePem ?? '',
        ca_certificate: ctx.tls.caCertificatePem,
      }),
    );

    // Clears everything issued (coupons, per-user and daily counters, and whatever other features
    // register) in one transaction; merchants, appids, users and stocks stay, budgets start over.
    router.post('/reset', async (c) => {
      const at = ctx.clock();
      await writeTransaction(ctx.db, (trx) => ctx.hooks.emit(trx, 'platform.reset', { at }));
      return ok(c, { reset: true });
    });
  },
};
