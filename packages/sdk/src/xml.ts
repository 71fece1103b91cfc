import { XMLParser } from 'fast-xml-parser';
import { XmlFormatError } from './errors/xml-format-error.js';

// APIv2 bodies: a flat `<xml>` element whose children are all strings. Parsing refuses DTDs and
// entities outright, keeps every value a string ("0123" stays "0123") and accepts CDATA.

export { XmlFormatError };

const parser = new XMLParser({
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: false,
  isArray: () => false,
});

const FORBIDDEN = /<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST|&[A-Za-z_][\w.-]*;|&#/i;
const ROOT = /^\s*(?:<\?xml[^?]*\?>\s*)?<xml>[\s\S]*<\/xml>\s*$/;

/** Parses a v2 XML document into `{field: string}`. Throws {@link XmlFormatError} on anything else. */
export function parseXml(text: string): Record<string, string> {
  if (typeof text !== 'string' || !ROOT.test(text)) throw new XmlFormatError('the body is not an <xml> document');
  if (FORBIDDEN.test(stripCdata(text))) {
    throw new XmlFormatError('DTDs, entity declarations and entity references are not accepted');
  }
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch (cause) {
    throw new XmlFormatError(`malformed XML: ${(cause as Error).message}`, { cause });
  }
  const root = (doc as { xml?: unknown }).xml;
  if (root === '' || root === undefined) return {};
  if (typeof root !== 'object' || root === null) throw new XmlFormatError('the <xml> element holds no fields');
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(root)) {
    if (Array.isArray(v)) throw new XmlFormatError(`field <${k}> appears more than once`);
    if (v !== null && typeof v === 'object') throw new XmlFormatError(`field <${k}> must hold text, not elements`);
    out[k] = v === null || v === undefined ? '' : String(v);
  }
  return out;
}

const NEEDS_CDATA = /[<>&'"]/;

/** Serializes `{field: value}` as `<xml>…</xml>`, CDATA-wrapping values that need it. Empty values are kept. */
export function buildXml(fields: Readonly<Record<string, unknown>>): string {
  let out = '<xml>';
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null) continue;
    if (!/^[A-Za-z_][\w.-]*$/.test(k)) throw new XmlFormatError(`invalid field name: ${k}`);
    const s = String(v);
    out += `<${k}>${NEEDS_CDATA.test(s) ? cdata(s) : s}</${k}>`;
  }
  return `${out}</xml>`;
}

function cdata(s: string): string {
  return `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function stripCdata(s: string): string {
  return s.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
}
