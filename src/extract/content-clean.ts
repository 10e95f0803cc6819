/** Cleaning inside a chosen body (Readability's `_prepArticle`), and chrome at either end of its blocks. */
import { inlineText, type Block } from './article.js';
import { hasTextDate } from './dates.js';
import { isTag, isText, type AnyNode, type Element } from './dom.js';
import {
  AD_OR_LOADING,
  BLOCK_TAGS,
  SUBSCRIPTION_BOX,
  SUBSCRIPTION_BOX_MAX_CHARS,
  BYLINE,
  CLASS_WEIGHT,
  CLEANED_CONDITIONALLY,
  DATA_TABLE_CELLS,
  DATA_TABLE_COLUMNS,
  DATA_TABLE_ROWS,
  EMBED_MAX_CHARS,
  HEADING_SHARE,
  LIST_SHARE,
  MAX_BYLINE_CHARS,
  MAX_LINK_DENSITY,
  MAX_LINK_DENSITY_POSITIVE,
  MIN_PARAGRAPH_CHARS,
  NEVER_CONTENT,
  PROSE_COMMAS,
  SENTENCE_END,
  SHARE,
  SHARE_MAX_CHARS,
  TITLE_SIMILARITY,
} from './content-rules.js';
import {
  classWeight,
  elementChildren,
  isPlayer,
  isUnlikely,
  type Flags,
  type Page,
  type Stats,
} from './content-page.js';

/** Text of some nodes, leaving out what is never content. */
export function textOfNodes(nodes: readonly AnyNode[]): string {
  let out = '';
  const stack = [...nodes].reverse();
  while (stack.length > 0) {
    const n = stack.pop()!; // non-empty: checked by the loop condition
    if (isText(n)) out += n.data;
    else if (isTag(n) && !NEVER_CONTENT.has(n.name))
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}

/**
 * The most nodes read for a short-text check (a repeated title, an ad label). Such an element is
 * a few nodes; reading the whole subtree of each candidate would cost the page's size times its
 * depth on a page whose short-text element wraps everything (a flattened hostile nest of 200,000
 * elements: 255 ancestors × 200,000 nodes, 11 s). Past the budget the element is not that label.
 */
export const SHORT_TEXT_MAX_NODES = 200;

/** The text of an element of few nodes (see SHORT_TEXT_MAX_NODES); undefined when it has more. */
export function shortTextOf(el: Element): string | undefined {
  let out = '';
  let budget = SHORT_TEXT_MAX_NODES;
  const stack: AnyNode[] = [el];
  while (stack.length > 0) {
    if (--budget < 0) return undefined;
    const n = stack.pop()!; // non-empty: checked by the loop condition
    if (isText(n)) out += n.data;
    else if (isTag(n) && !NEVER_CONTENT.has(n.name)) {
      if (stack.length + n.children.length > budget) return undefined;
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    }
  }
  return out;
}

/** Readability's `_prepArticle`, as a set of elements to leave out rather than DOM surgery. */
export class Cleaner {
  readonly dropped = new Set<Element>();
  private titleDropped = false;
  private bylineDropped = false;
  private readonly dataTables = new Map<Element, boolean>();

  constructor(
    private readonly page: Page,
    private readonly flags: Flags,
  ) {}

  clean(root: Element): void {
    let inTableRoot = false;
    for (let p: AnyNode | null = root; p && isTag(p); p = p.parent)
      if (p.name === 'table') {
        inTableRoot = true;
        break;
      }
    const stack: { el: Element; inFigure: boolean; inDataTable: boolean; inTable: boolean }[] = [
      { el: root, inFigure: root.name === 'figure', inDataTable: false, inTable: inTableRoot },
    ];
    while (stack.length > 0) {
      const { el, inFigure, inDataTable, inTable } = stack.pop()!; // non-empty: checked by the loop condition
      for (let i = el.children.length - 1; i >= 0; i--) {
        const child = el.children[i]!; // in range
        if (!isTag(child)) continue;
        if (!this.page.stats.has(child)) {
          // Hidden, unlikely or never content: out of the scoring, so out of the body.
          // Players are left out of scoring (they have no text) but are the article's own.
          if (this.page.excluded.has(child) && !isPlayer(child)) this.dropped.add(child);
          continue;
        }
        const why = this.dropReason(child, inFigure, inDataTable, inTable);
        if (why) {
          this.dropped.add(child);
          continue;
        }
        stack.push({
          el: child,
          inFigure: inFigure || child.name === 'figure',
          inDataTable: inDataTable || (child.name === 'table' && this.isDataTable(child)),
          inTable: inTable || child.name === 'table',
        });
      }
    }
  }

  private dropReason(el: Element, inFigure: boolean, inDataTable: boolean, inTable: boolean): string | undefined {
    const page = this.page;
    const s = page.stats.get(el)!; // callers check
    const name = el.name;
    // Footers and asides inside an article are its chrome: bios, promos, pull-outs of other stories.
    if (name === 'footer' || name === 'aside' || name === 'nav') return 'chrome tag';
    // Comments and footers inside a table-laid-out body were spared while scoring (see Page.leaveOut).
    if (this.flags.stripUnlikely && inTable && BLOCK_TAGS.has(name) && isUnlikely(el))
      return 'unlikely region in a layout table';
    const match = `${el.attribs['class'] ?? ''} ${el.attribs['id'] ?? ''}`;
    if (match.length > 1 && SHARE.test(match) && s.chars < SHARE_MAX_CHARS) return 'share bar';
    if (
      CLEANED_CONDITIONALLY.has(name) &&
      s.chars > 0 &&
      s.chars < SUBSCRIPTION_BOX_MAX_CHARS &&
      SUBSCRIPTION_BOX.test(shortTextOf(el) ?? '')
    )
      return 'subscription box';
    if (
      !this.bylineDropped &&
      s.chars > 0 &&
      s.chars < MAX_BYLINE_CHARS &&
      (el.attribs['rel'] === 'author' || (el.attribs['itemprop'] ?? '').includes('author') || BYLINE.test(match))
    ) {
      this.bylineDropped = true;
      return 'byline';
    }
    if (name === 'h1' || name === 'h2') {
      if (this.flags.weightClasses && classWeight(el) < 0) return 'heading named like chrome';
      if (!this.titleDropped && page.title && similarity(page.title, shortTextOf(el) ?? '') > TITLE_SIMILARITY) {
        this.titleDropped = true;
        return 'title repeated';
      }
    }
    // An element that says only "廣告" / "Advertisement" is an ad slot's label, whatever the flags.
    if (
      BLOCK_TAGS.has(name) &&
      s.chars > 0 &&
      s.chars <= 20 &&
      s.images === 0 &&
      AD_OR_LOADING.test((shortTextOf(el) ?? '').trim())
    )
      return 'ad label';
    if (!this.flags.cleanConditionally || inDataTable) return undefined;
    if (!CLEANED_CONDITIONALLY.has(name)) return undefined;
    if (name === 'table' && this.isDataTable(el)) return undefined;
    if (s.tables > 0 && this.holdsDataTable(el)) return undefined;
    const weight = this.flags.weightClasses ? classWeight(el) : 0;
    if (weight < 0) return 'named like chrome';
    const isList = name === 'ul' || (s.chars > 0 && s.listChars / s.chars > LIST_SHARE);
    const linkDensity = page.linkDensity(el);
    // Chinese headline lists carry a comma per teaser line: commas make prose only when most text is not links.
    if (s.commas >= PROSE_COMMAS && linkDensity <= MAX_LINK_DENSITY_POSITIVE) return undefined;
    const reasons: string[] = [];
    if (!inFigure && s.images > 1 && s.paragraphs / s.images < 0.5) reasons.push('more images than text');
    if (
      !isList &&
      !inFigure &&
      s.headingChars < HEADING_SHARE * s.chars &&
      s.chars < MIN_PARAGRAPH_CHARS &&
      (s.images === 0 || s.images > 2) &&
      linkDensity > 0
    )
      reasons.push('short and linked');
    if (!isList && weight < CLASS_WEIGHT && linkDensity > MAX_LINK_DENSITY) reasons.push('link-dense');
    if (weight >= CLASS_WEIGHT && linkDensity > MAX_LINK_DENSITY_POSITIVE) reasons.push('link-dense');
    if ((s.embeds === 1 && s.chars < EMBED_MAX_CHARS) || s.embeds > 1) reasons.push('embeds');
    if (s.images === 0 && s.chars === 0 && s.embeds === 0 && s.players === 0) reasons.push('empty');
    if (reasons.length === 0) return undefined;
    // A list of images (one image per item) is a gallery, not chrome (Readability).
    if (
      isList &&
      el.children.every((c) => !isTag(c) || elementChildren(page, c).length <= 1) &&
      s.images === s.listItems
    )
      return undefined;
    return reasons[0];
  }

  /** Readability's `_markDataTables`: tables of data, as opposed to layout. */
  isDataTable(table: Element): boolean {
    let known = this.dataTables.get(table);
    if (known !== undefined) return known;
    // A table that is mostly links is a headline list laid out in rows, whatever its size.
    known = this.page.linkDensity(table) <= MAX_LINK_DENSITY_POSITIVE && judgeTable(table, this.page.stats.get(table));
    this.dataTables.set(table, known);
    return known;
  }

  /**
   * Remembered per element: asked of every element holding a table, an unremembered walk read each
   * subtree once per ancestor (a flattened nest of 100,000 tables: 6 s). Recursion is bounded by
   * the parse depth cap (dom.ts MAX_DEPTH).
   */
  private readonly holdsData = new Map<Element, boolean>();

  private holdsDataTable(el: Element): boolean {
    const known = this.holdsData.get(el);
    if (known !== undefined) return known;
    let holds = false;
    for (const c of el.children) {
      if (!isTag(c)) continue;
      if (c.name === 'table' && this.isDataTable(c)) {
        holds = true;
        break;
      }
      if ((this.page.stats.get(c)?.tables ?? 0) > 0 && this.holdsDataTable(c)) {
        holds = true;
        break;
      }
    }
    this.holdsData.set(el, holds);
    return holds;
  }
}

function judgeTable(table: Element, s: Stats | undefined): boolean {
  if (table.attribs['role'] === 'presentation' || table.attribs['datatable'] === '0') return false;
  if (table.attribs['summary'] || table.attribs['datatable'] === '1') return true;
  if (s && s.tables > 1) return false; // a table of tables is layout
  let rows = 0,
    columns = 0;
  const visit = (parent: Element): void => {
    for (const c of parent.children) {
      if (!isTag(c)) continue;
      if (c.name === 'thead' || c.name === 'tbody' || c.name === 'tfoot') visit(c);
      else if (c.name === 'tr') {
        rows++;
        let cells = 0;
        for (const cell of c.children)
          if (isTag(cell) && (cell.name === 'td' || cell.name === 'th'))
            cells += Number.parseInt(cell.attribs['colspan'] ?? '1', 10) || 1;
        columns = Math.max(columns, cells);
      }
    }
  };
  for (const c of table.children)
    if (
      isTag(c) &&
      (c.name === 'caption' || c.name === 'thead' || c.name === 'tfoot' || c.name === 'colgroup' || c.name === 'col')
    )
      return true;
  visit(table);
  if (rows === 1 || columns === 1) return false;
  return rows >= DATA_TABLE_ROWS || columns > DATA_TABLE_COLUMNS || rows * columns > DATA_TABLE_CELLS;
}

/**
 * Texts compared for similarity are cut to this: they are titles and heading lines (titles are
 * cut to 1,000 characters anyway, limits.ts), and splitting a 2,000,000-character `<title>` into
 * per-character tokens took seconds of allocation.
 */
const SIMILARITY_MAX_CHARS = 2_000;

/** Readability's `_textSimilarity`: the share of B's words also in A (characters for unspaced CJK). */
function similarity(a: string, b: string): number {
  if (a.length > SIMILARITY_MAX_CHARS) a = a.slice(0, SIMILARITY_MAX_CHARS);
  if (b.length > SIMILARITY_MAX_CHARS) b = b.slice(0, SIMILARITY_MAX_CHARS);
  const tokens = (s: string): string[] => {
    const t = s
      .toLowerCase()
      .split(/[\s\p{P}]+/u)
      .filter((x) => x !== '');
    return t.flatMap((w) => (/[\u3000-\u9fff]/.test(w) ? [...w] : [w]));
  };
  const ta = new Set(tokens(a));
  const tb = tokens(b);
  if (ta.size === 0 || tb.length === 0) return 0;
  const unique = tb.filter((w) => !ta.has(w));
  return 1 - unique.join(' ').length / tb.join(' ').length;
}

// ---------- trailing chrome, in blocks ----------

/**
 * Lines a page puts after the article that are navigation, not text: pagination between articles,
 * print/close/back buttons, share prompts, "related" and comment headers, in Chinese and English.
 * Not bylines, sources or editor credits (责任编辑, 来源): human-made truth keeps those half the
 * time (zh bench, 2026-11-26), so they stay.
 */
export const TRAILING_CHROME =
  /^[\s【\[［(（<«]*(?:上一篇|下一篇|上一页|下一页|上篇|下篇|返回(?:首页|顶部|列表|目录)?|打印(?:本页|此文|本文)?|关闭(?:窗口|本页|此页)?|分享到|收藏本文|推荐给朋友|相关(?:阅读|新闻|链接|文章|报道|专题)|延伸阅读|推荐阅读|热点推荐|猜你喜欢|发表评论|我要评论|网友评论|查看评论|Related (?:articles|stories|posts|links)|More stories|Share this|Print this|Back to top|Previous (?:article|post)|Next (?:article|post))/i;
/**
 * The same in Traditional Chinese, but only as a whole line (a heading over a list of other
 * stories): `相關文章：<link>` inside an article is the writer's own pointer, and archives keep it.
 */
export const TRAILING_CHROME_LABEL =
  /^[\s【\[［(（<«]*(?:延伸閱讀|推薦閱讀|相關(?:閱讀|新聞|文章|報導|報道)|熱門推薦|你可能(?:也)?(?:感興趣|喜歡)|更多(?:新聞|文章))[\s】\]］)）>»:：]*$/;
/**
 * A tag line printed under the text (`標籤：a、b`, `Tags: a, b`, `#a #b`): the frontmatter has the
 * tags. Only at the body's end, and only when the whole paragraph is the tag list.
 */
export const TAG_LINE =
  /^(?:(?:標籤|标签|關鍵字|关键字|關鍵詞|关键词|Tags?|Keywords?)\s*[:：]|#[^#\s][^#]*(?:\s+#[^#\s][^#]*)+$)/i;
export const MAX_TAG_LINE_CHARS = 400;
/** A trailing chrome line is short: a long paragraph that starts so is text that quotes it. */
export const MAX_CHROME_LINE_CHARS = 60;
/** Legal notices a site appends to every article (反侵权公告, 版权声明, 免责声明, Copyright): the notice and what follows go. */
export const LEGAL_NOTICE = /^[\s【\[［(（]*(?:反侵权公告|版权声明|免责声明|特别声明|郑重声明|版权所有|Copyright\b|©)/i;
/** Only in the last part of the body: a notice near the top is the article's subject (share of the blocks). */
export const LEGAL_NOTICE_FROM = 0.5;

function plainText(block: Block): string {
  switch (block.type) {
    case 'paragraph':
    case 'heading':
      return inlineText(block.children);
    case 'list':
      return block.items.map((item) => item.map(plainText).join(' ')).join(' ');
    case 'quote':
      return block.children.map(plainText).join(' ');
    case 'table':
      return block.rows.map((row) => row.map((cell) => inlineText(cell)).join(' ')).join(' ');
    default:
      return '';
  }
}

// ---------- leading chrome, in blocks ----------

/** How many blocks at the top of a body can be the page's headline and meta line, not text. */
export const LEADING_WINDOW = 3;
/**
 * The page's meta line printed above the text ("2005-04-28 11:13更新 来源：新华网 发表评论",
 * "发布时间：2019-09-26 作者：…", "Posted by … on March 3, 2020"): a date and a label of the
 * page's furniture. The frontmatter carries the date and author, and human-made truth leaves it
 * out (zh bench: 8 of 8, 2026-11-26).
 */
export const PAGE_META_LABEL =
  /来源|更新|发布|发表|时间|日期|作者|编辑|浏览|点击|阅读|字号|评论|出处|\b(?:Posted|Updated|Published)\b/i;
/** A meta line is short and no sentence: a lead like "央广网北京2月13日消息 据…报道，…发布…。" is text. */
export const MAX_META_LINE_CHARS = 100;

/** A text that reads as the title: similar both ways (a line that only starts like it is not). */
export function isTitleLike(text: string, title: string): boolean {
  return title !== '' && similarity(title, text) > TITLE_SIMILARITY && similarity(text, title) > TITLE_SIMILARITY;
}

/**
 * The headline and meta line a scored body often starts with, out: the frontmatter carries both.
 * Readability drops a repeated title only when it is an `<h1>`/`<h2>` (see Cleaner); old table
 * layouts set it in a `<div class="title">` or a bold cell, so here any block that is the title
 * counts, in both directions of similarity so that a line that starts like the title stays.
 * When the page shows its headline outside the body (`headlineShown`), a paragraph like it is the
 * writer's own opening line (an open letter restating its address, a translated piece naming its
 * source: seen in hkcnews's archive), and only a heading repeating the title goes.
 */
export function dropLeadingChrome(
  blocks: readonly Block[],
  title: string,
  notes: string[],
  headlineShown = false,
): Block[] {
  let start = 0;
  let titleSeen = false;
  while (start < Math.min(blocks.length, LEADING_WINDOW)) {
    const b = blocks[start]!; // in range
    if (b.type === 'rule') {
      start++;
      continue;
    }
    // Layout tables set the meta line as one row of cells (date | source | comment link).
    const line = b.type === 'paragraph' || b.type === 'heading' || (b.type === 'table' && b.rows.length === 1);
    if (!line) break;
    const text = plainText(b).trim();
    if (!titleSeen && (b.type === 'heading' || !headlineShown) && isTitleLike(text, title)) {
      titleSeen = true;
      start++;
      continue;
    }
    if (
      text.length <= MAX_META_LINE_CHARS &&
      !SENTENCE_END.test(text + ' ') &&
      PAGE_META_LABEL.test(text) &&
      hasTextDate(text)
    ) {
      start++;
      continue;
    }
    break;
  }
  if (start === 0) return [...blocks];
  notes.push(`body: ${start} leading block${start > 1 ? 's' : ''} of headline or page meta dropped`);
  return blocks.slice(start);
}

/**
 * Trailing navigation and legal boilerplate out of a scored body: what the DOM did not mark as
 * chrome but its words do. Only from the end inwards, so nothing inside the article is touched.
 */
export function dropTrailingChrome(blocks: readonly Block[], notes: string[]): Block[] {
  let end = blocks.length;
  const legalFrom = Math.ceil(blocks.length * LEGAL_NOTICE_FROM);
  for (let i = legalFrom; i < blocks.length; i++) {
    const b = blocks[i]!; // in range
    if ((b.type === 'paragraph' || b.type === 'heading') && LEGAL_NOTICE.test(plainText(b))) {
      end = i;
      break;
    }
  }
  while (end > 0) {
    const b = blocks[end - 1]!; // end > 0
    if (b.type === 'rule') {
      end--;
      continue;
    }
    const text = plainText(b).trim();
    if (
      (b.type === 'paragraph' || b.type === 'heading') &&
      text.length <= MAX_CHROME_LINE_CHARS &&
      (TRAILING_CHROME.test(text) || TRAILING_CHROME_LABEL.test(text))
    ) {
      end--;
      continue;
    }
    if (b.type === 'paragraph' && text.length <= MAX_TAG_LINE_CHARS && TAG_LINE.test(text)) {
      end--;
      continue;
    }
    break;
  }
  if (end === blocks.length) return [...blocks];
  notes.push(
    `body: ${blocks.length - end} trailing block${blocks.length - end > 1 ? 's' : ''} of navigation or notices dropped`,
  );
  return blocks.slice(0, end);
}
