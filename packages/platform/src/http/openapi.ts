import type { TObject, TSchema } from '@sinclair/typebox';
import type { Hono } from 'hono';
import { type DeclaredRoute, declaredRoutes } from './contract.js';
import { publish } from './contract-schema.js';
import type { AppEnv } from './env.js';

// The API document (OpenAPI 3.1) of the APIv3 routes, generated from the schemas they were registered
// with, plus the APIv2 send_coupon XML operation. Built once per platform and served from memory.

type Json = Record<string, unknown>;

/** The statuses every APIv3 route can answer besides its 200: WeChat Pay's error body each. */
export const V3_ERROR_STATUSES = [400, 401, 403, 404, 429, 500] as const;

export const ERROR_BODY = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'The error code (PARAM_ERROR, SIGN_ERROR, …); never translated.' },
    message: { type: 'string', description: 'The text, in the language Accept-Language asked for.' },
    detail: {
      type: 'object',
      description: 'Where a request went wrong: field, value, issue and location (body, query, uri_template).',
      properties: {
        field: { type: 'string' },
        value: {},
        issue: { type: 'string' },
        location: { type: 'string' },
        sign_information: {
          type: 'object',
          properties: {
            method: { type: 'string' },
            url: { type: 'string' },
            sign_message_length: { type: 'integer' },
            truncated_sign_message: { type: 'string' },
          },
        },
        detail: { type: 'object', properties: { issue: { type: 'string' } } },
      },
    },
  },
};

const SIGNED_HEADERS = {
  'Wechatpay-Signature': 'Base64 RSA-SHA256 signature of `timestamp\\nnonce\\nbody\\n` by the platform key.',
  'Wechatpay-Timestamp': 'Seconds since the epoch, as signed.',
  'Wechatpay-Nonce': 'The random string signed.',
  'Wechatpay-Serial': 'The platform public key ID (PUB_KEY_ID_…) or certificate serial that signed the answer.',
  'Request-ID': 'The request identifier; errors carry it too.',
};

const SCHEME = 'WECHATPAY2-SHA256-RSA2048';

// APIv2 send_coupon as coupon-api.md §2 prints it: a request of the table's fields and the success sample.
const SEND_COUPON_REQUEST = `<xml>
<appid>wx5edab3bdfba3dc1c</appid>
<coupon_stock_id>1717</coupon_stock_id>
<mch_id>10000098</mch_id>
<nonce_str>1417574675</nonce_str>
<openid>onqOjjrXT-776SpHnfexGm1_P7iE</openid>
<openid_count>1</openid_count>
<partner_trade_no>10000098201412031417574675</partner_trade_no>
<sign>841B3002FE2220C87A2D08ABD8A8F791</sign>
</xml>`;
const SEND_COUPON_ANSWER =
  '<xml><return_code>SUCCESS</return_code><appid>wx5edab3bdfba3dc1c</appid><mch_id>10000098</mch_id>' +
  '<nonce_str>1417579335</nonce_str><sign>841B3002FE2220C87A2D08ABD8A8F791</sign><result_code>SUCCESS</result_code>' +
  '<coupon_stock_id>1717</coupon_stock_id><resp_count>1</resp_count><success_count>1</success_count>' +
  '<failed_count>0</failed_count><openid>onqOjjrXT-776SpHnfexGm1_P7iE</openid><ret_code>SUCCESS</ret_code>' +
  '<coupon_id>6954</coupon_id></xml>';

const V2_SEND_COUPON = {
  post: {
    operationId: 'POST /v2/mmpaymkttransfers/send_coupon',
    summary: '发放代金券 (APIv2)',
    description:
      'Signed in the body (`sign`, MD5 or HMAC-SHA256 with the APIv2 key) over TLS with the merchant API ' +
      'certificate; failures are answered 200 with return_code/result_code, as the real service does.',
    security: [],
    requestBody: {
      required: true,
      content: { 'application/xml': { schema: { type: 'string' }, example: SEND_COUPON_REQUEST } },
    },
    responses: {
      200: {
        description: 'The XML answer, success or failure.',
        content: { 'application/xml': { schema: { type: 'string' }, example: SEND_COUPON_ANSWER } },
      },
    },
  },
};

export function parameters(schema: TObject | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: publish(s as TSchema),
  }));
}

function operation(route: DeclaredRoute): Json {
  const { spec } = route;
  const answer =
    spec.response === null
      ? { 204: { description: 'Done; no body.', headers: signedHeaderRefs() } }
      : {
          200: {
            description: 'The answer, signed.',
            headers: signedHeaderRefs(),
            content: {
              'application/json': {
                schema: publish(spec.response),
                ...(spec.example?.response !== undefined ? { example: spec.example.response } : {}),
              },
            },
          },
        };
  const errors = Object.fromEntries(
    [...V3_ERROR_STATUSES, ...(spec.errors ?? [])].map((status) => [
      status,
      { $ref: `#/components/responses/Error${status}` },
    ]),
  );
  return {
    operationId: route.key,
    summary: spec.summary,
    parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
    ...(spec.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: publish(spec.body),
                ...(spec.example?.request !== undefined ? { example: spec.example.request } : {}),
              },
            },
          },
        }
      : {}),
    responses: { ...answer, ...errors },
  };
}

function signedHeaderRefs(): Json {
  return Object.fromEntries(Object.keys(SIGNED_HEADERS).map((h) => [h, { $ref: `#/components/headers/${h}` }]));
}

const ERROR_TEXT: Record<number, string> = {
  400: 'The request is refused (PARAM_ERROR, INVALID_REQUEST, …).',
  401: 'The signature did not verify (SIGN_ERROR).',
  403: 'Not allowed (NOAUTH, REQUEST_BLOCKED, NOT_ENOUGH, …).',
  404: 'Not found (RESOURCE_NOT_EXISTS, USER_NOT_EXISTS).',
  429: 'Too many calls (FREQUENCY_LIMIT_EXCEED, FREQUENCY_LIMITED).',
  500: 'Retry with the same request number (SYSTEM_ERROR).',
};

/** The document of `routes` (the v3 router's declared routes), with the v2 send_coupon operation. */
export function v3Document(routes: readonly DeclaredRoute[]): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const item = paths[r.path] ?? {};
    item[r.method.toLowerCase()] = operation(r);
    paths[r.path] = item;
  }
  paths['/v2/mmpaymkttransfers/send_coupon'] = V2_SEND_COUPON;
  const statuses = new Set<number>([...V3_ERROR_STATUSES, ...routes.flatMap((r) => r.spec.errors ?? [])]);
  return {
    openapi: '3.1.0',
    info: {
      title: 'wxcoupon platform: WeChat Pay coupon APIs',
      // The APIs' version (WeChat Pay's APIv3), not the package's.
      version: 'v3',
      description: 'The APIv3 coupon APIs the platform serves, as WeChat Pay defines them, and APIv2 send_coupon.',
    },
    security: [{ [SCHEME]: [] }],
    paths,
    components: {
      securitySchemes: {
        [SCHEME]: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…": an ' +
            'RSA-SHA256 signature by the merchant API key of `METHOD\\nURL\\ntimestamp\\nnonce\\nbody\\n`. ' +
            'Answers are signed in the Wechatpay-* headers.',
        },
      },
      headers: Object.fromEntries(
        Object.entries(SIGNED_HEADERS).map(([name, description]) => [
          name,
          { description, schema: { type: 'string' } },
        ]),
      ),
      schemas: { Error: ERROR_BODY },
      responses: Object.fromEntries(
        [...statuses].map((status) => [
          `Error${status}`,
          {
            description: ERROR_TEXT[status] ?? 'An error.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
    },
  };
}

/** `GET /openapi.json`: the v3 router's document, without authentication (like /healthz), built once. */
export function serveDocument(app: Hono<AppEnv>, v3: object): void {
  let text: string | undefined;
  app.get('/openapi.json', (c) => {
    text ??= JSON.stringify(v3Document(declaredRoutes(v3)));
    return c.body(text, 200, { 'Content-Type': 'application/json; charset=utf-8' });
  });
}
