import { XMLParser } from 'fast-xml-parser';
import { XmlFormatError } from './errors/xml-format-error.js';

// APIv2 bodies: a flat `<xml>` element whose children are all strings. Parsing refuses DTDs and every
// entity but the five XML predefines, decodes those and numeric character references, keeps every
// value a string ("0123" stays "0123") and accepts CDATA.

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

const FORBIDDEN = /<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i;
const ROOT = /^\s*(?:<\?xml[^?]*\?>\s*)?<xml>[\s\S]*<\/xml>\s*$/;
// Anything XML 1.0 does not allow as a character (the `Char` production): C0 controls but TAB, LF and
// CR, lone surrogates, U+FFFE and U+FFFF.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
const CDATA_SECTION = /(<!\[CDATA\[[\s\S]*?\]\]>)/;
const REFERENCE = /&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));|&/g;
const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Parses a v2 XML document into `{field: string}`. Throws {@link XmlFormatError} on anything else. */
export function parseXml(text: string): Record<string, string> {
  if (typeof text !== 'string' || !ROOT.test(text)) throw new XmlFormatError('the body is not an <xml> document');
  if (FORBIDDEN.test(stripCdata(text))) {
    throw new XmlFormatError('DTDs and entity declarations are not accepted');
  }
  if (NOT_XML_CHAR.test(text)) throw new XmlFormatError('the document holds a character that XML does not allow');
  const resolved = resolveReferences(text);
  let doc: unknown;
  try {
    doc = parser.parse(resolved, true);
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

/**
 * The document with every character reference and predefined entity outside CDATA replaced by a CDATA
 * section holding the character it stands for, so that the parser (which expands no entity) reads
 * the decoded text. Any other `&` (another entity, a malformed reference, a bare ampersand) is refused.
 */
function resolveReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text
    .split(CDATA_SECTION)
    .map((part, i) =>
      i % 2 === 1 ? part : part.replace(REFERENCE, (_, name, dec, hex) => cdata(referenced(name, dec, hex))),
    )
    .join('');
}

function referenced(name: string | undefined, dec: string | undefined, hex: string | undefined): string {
  if (name) return PREDEFINED[name] as string;
  if (dec === undefined && hex === undefined)
    throw new XmlFormatError(
      'no entity is accepted but &amp; &lt; &gt; &quot; &apos; and character references (&#65; &#x41;)',
    );
  const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex as string, 16);
  const char = code <= 0x10ffff ? String.fromCodePoint(code) : '';
  if (char === '' || NOT_XML_CHAR.test(char) || (code >= 0xd800 && code <= 0xdfff))
    throw new XmlFormatError(`character reference &#${dec ?? `x${hex}`}; names a character that XML does not allow`);
  return char;
}

function stripCdata(s: string): string {
  return s.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
}
