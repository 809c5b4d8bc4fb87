import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * XML from outside is untrusted. E-invoices never need a DTD, so any `<!DOCTYPE` or `<!ENTITY` is
 * refused before a parser sees the text: that closes XXE (external entities reading local files or
 * URLs) and entity-expansion bombs (billion laughs) without depending on a parser's own defences.
 * The parser is still configured to expand nothing, keep every value as text (amounts stay exact
 * decimal strings, never floats) and cap nesting; the byte size is capped before reading.
 */

export class UnsafeXmlError extends Error {}

export const MAX_XML_BYTES = 10 * 1024 * 1024;
const MAX_DEPTH = 64;

export type XmlNode = { [key: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Resolves the five predefined entities and character references, nothing else. */
export function decodeXmlText(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (m, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return PREDEFINED[ref] ?? m;
  });
}

/** Decodes the bytes per the XML declaration (UTF-8 unless it says ISO-8859-1 / windows-1252). */
export function decodeXmlBytes(bytes: Uint8Array): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  if (declared && declared !== 'utf-8' && declared !== 'utf8') {
    if (!['iso-8859-1', 'latin1', 'windows-1252', 'cp1252', 'us-ascii'].includes(declared)) {
      throw new UnsafeXmlError(`unsupported XML encoding "${declared}" (expected UTF-8)`);
    }
    return new TextDecoder(declared === 'us-ascii' ? 'windows-1252' : declared).decode(bytes);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new UnsafeXmlError('the document is not valid UTF-8');
  }
}

export function assertSafeXml(text: string, sizeBytes: number, maxBytes = MAX_XML_BYTES, what = 'e-invoices'): void {
  if (sizeBytes > maxBytes) throw new UnsafeXmlError(`document is ${sizeBytes} bytes, over the limit of ${maxBytes}`);
  if (/<!DOCTYPE/i.test(text)) {
    throw new UnsafeXmlError(`DOCTYPE declarations are not allowed in ${what} (risk of external entities / entity expansion)`);
  }
  if (/<!ENTITY/i.test(text)) throw new UnsafeXmlError(`ENTITY declarations are not allowed in ${what}`);
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
  textNodeName: '#text',
  tagValueProcessor: (_name: string, value: string) => decodeXmlText(value),
  attributeValueProcessor: (_name: string, value: string) => decodeXmlText(value),
});

/** Parses an untrusted document into plain objects (namespace prefixes removed, all values text). */
export function parseUntrustedXml(bytes: Uint8Array, maxBytes = MAX_XML_BYTES, what = 'e-invoices'): XmlNode {
  if (bytes.length > maxBytes) throw new UnsafeXmlError(`document is ${bytes.length} bytes, over the limit of ${maxBytes}`);
  const text = decodeXmlBytes(bytes);
  assertSafeXml(text, bytes.length, maxBytes, what);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new UnsafeXmlError(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  try {
    return parser.parse(text) as XmlNode;
  } catch (e) {
    throw new UnsafeXmlError(`not well-formed XML: ${(e as Error).message}`);
  }
}

// ---- small accessors over the parsed tree (elements may be a value, an object or an array) ----

export function asArray(v: XmlValue | undefined): XmlValue[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Follows a path of element names; repeated elements fan out. */
export function all(node: XmlValue | undefined, ...path: string[]): XmlValue[] {
  let cur = asArray(node);
  for (const name of path) {
    cur = cur.flatMap((n) => (typeof n === 'object' && !Array.isArray(n) ? asArray((n as XmlNode)[name]) : []));
  }
  return cur;
}

export function text(v: XmlValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v.trim() || undefined;
  if (Array.isArray(v)) return text(v[0]);
  const t = v['#text'];
  return typeof t === 'string' ? t.trim() || undefined : undefined;
}

export function attr(v: XmlValue | undefined, name: string): string | undefined {
  if (v === undefined || typeof v === 'string' || Array.isArray(v)) return undefined;
  const a = v[`@${name}`];
  return typeof a === 'string' ? a : undefined;
}

export function first(node: XmlValue | undefined, ...path: string[]): string | undefined {
  for (const v of all(node, ...path)) {
    const t = text(v);
    if (t !== undefined) return t;
  }
  return undefined;
}
