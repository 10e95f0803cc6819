/** One walk over a page's DOM: every element's text statistics, and Readability's paragraph scores. */
import { isTag, isText, type AnyNode, type Document, type Element } from './dom.js';
import {
  BLOCK_TAGS,
  CHARS_PER_POINT,
  CJK_WEIGHT,
  CLASS_WEIGHT,
  HASH_LINK_WEIGHT,
  LEAF_PARAGRAPH_TAGS,
  MAX_LENGTH_POINTS,
  MAYBE_CANDIDATE,
  MIN_PARAGRAPH_CHARS,
  NEGATIVE,
  NEVER_CONTENT,
  NO_BR_PARAGRAPHS,
  NO_LOOSE_TEXT,
  PARAGRAPH_TAGS,
  POSITIVE,
  SCORED_ANCESTORS,
  SINGLE_P_MAX_LINK_DENSITY,
  TAG_SCORE,
  UNLIKELY,
  UNLIKELY_ROLES,
  PLAYER_URL,
  VIDEO_HOSTS,
  WHOLE_TEXT_MAX_LINK_DENSITY,
  WHOLE_TEXT_PARAGRAPHS,
} from './content-rules.js';

/** What one element holds, summed over its subtree, excluded subtrees left out. */
export interface Stats {
  /** Visible characters: non-space characters plus one per run of white space. */
  chars: number;
  /** `chars` with CJK characters counted CJK_WEIGHT times: a comparable amount of text. */
  weight: number;
  /** Characters inside links (hash links weighted). */
  linkChars: number;
  /** Commas and CJK clause marks: prose has them, navigation does not. */
  commas: number;
  /** Characters inside h1–h6. */
  headingChars: number;
  /** Characters inside list items. */
  listChars: number;
  paragraphs: number;
  images: number;
  listItems: number;
  embeds: number;
  /** Players of video and media hosts (content, unlike other embeds). */
  players: number;
  tables: number;
  /** Holds a block element somewhere below. */
  hasBlock: boolean;
}

export interface TextCount {
  chars: number;
  weight: number;
  commas: number;
}

/** countText's result, reused: the walk counts every text node of the page (no garbage per node). */
export const counted: TextCount = { chars: 0, weight: 0, commas: 0 };

/** One pass over a text node's characters: visible characters, CJK weight, comma-like marks (in `counted`, returned). */
export function countText(data: string): TextCount {
  let chars = 0,
    cjk = 0,
    commas = 0,
    space = true;
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13 || c === 12) {
      if (!space) {
        chars++;
        space = true;
      }
      continue;
    }
    space = false;
    chars++;
    // , ، ﹐ ︐ ︑ ⹁ ⸴ ⸲ ，(Readability's commas) and 、；。 which carry the same signal in Chinese.
    if (
      c === 0x2c ||
      c === 0x60c ||
      c === 0xfe50 ||
      c === 0xfe10 ||
      c === 0xfe11 ||
      c === 0x2e41 ||
      c === 0x2e34 ||
      c === 0x2e32 ||
      c === 0xff0c ||
      c === 0x3001 ||
      c === 0xff1b ||
      c === 0x3002
    )
      commas++;
    if (
      (c >= 0x3000 && c <= 0x9fff) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xff00 && c <= 0xffef) ||
      (c >= 0xac00 && c <= 0xd7af)
    )
      cjk++;
  }
  if (space && chars > 0) chars--; // trailing white space is not visible
  counted.chars = chars;
  counted.weight = chars + cjk * (CJK_WEIGHT - 1);
  counted.commas = commas;
  return counted;
}

/** Hidden by attribute or inline style: not shown, so not read (Readability's `_isProbablyVisible`). */
function isHidden(el: Element): boolean {
  if (el.attribs['hidden'] !== undefined || el.attribs['aria-hidden'] === 'true') return true;
  const style = el.attribs['style'];
  return style !== undefined && /display\s*:\s*none|visibility\s*:\s*hidden/i.test(style);
}

/** Readability's `_getClassWeight`: ±25 each for a positive or negative class and id. */
/** Elements that embed another document or a player. */
const EMBED_ELEMENTS = new Set(['iframe', 'embed', 'object', 'video', 'amp-iframe', 'amp-youtube', 'amp-video']);

/** A player of a video or media host (`VIDEO_HOSTS`, `PLAYER_URL`, `<video>`): content, not a widget. */
export function isPlayer(el: Element): boolean {
  if (!EMBED_ELEMENTS.has(el.name)) return false;
  if (el.name === 'video' || el.name === 'amp-youtube' || el.name === 'amp-video') return true;
  const src = el.attribs['src'] ?? el.attribs['data'] ?? '';
  return VIDEO_HOSTS.test(src) || PLAYER_URL.test(src);
}

export function classWeight(el: Element): number {
  let w = 0;
  for (const value of [el.attribs['class'], el.attribs['id']]) {
    if (!value) continue;
    if (NEGATIVE.test(value)) w -= CLASS_WEIGHT;
    if (POSITIVE.test(value)) w += CLASS_WEIGHT;
  }
  return w;
}

/** Class or id names a region that is never the article (Readability's unlikely candidates). */
export function isUnlikely(el: Element): boolean {
  const cls = el.attribs['class'],
    id = el.attribs['id'];
  if (cls === undefined && id === undefined) return false;
  const match = `${cls ?? ''} ${id ?? ''}`;
  return UNLIKELY.test(match) && !MAYBE_CANDIDATE.test(match);
}

/** An element as notes name it: tag, id and the start of its class list. */
export function describe(el: Element): string {
  const id = el.attribs['id'];
  const cls = el.attribs['class']?.trim().replace(/\s+/g, ' ');
  return `<${el.name}${id ? ` id="${id}"` : ''}${cls ? ` class="${cls.slice(0, 40)}"` : ''}>`;
}

/** Rules relaxed one at a time when the body found is too short (Readability's flags). */
export interface Flags {
  stripUnlikely: boolean;
  weightClasses: boolean;
  cleanConditionally: boolean;
}
export const ATTEMPTS: readonly Flags[] = [
  { stripUnlikely: true, weightClasses: true, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: true, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: false, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: false, cleanConditionally: false },
];

/** A paragraph to score: its text and the element that holds it. */
interface Paragraph {
  container: AnyNode | null;
  chars: number;
  commas: number;
  paragraph: Element | undefined;
}
/** An element during the walk: its statistics (kept afterwards) and the walk's state in it. */
interface Frame extends Stats {
  el: Element;
  /** Next child to visit. */
  i: number;
  inTable: boolean;
  /** The loose text being gathered (see Run$). */
  runChars: number;
  runCommas: number;
  /** The last thing seen was a <br> (white space aside). */
  lastBr: boolean;
  /** Held a <br><br> paragraph break. */
  breaks: boolean;
}

/** One page's statistics and raw scores, for one choice of regions left out (see Flags). */
export class Page {
  readonly stats = new Map<Element, Stats>();
  readonly scores = new Map<Element, number>();
  /** Elements left out by the first rules (hidden, unlikely): topmost ones only. */
  readonly excluded = new Set<Element>();
  /** Each scored element's class weight, included in `scores`; taken out again when class names are ignored. */
  readonly classWeights = new Map<Element, number>();
  private readonly paragraphs: Paragraph[] = [];
  constructor(
    readonly stripUnlikely: boolean,
    readonly title: string | undefined,
  ) {}

  linkDensity(el: Element): number {
    const s = this.stats.get(el);
    return s && s.chars > 0 ? s.linkChars / s.chars : 0;
  }

  private touch(el: Element): void {
    if (this.scores.has(el)) return;
    const weight = classWeight(el);
    this.classWeights.set(el, weight);
    this.scores.set(el, (TAG_SCORE[el.name] ?? 0) + weight);
  }

  /** Readability's paragraph score, given to the container and its ancestors. */
  /** A paragraph found during the walk; scored once the walk has every element's statistics. */
  private scoreParagraph(container: AnyNode | null, chars: number, commas: number, paragraph?: Element): void {
    if (chars >= MIN_PARAGRAPH_CHARS) this.paragraphs.push({ container, chars, commas, paragraph });
  }

  /** Readability's paragraph score: one, one more per comma-separated piece, one per 100 characters up to 3. */
  private score({ container, chars, commas, paragraph }: Paragraph): void {
    // A <div> wrapping nothing but this <p> is the paragraph itself (Readability replaces it by the
    // <p>): the paragraph belongs to the div's parent, as it would without the wrapper.
    if (
      paragraph &&
      container &&
      isTag(container) &&
      container.name === 'div' &&
      this.onlyChild(container, paragraph) &&
      this.linkDensity(container) < SINGLE_P_MAX_LINK_DENSITY
    )
      container = container.parent;
    const points = 2 + commas + Math.min(Math.floor(chars / CHARS_PER_POINT), MAX_LENGTH_POINTS);
    let level = 0;
    for (let el = container; el && isTag(el) && level < SCORED_ANCESTORS; el = el.parent, level++) {
      // The root element is the whole page, never a candidate (Readability skips it too).
      if (!el.parent || (!isTag(el.parent) && el.name === 'html')) break;
      this.touch(el);
      const divider = level === 0 ? 1 : level === 1 ? 2 : level * 3;
      this.scores.set(el, this.scores.get(el)! + points / divider); // touched just above
    }
  }

  private onlyChild(parent: Element, child: Element): boolean {
    const p = this.stats.get(parent),
      c = this.stats.get(child);
    if (!p || !c || p.chars !== c.chars) return false;
    for (const n of parent.children) if (n !== child && isTag(n) && this.stats.has(n)) return false;
    return true;
  }

  private leaveOut(el: Element, insideTable: boolean): boolean {
    if (NEVER_CONTENT.has(el.name) || isHidden(el)) return true;
    if (!this.stripUnlikely || el.name === 'body' || el.name === 'a' || el.name === 'html') return false;
    const role = el.attribs['role'];
    if (role !== undefined && UNLIKELY_ROLES.has(role)) return true;
    // Layout tables name their cells anything; Readability keeps what is inside tables while
    // scoring (the body found is cleaned of such regions later, see Cleaner).
    return !insideTable && isUnlikely(el);
  }

  /** The one walk: statistics bottom-up, paragraphs scored as their element closes. */
  walk(doc: Document): void {
    const stack: Frame[] = [];
    const open = (el: Element, inTable: boolean): void => {
      stack.push({
        chars: 0,
        weight: 0,
        linkChars: 0,
        commas: 0,
        headingChars: 0,
        listChars: 0,
        paragraphs: 0,
        images: 0,
        listItems: 0,
        embeds: 0,
        players: 0,
        tables: 0,
        hasBlock: false,
        el,
        i: 0,
        inTable: inTable || el.name === 'table',
        runChars: 0,
        runCommas: 0,
        lastBr: false,
        breaks: false,
      });
    };
    const roots = doc.children.filter(isTag);
    for (const top of roots) {
      if (this.leaveOut(top, false)) continue;
      open(top, false);
      while (stack.length > 0) {
        const f = stack[stack.length - 1]!; // non-empty: checked by the loop condition
        const kids = f.el.children;
        if (f.i < kids.length) {
          const child = kids[f.i++]!; // in range: checked above
          if (isText(child)) {
            const t = countText(child.data);
            if (t.chars === 0) continue;
            f.lastBr = false;
            f.chars += t.chars;
            f.weight += t.weight;
            f.commas += t.commas;
            if (f.el.name === 'a') f.linkChars += t.chars * linkWeight(f.el);
            f.runChars += t.chars;
            f.runCommas += t.commas;
          } else if (isTag(child)) {
            if (child.name === 'br') {
              // <br><br> is a paragraph break (Readability's `_replaceBrs`): the element holds paragraphs.
              if (f.lastBr && !NO_BR_PARAGRAPHS.has(f.el.name)) {
                f.breaks = true;
                this.looseRun(f);
              }
              f.lastBr = true;
              continue;
            }
            if (this.leaveOut(child, f.inTable)) {
              this.excluded.add(child);
              // Players and widgets are judged by count when cleaning; known video hosts are content.
              if (isPlayer(child)) f.players++;
              else if (EMBED_ELEMENTS.has(child.name)) f.embeds++;
              continue;
            }
            open(child, f.inTable);
          }
          continue;
        }
        stack.pop();
        this.close(f);
        const parent = stack[stack.length - 1];
        if (parent) this.merge(parent, f);
      }
    }
    for (const p of this.paragraphs) this.score(p);
  }

  /** An element's statistics are complete: record them and score it as a paragraph if it is one. */
  private close(f: Frame): void {
    const { el, breaks } = f;
    const s: Stats = f;
    this.stats.set(el, s);
    const name = el.name;
    if (
      WHOLE_TEXT_PARAGRAPHS.has(name) &&
      (breaks || s.hasBlock) &&
      s.linkChars <= WHOLE_TEXT_MAX_LINK_DENSITY * s.chars
    ) {
      // Readability scores every <section> (and <td>) as one paragraph of all its text, blocks and
      // all: a section of prose lifts the article that holds it. Not for <td>: with a comma every
      // few characters, a Chinese cell of article and comments lifted the whole layout row,
      // sidebar included (zh bench, 2026-11-26). Not for sections of links (teaser lists).
      this.scoreParagraph(el.parent, s.chars, s.commas);
    }
    if (breaks) {
      // Paragraphs made by <br><br>: this element is their container, like one holding <p>s.
      this.looseRun(f);
      s.hasBlock = true;
    } else if (PARAGRAPH_TAGS.has(name) || (!s.hasBlock && LEAF_PARAGRAPH_TAGS.has(name))) {
      if (name === 'p') s.paragraphs++;
      if (!PARAGRAPH_TAGS.has(name) && s.chars > 0) s.paragraphs++;
      this.scoreParagraph(el.parent, s.chars, s.commas, name === 'p' ? el : undefined);
    } else if (s.hasBlock && !NO_LOOSE_TEXT.has(name)) {
      // Text between blocks: the last run (earlier runs were scored when a block interrupted them).
      this.looseRun(f);
    }
    if (name === 'h1' || name === 'h2' || name === 'h3' || name === 'h4' || name === 'h5' || name === 'h6')
      s.headingChars = s.chars;
    if (name === 'li') {
      s.listItems++;
      s.listChars = s.chars;
    }
    if (name === 'img' || name === 'amp-img' || name === 'amp-anim') s.images++;
    if (name === 'table') s.tables++;
    if (BLOCK_TAGS.has(name)) s.hasBlock = true; // for the parent: this child is a block
  }

  private looseRun(f: Frame): void {
    if (f.runChars > 0) {
      f.paragraphs++;
      this.scoreParagraph(f.el, f.runChars, f.runCommas);
    }
    f.runChars = 0;
    f.runCommas = 0;
  }

  /** A child's statistics into its parent's; a block child ends the parent's loose text run. */
  private merge(p: Frame, c: Frame): void {
    const child = c.el;
    if (c.chars > 0 || c.images > 0) p.lastBr = false;
    p.chars += c.chars;
    p.weight += c.weight;
    p.commas += c.commas;
    p.headingChars += c.headingChars;
    p.listChars += c.listChars;
    p.linkChars += child.name === 'a' ? c.chars * linkWeight(child) : c.linkChars;
    p.paragraphs += c.paragraphs;
    p.images += c.images;
    p.listItems += c.listItems;
    p.embeds += c.embeds;
    p.players += c.players;
    p.tables += c.tables;
    if (c.hasBlock) {
      p.hasBlock = true;
      // A block ends the loose text before it: that text was a paragraph of its own.
      if (!NO_LOOSE_TEXT.has(p.el.name)) this.looseRun(p);
    } else {
      p.runChars += c.chars;
      p.runCommas += c.commas;
    }
  }
}

/** How much a link's text counts as link text. */
function linkWeight(a: Element): number {
  const href = a.attribs['href'] ?? '';
  // A script in place of a link leads nowhere: its text is text (Readability turns `javascript:`
  // links into plain text, and so does the block builder).
  if (JAVASCRIPT_HREF.test(href)) return 0;
  return href.startsWith('#') ? HASH_LINK_WEIGHT : 1;
}

const JAVASCRIPT_HREF = /^\s*javascript:/i;

/** Element children that count (not left out of the statistics). */
export function elementChildren(page: Page, el: Element): Element[] {
  return el.children.filter((c): c is Element => isTag(c) && page.stats.has(c));
}
