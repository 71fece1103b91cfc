import { Type } from '@sinclair/typebox';
import type { PlatformContext } from '../../context.js';
import type { AdminDocs } from '../../http/admin-openapi.js';
import type { AdminRouter } from '../../http/env.js';
import { ok } from '../../http/reply.js';
import { FieldReader, OPENID_RULE, parseBody } from '../../http/validator.js';
import type { PlatformKeyMode } from '../../keys/platform-keys.js';

/** Admin routes: merchants, appids and users. */
export function merchantsAdmin(router: AdminRouter, ctx: PlatformContext): void {
  const service = ctx.services.merchants;

  router.get('/merchants', async (c) => ok(c, { data: await service.listMerchants() }));

  router.post('/merchants', async (c) => {
    const created = await service.addMerchant(
      parseBody(c.get('rawBody') || '{}', (body) =>
        stripUndefined({
          mchid: body.string('/mchid', { pattern: /^\d{1,20}$/, patternIssue: 'must be 1 to 20 digits' }),
          name: body.string('/name', { max: 128 }),
          apiV3Key: body.string('/api_v3_key', { min: 32, max: 32 }),
          apiV2Key: body.string('/api_v2_key', { min: 32, max: 32 }),
          platformKeyMode: body.string('/platform_key_mode', { oneOf: ['public_key', 'certificate', 'both'] }) as
            | PlatformKeyMode
            | undefined,
          certificatePem: body.string('/certificate', { text: true }),
        }),
      ),
    );
    return ok(c, {
      mchid: created.mchid,
      name: created.name,
      serial: created.serial,
      api_v3_key: created.apiV3Key,
      api_v2_key: created.apiV2Key,
      platform_key_mode: created.platformKeyMode,
      certificate: created.certificatePem,
      ...(created.privateKeyPem ? { private_key: created.privateKeyPem } : {}),
    });
  });

  // APIv2 business failures with decimal err_codes (coupon-api.md §8.8): the real service answers either form.
  router.put('/merchants/:mchid/v2-decimal-err-code', async (c) => {
    const on = parseBody(c.get('rawBody'), (b) => b.boolean('/enabled', { required: true }));
    return ok(c, await service.setV2DecimalErrCode(c.req.param('mchid'), on));
  });

  router.post('/merchants/:mchid/appids', async (c) => {
    const appid = parseBody(c.get('rawBody'), (body) => body.string('/appid', { required: true, max: 128 }));
    await service.bindAppid(c.req.param('mchid'), appid);
    return ok(c, { mchid: c.req.param('mchid'), appid });
  });

  router.post('/users', async (c) => {
    const user = await service.addUser(
      parseBody(c.get('rawBody'), (body) => ({
        appid: body.string('/appid', { required: true, max: 128 }),
        ...stripUndefined({
          openid: body.string('/openid', OPENID_RULE),
          personId: body.string('/person_id', { max: 64 }),
          abnormal: body.boolean('/abnormal'),
        }),
      })),
    );
    return ok(c, userJson(user));
  });

  // A user is (appid, openid): `?appid=` names the appid, and may be left out while only one appid
  // has the openid (an openid under several appids without it is PARAM_ERROR, never a guess).
  router.get('/users/:openid', async (c) =>
    ok(c, userJson(await service.getUser(c.req.param('openid'), queryAppid(c.req.query())))),
  );

  router.patch('/users/:openid', async (c) => {
    const change = parseBody(c.get('rawBody'), (body) => {
      const change: { abnormal?: boolean; personId?: string | null } = {};
      const abnormal = body.boolean('/abnormal');
      if (abnormal !== undefined) change.abnormal = abnormal;
      const personId = body.string('/person_id', { max: 64 });
      if (personId !== undefined) change.personId = personId === '' ? null : personId;
      return change;
    });
    return ok(c, userJson(await service.updateUser(c.req.param('openid'), queryAppid(c.req.query()), change)));
  });
}

function queryAppid(query: Record<string, string>): string | undefined {
  return new FieldReader(query, 'query').string('/appid', { min: 1, max: 128 });
}

function userJson(u: { openid: string; appid: string; personId: string | null; abnormal: boolean }) {
  return { openid: u.openid, appid: u.appid, person_id: u.personId, abnormal: u.abnormal };
}

/** exactOptionalPropertyTypes: drop keys whose value is undefined. */
export function stripUndefined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

const User = Type.Object({
  openid: Type.String(),
  appid: Type.String(),
  person_id: Type.Union([Type.String(), Type.Null()]),
  abnormal: Type.Boolean(),
});
const AppidQuery = Type.Object({ appid: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) });

export const merchantsAdminDocs: AdminDocs = {
  'GET /admin/merchants': {
    summary: 'List the merchants',
    response: Type.Object({ data: Type.Array(Type.Object({ mchid: Type.String() })) }),
  },
  'POST /admin/merchants': {
    summary: 'Add a merchant; what is left out is generated (its API private key is answered once)',
    body: Type.Object({
      mchid: Type.Optional(Type.String({ pattern: '^\\d{1,20}$' })),
      name: Type.Optional(Type.String({ maxLength: 128 })),
      api_v3_key: Type.Optional(Type.String({ minLength: 32, maxLength: 32 })),
      api_v2_key: Type.Optional(Type.String({ minLength: 32, maxLength: 32 })),
      platform_key_mode: Type.Optional(
        Type.Union([Type.Literal('public_key'), Type.Literal('certificate'), Type.Literal('both')]),
      ),
      certificate: Type.Optional(Type.String()),
    }),
    response: Type.Object({
      mchid: Type.String(),
      serial: Type.String(),
      api_v3_key: Type.String(),
      api_v2_key: Type.String(),
      platform_key_mode: Type.Union([Type.Literal('public_key'), Type.Literal('certificate'), Type.Literal('both')]),
      certificate: Type.Optional(Type.String()),
      private_key: Type.Optional(Type.String()),
    }),
  },
  'PUT /admin/merchants/{mchid}/v2-decimal-err-code': {
    summary: 'Answer APIv2 business failures with decimal err_codes, or not',
    body: Type.Object({ enabled: Type.Boolean() }),
  },
  'POST /admin/merchants/{mchid}/appids': {
    summary: 'Bind an appid to a merchant',
    body: Type.Object({ appid: Type.String({ maxLength: 128 }) }),
    response: Type.Object({ mchid: Type.String(), appid: Type.String() }),
  },
  'POST /admin/users': {
    summary: 'Add a user (appid, openid); the openid is generated when left out',
    body: Type.Object({
      appid: Type.String({ maxLength: 128 }),
      openid: Type.Optional(Type.String()),
      person_id: Type.Optional(Type.String({ maxLength: 64 })),
      abnormal: Type.Optional(Type.Boolean()),
    }),
    response: User,
  },
  'GET /admin/users/{openid}': { summary: 'A user', query: AppidQuery, response: User },
  'PATCH /admin/users/{openid}': {
    summary: 'Change a user: abnormal, person_id ("" clears it)',
    query: AppidQuery,
    body: Type.Object({
      abnormal: Type.Optional(Type.Boolean()),
      person_id: Type.Optional(Type.String({ maxLength: 64 })),
    }),
    response: User,
  },
};
