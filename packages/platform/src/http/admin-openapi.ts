import { type TObject, type TSchema, Type } from '@sinclair/typebox';
import { publish } from './contract-schema.js';
import type { AdminRouter } from './env.js';
import { ERROR_BODY, parameters } from './openapi.js';

// The admin API's document (OpenAPI 3.1). Each feature declares its admin routes next to them (a table
// keyed `METHOD /admin/…`); the document lists what the admin router really serves, and a route served
// without a declaration (or a declaration of no route) stops the platform from being built.

type Json = Record<string, unknown>;

export interface AdminRouteDoc {
  summary: string;
  params?: TObject;
  query?: TObject;
  body?: TObject;
  /** The 200 answer; left out where the shape is not declared (the document says only "an object"). */
  response?: TSchema;
}

/** A feature's admin routes, keyed `METHOD /admin/path` with `{param}`s. */
export type AdminDocs = Readonly<Record<string, AdminRouteDoc>>;

/** What a Hono router says it serves. */
interface Routes {
  routes: readonly { method: string; path: string }[];
}

const SCHEME = 'AdminToken';

/** The statuses any admin route can answer besides 200: WeChat Pay's error body each. */
const ERROR_TEXT: Record<number, string> = {
  400: 'The request is refused (PARAM_ERROR, INVALID_REQUEST, …).',
  401: 'The admin token is missing or wrong.',
  403: 'Not allowed in the state the coupon or stock is in (NOAUTH, REQUEST_BLOCKED, …).',
  404: 'Not found (RESOURCE_NOT_EXISTS, …).',
  500: 'An unexpected failure (SYSTEM_ERROR).',
};

/** Path parameters of a key: every `{x}` a string. */
function pathParams(path: string): TObject | undefined {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  return names.length ? Type.Object(Object.fromEntries(names.map((n) => [n, Type.String()]))) : undefined;
}

function operation(key: string, path: string, doc: AdminRouteDoc): Json {
  return {
    operationId: key,
    summary: doc.summary,
    parameters: [...parameters(doc.params ?? pathParams(path), 'path'), ...parameters(doc.query, 'query')],
    ...(doc.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: publish(doc.body) } } } }
      : {}),
    responses: {
      200: {
        description: 'The answer.',
        content: { 'application/json': { schema: doc.response ? publish(doc.response) : { type: 'object' } } },
      },
      ...Object.fromEntries(
        Object.keys(ERROR_TEXT).map((status) => [status, { $ref: `#/components/responses/Error${status}` }]),
      ),
    },
  };
}

/** The `METHOD /admin/{x}` keys of what `router` (to be mounted at /admin) serves; middleware is no route. */
export function servedAdminKeys(router: Routes): string[] {
  const keys = router.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => `${r.method} /admin${r.path.replace(/:(\w+)/g, '{$1}')}`);
  return [...new Set(keys)];
}

/** The admin document of what `router` serves, from `docs`; throws naming any route without a declaration. */
export function adminDocument(router: Routes, docs: AdminDocs): Json {
  const served = servedAdminKeys(router);
  const undeclared = served.filter((k) => !docs[k]);
  if (undeclared.length) throw new Error(`admin routes without a declaration: ${undeclared.join(', ')}`);
  const unserved = Object.keys(docs).filter((k) => !served.includes(k));
  if (unserved.length) throw new Error(`admin declarations of no route: ${unserved.join(', ')}`);
  const paths: Record<string, Json> = {};
  for (const key of served) {
    const [method, path] = key.split(' ') as [string, string];
    const item = paths[path] ?? {};
    item[method.toLowerCase()] = operation(key, path, docs[key] as AdminRouteDoc);
    paths[path] = item;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'wxcoupon platform: admin API',
      version: '1',
      description: 'Merchants, users, stocks, notifications, faults, the test clock and the request journal.',
    },
    security: [{ [SCHEME]: [] }],
    paths,
    components: {
      securitySchemes: {
        [SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description: 'The admin token, from `<data>/admin-token`: `Authorization: Bearer <token>`.',
        },
      },
      schemas: { Error: ERROR_BODY },
      responses: Object.fromEntries(
        Object.entries(ERROR_TEXT).map(([status, description]) => [
          `Error${status}`,
          { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        ]),
      ),
    },
  };
}

const ADMIN_DOCUMENT_DOC: AdminRouteDoc = {
  summary: 'This document',
  response: Type.Object({ openapi: Type.Literal('3.1.0'), paths: Type.Object({}) }),
};

/**
 * `GET /admin/openapi.json` on `router` (behind the admin token), built once from what `router` serves
 * when `seal` is called after every admin route is registered.
 */
export function serveAdminDocument(router: AdminRouter): (docs: AdminDocs) => void {
  let text = '';
  router.get('/openapi.json', (c) => c.body(text, 200, { 'Content-Type': 'application/json; charset=utf-8' }));
  return (docs) => {
    text = JSON.stringify(adminDocument(router, { 'GET /admin/openapi.json': ADMIN_DOCUMENT_DOC, ...docs }));
  };
}
