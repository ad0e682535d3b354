import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface TwimlNode {
  name: string;
  attrs: Record<string, string>;
  /** The element's own text (a Say's words, a Redirect's URL, an Enqueue's queue name). */
  text: string;
  children: TwimlNode[];
}

export class TwimlError extends Error {}

// preserveOrder keeps the verbs in document order; values stay strings, as Twilio reads them.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

type Raw = Record<string, unknown>;

function toNode(raw: Raw): TwimlNode | null {
  const name = Object.keys(raw).find((k) => k !== ':@');
  if (!name || name.startsWith('?') || name === '#comment') return null;
  if (name === '#text') return { name, attrs: {}, text: String(raw['#text']), children: [] };
  const attrs = (raw[':@'] ?? {}) as Record<string, string>;
  const parts = (raw[name] ?? []) as Raw[];
  const all = parts.map(toNode).filter((n): n is TwimlNode => n !== null);
  return {
    name,
    attrs,
    text: all.filter((n) => n.name === '#text').map((n) => n.text).join(' ').trim(),
    children: all.filter((n) => n.name !== '#text'),
  };
}

/** The verbs of a TwiML document, in order. Throws TwimlError for anything Twilio would refuse (error 12100). */
export function parseTwiml(xml: string): TwimlNode[] {
  if (!xml.trim()) throw new TwimlError('empty TwiML document');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new TwimlError(`TwiML is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let raw: Raw[];
  try {
    raw = parser.parse(xml) as Raw[];
  } catch (err) {
    throw new TwimlError(`TwiML parse failure: ${(err as Error).message}`);
  }
  const root = raw.map(toNode).find((n) => n !== null && n.name !== '#text');
  if (!root || root.name !== 'Response') throw new TwimlError('TwiML root element must be <Response>');
  return root.children;
}
