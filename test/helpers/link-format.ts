/**
 * A strict parser of CoRE link-format (RFC 6690 §2), written from the RFC's ABNF for the tests
 * and independent of salvage's writer (src/reader/memento-links.ts): it reads TimeMaps and
 * `Link` header values and throws on anything the grammar does not allow, white space included.
 *
 *   Link            = link-value-list
 *   link-value-list = [ link-value *[ "," link-value ]]
 *   link-value      = "<" URI-Reference ">" *( ";" link-param )
 *   link-param      = ( "rel" "=" relation-types ) / ( "anchor" "=" DQUOTE URI-Reference DQUOTE )
 *                   / ( "rev" "=" relation-types ) / ( "title" "=" quoted-string )
 *                   / ( "type" "=" ( media-type / quoted-mt ) ) / … / link-extension
 *   link-extension  = ( parmname [ "=" ( ptoken / quoted-string ) ] )
 *   relation-types  = relation-type / DQUOTE relation-type *( 1*SP relation-type ) DQUOTE
 *   relation-type   = reg-rel-type / ext-rel-type
 *   reg-rel-type    = LOALPHA *( LOALPHA / DIGIT / "." / "-" )
 *   parmname        = 1*attr-char                                  (RFC 5987 §3.2.1)
 *   ptoken          = 1*ptokenchar
 *   quoted-string   = DQUOTE *( qdtext / quoted-pair ) DQUOTE     (RFC 2616 §2.2)
 *
 * URI-Reference (RFC 3986 §4.1) is checked for its characters: unreserved, reserved, and `%`
 * followed by two hex digits; nothing else may appear between `<` and `>`.
 */

export interface ParsedLink {
  /** The URI-Reference between `<` and `>`, as written. */
  target: string;
  /** The relation types of `rel`, split on spaces (empty without `rel`). */
  rel: string[];
  /** Every parameter, by name, with its value unquoted (`''` for a parameter without a value). */
  params: Record<string, string>;
}

const URI_CHARACTER = /[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]/;
const HEX = /[0-9A-Fa-f]/;
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;
const PTOKEN_CHAR = /[!#$%&'()*+\-./0-9:<=>?@A-Za-z[\]^_`{|}~]/;
const REG_REL_TYPE = /^[a-z][a-z0-9.-]*$/;
/** RFC 2616 TEXT without `"`: any octet but the controls (LWS allowed: SP and HT). */
const QDTEXT = /[^"\u0000-\u0008\u000a-\u001f\u007f]/;
/** media-type = type "/" subtype (RFC 2616 §3.7 tokens); parameters are not used by link-format here. */
const MEDIA_TYPE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export class LinkFormatError extends Error {}

export function parseLinkFormat(text: string): ParsedLink[] {
  let at = 0;
  const fail = (what: string): never => {
    throw new LinkFormatError(`${what} at offset ${at}: ${JSON.stringify(text.slice(at, at + 40))}`);
  };
  const expect = (c: string): void => {
    if (text[at] !== c) fail(`expected ${JSON.stringify(c)}`);
    at++;
  };
  const uriReference = (end: string): string => {
    const start = at;
    while (at < text.length && text[at] !== end) {
      const c = text[at]!;
      if (c === '%') {
        if (!HEX.test(text[at + 1] ?? '') || !HEX.test(text[at + 2] ?? ''))
          fail('a "%" not followed by two hex digits');
        at += 3;
      } else if (URI_CHARACTER.test(c)) at++;
      else fail(`a character a URI-Reference cannot hold (${JSON.stringify(c)})`);
    }
    return text.slice(start, at);
  };
  const quotedString = (): string => {
    expect('"');
    let value = '';
    while (text[at] !== '"') {
      if (at >= text.length) fail('an unterminated quoted-string');
      if (text[at] === '\\') {
        const next = text[at + 1];
        if (next === undefined || next.charCodeAt(0) > 127) fail('a quoted-pair without a CHAR');
        value += next;
        at += 2;
      } else if (QDTEXT.test(text[at]!)) value += text[at++];
      else fail('a control character in a quoted-string');
    }
    at++;
    return value;
  };
  const run = (allowed: RegExp): string => {
    const start = at;
    while (at < text.length && allowed.test(text[at]!)) at++;
    if (at === start) fail('an empty token');
    return text.slice(start, at);
  };
  const relationTypes = (): string[] => {
    if (text[at] !== '"') return [relationType(run(/[^;,"\s]/))];
    const value = quotedString();
    if (!/^\S+(?: +\S+)*$/.test(value)) fail('relation types not separated by single spaces');
    return value.split(/ +/).map(relationType);
  };
  const relationType = (t: string): string => {
    // ext-rel-type is a URI: an absolute one, with a scheme.
    if (!REG_REL_TYPE.test(t) && !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(t))
      fail(`${JSON.stringify(t)} is no relation type`);
    return t;
  };

  const links: ParsedLink[] = [];
  if (text === '') return links;
  for (;;) {
    expect('<');
    const target = uriReference('>');
    expect('>');
    const link: ParsedLink = { target, rel: [], params: {} };
    while (text[at] === ';') {
      at++;
      const name = run(ATTR_CHAR).toLowerCase();
      if (name in link.params) fail(`a second ${name} parameter`);
      if (text[at] !== '=') {
        link.params[name] = '';
        continue;
      }
      at++;
      if (name === 'rel' || name === 'rev') {
        const types = relationTypes();
        link.params[name] = types.join(' ');
        if (name === 'rel') link.rel = types;
      } else if (name === 'anchor') {
        expect('"');
        link.params[name] = uriReference('"');
        expect('"');
      } else if (name === 'type') {
        const value = text[at] === '"' ? quotedString() : run(/[^;,"]/);
        if (!MEDIA_TYPE.test(value)) fail(`${JSON.stringify(value)} is no media type`);
        link.params[name] = value;
      } else link.params[name] = text[at] === '"' ? quotedString() : run(PTOKEN_CHAR);
    }
    links.push(link);
    if (at === text.length) return links;
    expect(',');
  }
}

/**
 * The text of the bytes a URL names: each `%XX` its byte, every other character its UTF-8 bytes,
 * all read as UTF-8. Two spellings of one URL, percent-escaped or not, give the same text.
 */
export function decodePercent(text: string): string {
  const bytes: number[] = [];
  const utf8 = new TextEncoder();
  for (let i = 0; i < text.length;) {
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const c = String.fromCodePoint(text.codePointAt(i)!); // i < length: a code point is there
      bytes.push(...utf8.encode(c));
      i += c.length;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
