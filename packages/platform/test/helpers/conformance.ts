import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parseRfc3339 } from '../../src/clock.js';

// Every JSON answer a test receives from an in-process platform is checked against the platform's own
// API documents (GET /openapi.json, and GET /admin/openapi.json for /admin): the response schema of its
// route and status. An answer that does not conform fails the call that received it, naming route,
// status and the schema's complaint.

type Fetch = (req: Request) => Promise<Response>;
type Json = Record<string, unknown>;

interface DocumentedRoute {
  operation: string;
  method: string;
  pattern: RegExp;
  /** How many `{param}`s the path has: a literal segment wins over a parameter. */
  params: number;
  byStatus: Map<string, ValidateFunction>;
}

// One of each document per process: every platform serves the same ones.
const documents = new Map<string, Promise<DocumentedRoute[]>>();

/** The document's operations with a compiled validator per answer status. */
export function compileDocument(document: Json): DocumentedRoute[] {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  ajv.addFormat('date-time', (v: string) => parseRfc3339(v) !== undefined);
  const components = document.components as { responses: Record<string, Json>; schemas: Record<string, Json> };
  const out: DocumentedRoute[] = [];
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
    for (const [method, operation] of Object.entries(item)) {
      const byStatus = new Map<string, ValidateFunction>();
      for (const [status, answer] of Object.entries(operation.responses as Record<string, Json>)) {
        const schema = jsonSchemaOf(answer, components);
        if (schema) byStatus.set(status, ajv.compile(schema));
      }
      out.push({
        operation: String(operation.operationId),
        method: method.toUpperCase(),
        pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        params: (path.match(/\{/g) ?? []).length,
        byStatus,
      });
    }
  }
  return out.sort((a, b) => a.params - b.params);
}

function jsonSchemaOf(answer: Json, components: { responses: Record<string, Json>; schemas: Record<string, Json> }) {
  const resolved = typeof answer.$ref === 'string' ? components.responses[answer.$ref.split('/').pop() ?? ''] : answer;
  const content = (resolved?.content as Record<string, { schema?: Json }> | undefined)?.['application/json'];
  const schema = content?.schema;
  if (schema && typeof schema.$ref === 'string') return components.schemas[schema.$ref.split('/').pop() ?? ''];
  return schema;
}

/** Why `answer` (status, JSON text) does not conform to its route in `documented`, or undefined. */
export function nonConformance(
  documented: readonly DocumentedRoute[],
  method: string,
  pathname: string,
  status: number,
  text: string,
): string | undefined {
  const route = documented.find((r) => r.method === method && r.pattern.test(pathname));
  if (!route) return undefined;
  const validate = route.byStatus.get(String(status));
  if (!validate) return `${route.operation}: status ${status} is not documented`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `${route.operation}: status ${status} answered JSON that does not parse`;
  }
  if (validate(value)) return undefined;
  const e = validate.errors?.[0];
  return `${route.operation}: status ${status} does not conform: ${e?.instancePath || '/'} ${e?.message ?? ''} (${e?.schemaPath ?? ''})`;
}

/** `fetch` whose JSON answers of documented routes are checked against the platform's document. */
export function conforming(fetch: Fetch): Fetch {
  return async (req) => {
    const method = req.method;
    const { origin, pathname } = new URL(req.url);
    const res = await fetch(req);
    if (!(res.headers.get('content-type') ?? '').startsWith('application/json')) return res;
    const admin = pathname.startsWith('/admin/');
    const document = admin ? '/admin/openapi.json' : '/openapi.json';
    let routes = documents.get(document);
    if (!routes) {
      const headers = { Authorization: req.headers.get('authorization') ?? '' };
      const answer = await fetch(new Request(`${origin}${document}`, admin ? { headers } : {}));
      // Without the admin token the admin document is refused too: such an answer waits for the next
      // request that has the token to read the document by.
      if (admin && answer.status === 401) return res;
      routes = answer.json().then((doc) => compileDocument(doc as Json));
      documents.set(document, routes);
    }
    const problem = nonConformance(await routes, method, pathname, res.status, await res.clone().text());
    if (problem) throw new Error(`answer does not conform to ${document}: ${problem}`);
    return res;
  };
}
