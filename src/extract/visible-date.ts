/**
 * The publication date a reader sees: the date written nearest the title (`2019年2月27日 下午8:04`
 * under the headline, `发布时间：2019-02-27`), confirmed by the date in the article's URL when it has
 * one. Dates of other articles, comments and copyright lines are not in the page text at all
 * (`page-text.ts`) or are told by their context here.
 */
import { findRelativeDates, findTextDates, formatDateTime, type LocalDateTime, type TextDate } from './dates.js';
import type { PageText } from './page-text.js';

/** How far before the title a date still belongs to it (a dateline above the headline), in characters. */
const BEFORE_TITLE_CHARS = 250;
/** How far after the title, when no body is known, in characters. */
const AFTER_TITLE_CHARS = 600;
/** How far into the body a dateline is still the article's (the first lines: `2019年2月27日電`). */
const INTO_BODY_CHARS = 300;
/**
 * Inside the body, a date is the article's only on a short line of its own (`2005年08月16日 来源：新华网`);
 * in a sentence (`On February 28, 1998, Netscape …`) it is what the story is about.
 */
const DATE_LINE_CHARS = 80;

function lineLength(text: string, index: number): number {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  return (end < 0 ? text.length : end) - start;
}

/** Past the body's end, for a body no longer than twice INTO_BODY_CHARS, in characters. */
const SHORT_BODY_TAIL_CHARS = 100;
/** Dates after a copyright sign are the site's years of operation (`© 2003-2019`), not the article's. */
const COPYRIGHT_BEFORE = /(?:©|&copy;|copyright|版权|版權|備案|备案|ICP)[^\n]{0,20}$/i;
/** A site header's clock (`今天是 2006年12月27日`, `Today is …`): the day the page was served, not the article's. */
const TODAY_BEFORE = /(?:今天是|今日是|今天|今日|現在時間|现在时间|today\s+is)[\s:：]*$/i;

/**
 * Words that say the next date is the publication's (`发表于`, `发布时间：`, `Posted on`, `本贴由…于`):
 * such a date is taken from anywhere in the article area when none stands by the title. A
 * citation's access date (`引用日期`) or an update time is not the publication's.
 */
const PUBLISHED_LABEL =
  /(?<!引用|访问|訪問|检索|檢索|更新|修改)(?:发表于|發表於|发布于|發佈於|发布时间|發佈時間|发布日期|發佈日期|发表时间|發表時間|发稿时间|出版时间|时间|時間|日期|posted(?:\s+on)?|published(?:\s+on)?|由[^\n]{1,10}于)\s*[:：]?\s*$/i;
/** How far after the body's end its closing lines (`发表于 …`, a signature's date) are still read, in characters. */
const AFTER_BODY_CHARS = 300;

/**
 * A year and month with no day (`2003年5月`, `May 2003`) alone on its line, as a report prints its
 * date under the title. (Not in running text or archive lists, whose months are other things.)
 */
const PARTIAL_DATE =
  /^[ \t\u3000\u00a0]*(?:\d{4}\s*年\s*\d{1,2}\s*月|(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{4})[ \t\u3000\u00a0]*$/gm;

/** The first partial date between the title's end and `to` (the body's start). */
function nearestPartial(text: string, from: number, to: number): { index: number; end: number } | undefined {
  const m = PARTIAL_DATE.exec(text.slice(from, to));
  PARTIAL_DATE.lastIndex = 0;
  return m ? { index: from + m.index, end: from + m.index + m[0].length } : undefined;
}

export interface VisibleDate {
  value: LocalDateTime;
  how: string;
}

/** When the page was captured (14-digit Wayback timestamp, UTC) and the site's zone: what an age on the page counts back from. */
export interface Capture {
  timestamp: string;
  utcOffsetMinutes: number | undefined;
}

/**
 * `成文日期：2022年01月27日`: the date a government document was written and signed, printed in the
 * information-disclosure table (索引号, 发文机关, 成文日期, 发布日期 …) that Chinese government sites
 * put over every document, and again under its signature. It is the document's own date; the
 * `发布日期` beside it (and the page's `PubDate` meta) is the day it was posted, usually a day or
 * more later.
 */
const DOCUMENT_DATE_LABEL = /(?:成文日期|成文时间|成文時間)[ \t\u3000\u00a0]*[:：]?\s*/g;
/** How far after the label its date may stand (a table cell's line break and padding), in characters. */
const DOCUMENT_DATE_REACH_CHARS = 40;

/** The labelled date a government document was written (see DOCUMENT_DATE_LABEL), before the body's end. */
export function documentDate(page: PageText): VisibleDate | undefined {
  const to = page.bodyEnd >= 0 ? page.bodyEnd : page.text.length;
  DOCUMENT_DATE_LABEL.lastIndex = 0;
  for (let m = DOCUMENT_DATE_LABEL.exec(page.text); m && m.index < to; m = DOCUMENT_DATE_LABEL.exec(page.text)) {
    const after = page.text.slice(m.index + m[0].length, m.index + m[0].length + DOCUMENT_DATE_REACH_CHARS);
    const date = findTextDates(after)[0];
    // The date must follow the label directly: another label between them is another field's.
    if (date && date.index === 0) return { value: date.value, how: `labelled "${m[0].replace(/[\s:：]/g, '')}"` };
  }
  return undefined;
}

/** A date's digits and separators, digits as `d`: dates printed by the same template share it. */
const shapeOf = (s: string): string => s.replace(/\d/g, 'd').replace(/\s+/g, ' ');
/**
 * Length of the shortest post between two dated post headers, in characters: a few sentences (the
 * two archive pages of the zh bench have 430–2000), more than a list item's headline and date.
 */
const MIN_POST_CHARS = 200;
/** Length of the longest post between two dated post headers, in characters. */
const MAX_POST_CHARS = 8000;
/** Share of a post's text in links above which it is a list of links, not a post. */
const MAX_POST_LINK_SHARE = 0.5;

/** Characters of link text in `[from, to)` of the page text. */
function linkChars(page: PageText, from: number, to: number): number {
  let n = 0;
  for (const [start, end] of page.links) if (end > from && start < to) n += Math.min(end, to) - Math.max(start, from);
  return n;
}

/** The date alone on its line: the rest of the line holds only white space. */
function aloneOnLine(text: string, d: { index: number; end: number }): boolean {
  const start = text.lastIndexOf('\n', d.index - 1) + 1;
  const end = text.indexOf('\n', d.end);
  return text.slice(start, d.index).trim() === '' && text.slice(d.end, end < 0 ? text.length : end).trim() === '';
}

/**
 * A blog's archive page lists several posts, newest first, each under a date line printed by the
 * same template (`2005-06-14 03:25:55`). When the body found is one of the later posts, the page
 * is still dated by its first one: walk back from `date` over earlier date lines of the same shape,
 * each a post's length (of prose, not links) before the next and no older than it, and take the first.
 */
function firstOfPostSeries(page: PageText, date: TextDate): TextDate | undefined {
  const { text } = page;
  if (!aloneOnLine(text, date)) return undefined;
  const shape = shapeOf(text.slice(date.index, date.end));
  const from = Math.max(0, date.index - MAX_POST_CHARS);
  const before = findTextDates(text.slice(from, date.index)).map((d) => ({
    ...d,
    index: d.index + from,
    end: d.end + from,
  }));
  let current = date;
  for (let i = before.length - 1; i >= 0; i--) {
    const d = before[i]!; // i is within bounds
    if (current.index - d.end > MAX_POST_CHARS) break;
    if (
      current.index - d.end < MIN_POST_CHARS ||
      !aloneOnLine(text, d) ||
      shapeOf(text.slice(d.index, d.end)) !== shape
    )
      continue;
    if (
      formatDateTime(d.value) < formatDateTime(current.value) ||
      linkChars(page, d.end, current.index) > MAX_POST_LINK_SHARE * (current.index - d.end)
    )
      break;
    current = d;
  }
  return current === date ? undefined : current;
}

/**
 * The date nearest after the title (or before it, at double the distance), between a little
 * before the title and the first lines of the body. With a URL date, a visible date equal to it
 * wins, and the URL date stands in when the page shows none.
 */
export function visibleDate(
  page: PageText,
  titleStart: number,
  titleEnd: number,
  fromUrl: LocalDateTime | undefined,
  capture?: Capture,
): VisibleDate | undefined {
  const anchor = titleEnd >= 0 ? titleEnd : page.bodyStart;
  const distance = (d: { index: number; end: number }): number =>
    d.index >= anchor ? d.index - anchor : 2 * (anchor - d.end);
  let candidates: TextDate[] = [];
  let slice = '';
  let from = 0;
  if (anchor >= 0) {
    from = Math.max(0, (titleStart >= 0 ? titleStart : anchor) - BEFORE_TITLE_CHARS);
    // A short body's closing date line (`2022年02月13日` after a 300-character item) is in reach too.
    const to =
      page.bodyStart > anchor
        ? Math.max(
            page.bodyStart + INTO_BODY_CHARS,
            Math.min(page.bodyEnd + SHORT_BODY_TAIL_CHARS, page.bodyStart + 2 * INTO_BODY_CHARS),
          )
        : anchor + AFTER_TITLE_CHARS;
    slice = page.text.slice(from, to);
    candidates = findTextDates(slice)
      .filter((d) => {
        const before = slice.slice(Math.max(0, d.index - 24), d.index);
        return !COPYRIGHT_BEFORE.test(before) && !TODAY_BEFORE.test(before);
      })
      .map((d) => ({ ...d, index: d.index + from, end: d.end + from }))
      .filter(
        (d) => page.bodyStart < 0 || d.index < page.bodyStart || lineLength(page.text, d.index) <= DATE_LINE_CHARS,
      );
  }
  if (fromUrl) {
    const same = candidates.find((d) => d.value.date === fromUrl.date);
    if (same) return { value: same.value, how: 'visible date matching the URL date' };
  }
  if (candidates.length > 0) {
    const best = candidates.reduce((a, b) => (distance(b) < distance(a) ? b : a));
    // The article's own date, nearest the title, may be a month only (`2003年5月` under a report's
    // title): then no day is known, and a full date further away is another one's.
    const partial =
      titleEnd >= 0
        ? nearestPartial(
            page.text,
            titleEnd,
            page.bodyStart > titleEnd ? page.bodyStart : titleEnd + BEFORE_TITLE_CHARS,
          )
        : undefined;
    if (partial !== undefined && distance(partial) < distance(best)) return undefined;
    // No title on the page (a list's, not a post's): the body may be any post of an archive page.
    const first = titleEnd < 0 && best.index < anchor ? firstOfPostSeries(page, best) : undefined;
    if (first) return { value: first.value, how: 'date of the first post listed' };
    return {
      value: best.value,
      how: titleEnd >= 0 ? 'visible date nearest the title' : 'visible date nearest the body',
    };
  }
  if (fromUrl) return { value: fromUrl, how: 'date in the URL' };
  // Nothing by the title: the first labelled date of the article area (a post's footer line).
  const areaFrom = Math.max(0, (titleStart >= 0 ? titleStart : Math.max(0, page.bodyStart)) - BEFORE_TITLE_CHARS);
  const area = page.text.slice(areaFrom, page.bodyEnd >= 0 ? page.bodyEnd + AFTER_BODY_CHARS : page.text.length);
  const labelled = findTextDates(area).find((d) =>
    PUBLISHED_LABEL.test(area.slice(Math.max(0, d.index - 12), d.index)),
  );
  if (labelled) return { value: labelled.value, how: 'labelled date in the article area' };
  // Last, an age by the title (`3小時前`): the capture's time says which day that was.
  if (capture && slice !== '') {
    const ages = findRelativeDates(slice, capture.timestamp, capture.utcOffsetMinutes)
      .map((d) => ({ ...d, index: d.index + from, end: d.end + from }))
      .filter((d) => lineLength(page.text, d.index) <= DATE_LINE_CHARS);
    if (ages.length > 0) {
      const best = ages.reduce((a, b) => (distance(b) < distance(a) ? b : a));
      return {
        value: best.value,
        how: `age "${page.text.slice(best.index, best.end)}" counted back from the capture time`,
      };
    }
  }
  return undefined;
}
