/**
 * Bylines a reader sees, for pages whose metadata names no author: elements marked as bylines
 * (`rel=author`, `itemprop=author`, class/id `byline`, `author` …) and the labelled bylines of
 * Chinese news pages (`作者：`, `记者 张三 李四`, `（记者 胡晓蓉）`, `编辑：`), looked for in the
 * page text near the title and the body (`page-text.ts`).
 */
import { findTextDates } from './dates.js';
import { hasAncestor, textOf, visibleText, type Element } from './dom.js';
import { NO_PERSON, REPORTER_DATELINE } from './labelled-lines.js';
import type { PageText } from './page-text.js';

/** Longest byline text taken from a marked element (Readability.js: < 100 characters). */
const MAX_BYLINE_CHARS = 100;

/** A run of Han characters that is a whole personal name: 2–4 characters (`王二`, `欧阳修文`). */
const HAN_RUN = /^[\u3400-\u9fff]{2,4}$/;
/** A pen name in Latin letters (`zboygirl`, `duscha`), as forums and blogs sign. */
const LATIN_HANDLE = /^[A-Za-z][\w.&-]{1,30}$/;

/**
 * Common Chinese surnames, simplified and traditional (the hundred most common are borne by most
 * people; rarer ones here are those met in bylines). A name that nothing labels
 * as one (a second name after `记者 王建宏`, a name in closing parentheses) must begin with one, so
 * that `（完）`, `（图）` or `土豆` are not taken for a reporter.
 */
const SURNAMES = new Set([
  ...'王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何高林罗羅郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭曾肖萧蕭田董袁潘于蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鐘谭譚陆陸汪范金石廖贾賈夏韦韋付方白邹鄒孟熊秦邱江尹薛闫閻段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔向汤湯常温溫康施文牛樊葛邢安齐齊易乔喬伍庞龐颜顏倪庄莊聂聶章鲁魯岳翟殷詹申欧歐耿关關兰蘭焦俞左柳甘祝包宁寧尚符舒阮柯纪紀梅童凌毕畢单單季裴霍涂成苗谷盛曲翁冉骆駱蓝藍路游辛靳管柴蒙鲍鮑华華喻祁蒲房滕屈饶饒解牟艾尤阳陽时時穆农農司卓古吉缪繆简簡车車项項连連芦蘆麦麥褚娄婁窦竇戚岑景党宫宮费費卜冷晏席卫衛米柏宗瞿桂全佟应應臧闵閔苟邬鄔边邊卞姬师師和仇栾欒隋商刁沙荣榮巫寇桑郎甄丛叢仲虞敖巩鞏明佘池查麻苑迟遲邝鄺闻聞伊山风風',
]);

/**
 * What is a source or a section, not a person: names of papers, sites, agencies and units end in
 * these (`新闻晨报`, `新华网`, `新华社`, `央视频道`). Words for "unknown" or "staff" are `NO_PERSON`.
 */
const ORG_SUFFIX =
  /(?:报|報|网|網|社|台|站|刊|局|院|会|會|部|团|團|司|中心|频道|頻道|新闻|新聞|在线|杂志|雜誌|出版|集团)$/;

/** Labels of Chinese bylines, strongest first: the writer, the reporter, a person named as source, the editor. */
interface Label {
  re: RegExp;
  rank: number;
  kind: string;
  needsSurname: boolean;
  runOn?: boolean;
}
const LABELS: readonly Label[] = [
  // `作者：张三`, `撰文：`, `文／张三`, `文：张三` (the writer).
  {
    re: /(?:作\s*者|撰\s*文|撰\s*稿|执笔人?|執筆人?|(?<![\u3400-\u9fff])文)\s*[:：/／|]\s*/g,
    rank: 0,
    kind: 'writer',
    needsSurname: false,
  },
  // `记者 张三`, `新华社记者：张三`, `通讯员 李四` (reporters, with a colon or a space before the name).
  {
    re: /(?:记者|記者|通讯员|通訊員|特约撰稿人?|特約撰稿人?|实习生|實習生)(?:\s*[:：]\s*|[ \t\u3000\u00a0]+)/g,
    rank: 1,
    kind: 'reporter',
    needsSurname: false,
  },
  // `本报记者张三`: run on without a space, the name must begin with a surname (`记者介绍` is prose).
  // The name must then end the phrase (`记者马俊峰/文`, `记者张三）`), not run on into words of a
  // list (`麻辣杂谈 记者江湖 中国川剧`: a forum's board names).
  { re: /(?:记者|記者|通讯员|通訊員)(?=[\u3400-\u9fff])/g, rank: 1, kind: 'reporter', needsSurname: true, runOn: true },
  // `来源：张三` names a person on some CMSs; `来源：新华网` (a source) fails the surname test.
  { re: /(?:来源|來源|稿源)\s*[:：]\s*/g, rank: 2, kind: 'source', needsSurname: true },
  // `发布时间 2005/03/15 22:36:13 by duscha`: a Chinese forum post's signature, after its labelled
  // time (an English `3:46 PM by Jane Doe` is left to the byline markup, which keeps whole names).
  // The label is matched, not looked behind at: a look-behind with `\s*` costs O(n²) on white space.
  {
    re: /[\u3400-\u9fff][^\n\u3400-\u9fff]{0,30}?\d:\d{2}(?::\d{2})?[ \t\u3000\u00a0]{0,4}by[ \t\u00a0]+/g,
    rank: 0,
    kind: 'poster',
    needsSurname: false,
  },
  // `编辑：张三`, `责任编辑：`, `（责任编辑：魏喆）`: the only person a page names, at worst.
  {
    re: /(?:责任编辑|責任編輯|责编|責編|编辑|編輯|主编|主編)\s*[:：]\s*/g,
    rank: 3,
    kind: 'editor',
    needsSurname: false,
  },
];
/** `ggjjzhzz 发表于 2005-9-15`, `海姑娘写于2005年6月12日`: a post signed before the verb of posting. */
const SIGNED_POSTED =
  /(?:(?<![\u3400-\u9fff])([\u3400-\u9fff]{2,4}?)|(?<![\w.&-])([A-Za-z][\w.&-]{1,30}))[ \t\u3000\u00a0]*(?:发表于|發表於|写于|寫於)/g;
/** `本贴由大卫于2005年8月12日…发表`: a forum post's author, between 由 and 于. */
const POSTED_BY = /(?:本贴|本帖|本貼)由\s*([\u3400-\u9fff]{2,4}?|[A-Za-z][\w.&-]{1,30})\s*于/g;
/**
 * `由海姑娘张贴 @ 2005-06-14`, `由 admin 發表於`: a blog template's post footer, "posted by". 由 must
 * start the phrase (`理由`, `经由` are words), and a bare 发表 is prose (`由双方发表联合声明`): only
 * 张贴 or 发表于 count.
 */
const POSTED_BY_VERB =
  /(?<![\u3400-\u9fff])由[ \t\u3000\u00a0]*([\u3400-\u9fff]{2,4}?|[A-Za-z][\w.&-]{1,30})[ \t\u3000\u00a0]*(?:张贴|張貼|(?:发表|發表)(?:于|於))/g;
/** `张三/文`, `张三／摄` (writer or photographer signing after the name). */
const SIGNED_AFTER = /(?<![\u3400-\u9fff])([\u3400-\u9fff]{2,4})\s*[/／]\s*(?:文|摄|攝)/g;
/** `[ 黄宇 ]  来源：[ 国际金融报 ]`: the writer in brackets, then the source, on the line under the title. */
const BRACKETED_BEFORE_SOURCE =
  /[\[［【]\s*([\u3400-\u9fff]{2,4}(?:[ \t\u3000\u00a0、]+[\u3400-\u9fff]{2,4}){0,5})\s*[\]］】][^\n\u3400-\u9fff]{0,6}(?:来源|來源|出处|出處)\s*[:：]/g;
/** `（记者 胡晓蓉）`, `（袁源）`, `（姚峰 上海报道）`: the reporter, closing the story. */
const CLOSING_PARENS =
  /[（(]\s*(?:[\u3400-\u9fff]{0,4}记者|[\u3400-\u9fff]{0,4}記者)?\s*([\u3400-\u9fff][\u3400-\u9fff\s、·]{1,30}?)\s*(?:[\u3400-\u9fff]{2,4}报道|[\u3400-\u9fff]{2,4}報導)?\s*[)）]/g;
/** The rest of a line is empty (white space up to a line break). */
const LINE_END = /^[ \t\u3000\u00a0]*(?:\n|$)/;
/** Distance after the body's end where its closing lines (reporter, editor) are still read, in characters. */
const AFTER_BODY_CHARS = 300;
/** Distance before the title where a byline above it is still read, in characters. */
const BEFORE_TITLE_CHARS = 200;
/** The closing-parentheses byline is within this many characters of the body's end. */
const CLOSING_CHARS = 120;
/** `摄` after the names: a photographer's credit. Ranked below editors. */
const PHOTO_CREDIT = /^\s*(?:摄|攝)/;
const PHOTO_RANK = 4;
/**
 * Bylines stand before the body, in its first lines or after its last ones; a label in the middle
 * of the body is most likely prose (`本刊记者 …`, a caption). Such candidates rank after all others.
 */
const BODY_EDGE_CHARS = 200;
const MID_BODY_PENALTY = 10;
/** Lines restating the title passed over before the names line (a forum post prints it twice). */
const MAX_TITLE_REPEATS = 3;
const squeeze = (s: string): string => s.replace(/\s+/g, '');
/** The offset of the first non-space character at or after `at` (looking a short way). */
function skipSpace(text: string, at: number): number {
  return at + (/^\s*/.exec(text.slice(at, at + 80))?.[0].length ?? 0);
}

function inLink(page: PageText, index: number): boolean {
  for (const [start, end] of page.links) if (index >= start && index < end) return true;
  return false;
}

function positionPenalty(page: PageText, index: number): number {
  if (page.bodyStart < 0 || index < page.bodyStart + BODY_EDGE_CHARS || index > page.bodyEnd - BODY_EDGE_CHARS)
    return 0;
  return MID_BODY_PENALTY;
}
/** Names kept after the first (`刘国栋 周炜 王燕平 方云凤 柏建斌`). */
const MAX_NAMES = 6;
/**
 * Matches of one byline pattern read per page. A page has a few bylines; a page that repeats a
 * label 600,000 times (`作者：` × 600,000, issue 12) made as many candidates, each sliced,
 * collapsed and sorted: seconds of allocation. The first ones are the ones nearest the top.
 */
export const MAX_LABEL_MATCHES = 200;

function isPersonName(token: string, needsSurname: boolean): boolean {
  if (NO_PERSON.test(token)) return false;
  if (LATIN_HANDLE.test(token)) return !needsSurname;
  if (!HAN_RUN.test(token) || ORG_SUFFIX.test(token)) return false;
  return !needsSurname || SURNAMES.has(token[0]!); // HAN_RUN matched: at least 2 characters
}

/** A name run on into `发自…` (filed from) or `报道` (reports). */
const DATELINE_AFTER_NAME = /^([\u3400-\u9fff]{2,4}?)(?:发自|發自|报道|報導|报导|摄|攝)/;
/** `黎旭阳、李妍摄`: the last name of a list with the photographer's `摄` glued on. */
const PHOTO_AFTER_NAME = /^([\u3400-\u9fff]{2,3})(?:摄|攝)$/;
const LABEL_COLON = /[:：]/;
/** After a run-on byline: a space and more words on the same line. */
const RUN_ON_CONTINUES = /^[ \t\u3000\u00a0]+\S/;
/** A Latin form of a name in parentheses right after it. */
const LATIN_ALIAS = /^\s*[（(][A-Za-z][A-Za-z .'-]{1,40}[)）]/;
/** What may follow a name: white space, punctuation, the end (not more letters or digits). */
const AFTER_NAME = /^(?:$|[\s/／)）\]】|,，、。;；:：·•\-—_*]|摄|攝)/;

/**
 * The names written at `from`: a first name (checked for a surname when nothing labels it) and
 * further names of known surnames, separated by spaces, `、` or `,`. Each name is a whole run of
 * Han letters (or a Latin pen name) that ends at white space or punctuation: `记者从上海获悉`
 * and `记者经历了近4个小时` are no bylines.
 */
export function namesAt(
  text: string,
  from: number,
  needsSurname: boolean,
): { names: string[]; end: number; written: string } {
  const names: string[] = [];
  let end = from;
  // Tokens are read at most MAX_TOKEN_CHARS long: a name is 2-4 Han letters or a 31-letter
  // handle, so a longer token is no name whether read whole or not, and reading whole runs made
  // every label in a 40,000-letter run re-read the run (`記者` × 20,000: 16 s, issue 12).
  const re = /([\u3400-\u9fff]{1,32}|[A-Za-z][\w.&-]{0,63})([ \t\u3000\u00a0]*[、,，和]?[ \t\u3000\u00a0]*)/y;
  re.lastIndex = from;
  for (let m = re.exec(text); m && names.length < MAX_NAMES; m = re.exec(text)) {
    const token = m[1]!; // group 1 always takes part in a match
    // `本报记者罗科苏盈发自北京`, `记者张三报道`: the name runs into the dateline verb.
    const dateline = names.length === 0 ? DATELINE_AFTER_NAME.exec(token) : PHOTO_AFTER_NAME.exec(token);
    if (dateline?.[1]) {
      if (isPersonName(dateline[1], names.length > 0 || needsSurname)) {
        names.push(dateline[1]);
        end = m.index + dateline[1].length;
      }
      break;
    }
    if (!isPersonName(token, names.length > 0 || needsSurname)) break;
    const next = text.slice(m.index + token.length, m.index + token.length + 1);
    // `作者：芊草凡凡 时间：…`: a word before a colon is the next label, not a name.
    if (!AFTER_NAME.test(next) || (names.length > 0 && LABEL_COLON.test(next))) break;
    // `周思博 (Joel Spolsky)`: a Chinese name with its Latin form belongs together.
    const alias = LATIN_ALIAS.exec(text.slice(m.index + token.length, m.index + token.length + 48));
    if (alias) {
      names.push(token + alias[0]);
      end = m.index + token.length + alias[0].length;
      break;
    }
    names.push(token);
    end = m.index + token.length;
    if (m[2] === '') break; // a name runs straight into other text: no list follows
  }
  // As written, separators included (`赵延东、风笑天`), white space collapsed.
  return { names, end, written: text.slice(from, end).replace(/\s+/g, ' ') };
}

export interface BylineCandidate {
  text: string;
  /** Lower is stronger. */
  rank: number;
  index: number;
  how: string;
}

/**
 * Labelled Chinese bylines between a little before the title and a little after the body,
 * strongest label first, then nearest the title.
 */
export function textByline(page: PageText, titleAt: number, titleEnd = -1): BylineCandidate | undefined {
  return textBylines(page, titleAt, titleEnd)[0];
}

/** Every labelled byline of `textByline`, best first. */
export function textBylines(page: PageText, titleAt: number, titleEnd = -1): BylineCandidate[] {
  const { text } = page;
  const from = Math.max(0, (titleAt >= 0 ? titleAt : page.bodyStart >= 0 ? page.bodyStart : 0) - BEFORE_TITLE_CHARS);
  const to = page.bodyEnd >= 0 ? Math.min(text.length, page.bodyEnd + AFTER_BODY_CHARS) : text.length;
  const area = text.slice(0, to);
  const found: BylineCandidate[] = [];
  for (const label of LABELS) {
    label.re.lastIndex = from;
    for (let m = label.re.exec(area), seen = 0; m && seen++ < MAX_LABEL_MATCHES; m = label.re.exec(area)) {
      // A label inside a link is a menu item (`记者江湖`: a forum's board), not a byline.
      if (inLink(page, m.index)) continue;
      const { names, end, written } = namesAt(area, m.index + m[0].length, label.needsSurname);
      if (names.length === 0) continue;
      const after = area.slice(end, end + 4);
      if (label.runOn && RUN_ON_CONTINUES.test(after)) continue;
      // `新华社记者 才扬 摄`: a photo credit names the article's author only when nobody else is named.
      const rank = PHOTO_CREDIT.test(after) ? PHOTO_RANK : label.rank;
      found.push({
        text: written,
        rank: rank + positionPenalty(page, m.index),
        index: m.index,
        how: `${label.kind} label "${m[0].trim()}"`,
      });
    }
  }
  // Names alone on the line under the title (`犬儒病(上)` / `胡平`; `赵延东、风笑天`): the author, as
  // essays and papers print it. Surnames are required, and nothing else may share the line.
  // The body's first line alone is read the same way (`<p>胡平<br><br>正文…`).
  // A line that repeats the title (the body restating it) is passed over.
  const titleLine = titleAt >= 0 && titleEnd > titleAt ? squeeze(text.slice(titleAt, titleEnd)) : '';
  for (const [at, how] of [
    [titleEnd, 'names under the title'],
    [page.bodyStart, 'names opening the body'],
  ] as const) {
    if (at < 0) continue;
    let start = skipSpace(text, at);
    for (let repeats = 0; titleLine !== '' && repeats < MAX_TITLE_REPEATS; repeats++) {
      const lineEnd = text.indexOf('\n', start);
      if (lineEnd <= start || squeeze(text.slice(start, lineEnd)) !== titleLine) break;
      start = skipSpace(text, lineEnd);
    }
    const { names, end, written } = namesAt(text, start, true);
    // Unlabelled, a name that is a link's text is as likely a menu item: left out.
    if (names.length > 0 && LINE_END.test(text.slice(end, end + 40)) && !inLink(page, start))
      found.push({ text: written, rank: 2, index: start, how });
  }
  POSTED_BY.lastIndex = from;
  for (let m = POSTED_BY.exec(area), seen = 0; m && seen++ < MAX_LABEL_MATCHES; m = POSTED_BY.exec(area)) {
    if (isPersonName(m[1]!, false)) found.push({ text: m[1]!, rank: 0, index: m.index, how: 'forum post "由…于"' }); // group 1 is mandatory
  }
  POSTED_BY_VERB.lastIndex = from;
  for (let m = POSTED_BY_VERB.exec(area), seen = 0; m && seen++ < MAX_LABEL_MATCHES; m = POSTED_BY_VERB.exec(area)) {
    if (isPersonName(m[1]!, false) && !inLink(page, m.index))
      found.push({ text: m[1]!, rank: positionPenalty(page, m.index), index: m.index, how: 'post footer "由…张贴"' }); // group 1 is mandatory
  }
  SIGNED_POSTED.lastIndex = from;
  for (let m = SIGNED_POSTED.exec(area), seen = 0; m && seen++ < MAX_LABEL_MATCHES; m = SIGNED_POSTED.exec(area)) {
    const name = m[1] ?? m[2] ?? '';
    // The name is often a link to the poster's page; the verb after it is not (a menu's would be).
    if (isPersonName(name, false) && !inLink(page, m.index + m[0].length - 1))
      found.push({ text: name, rank: 0, index: m.index, how: 'signed "发表于"' });
  }
  SIGNED_AFTER.lastIndex = from;
  for (let m = SIGNED_AFTER.exec(area), seen = 0; m && seen++ < MAX_LABEL_MATCHES; m = SIGNED_AFTER.exec(area)) {
    if (isPersonName(m[1]!, false))
      found.push({
        text: m[1]!,
        rank: (/[摄攝]/.test(m[0]) ? PHOTO_RANK : 1) + positionPenalty(page, m.index),
        index: m.index,
        how: 'signed "/文"',
      }); // group 1 is mandatory
  }
  BRACKETED_BEFORE_SOURCE.lastIndex = from;
  for (
    let m = BRACKETED_BEFORE_SOURCE.exec(area), seen = 0;
    m && seen++ < MAX_LABEL_MATCHES;
    m = BRACKETED_BEFORE_SOURCE.exec(area)
  ) {
    const { names, written } = namesAt(m[1]!, 0, true); // group 1 is mandatory
    if (names.length > 0 && written.replace(/\s/g, '') === m[1]!.replace(/\s/g, ''))
      found.push({
        text: written,
        rank: 1 + positionPenalty(page, m.index),
        index: m.index,
        how: 'bracketed before the source',
      });
  }
  if (page.bodyEnd >= 0) {
    const start = Math.max(page.bodyStart, page.bodyEnd - CLOSING_CHARS);
    CLOSING_PARENS.lastIndex = start;
    const tail = text.slice(0, Math.min(text.length, page.bodyEnd + CLOSING_CHARS));
    for (let m = CLOSING_PARENS.exec(tail), seen = 0; m && seen++ < MAX_LABEL_MATCHES; m = CLOSING_PARENS.exec(tail)) {
      const inner = m[1]!.trim(); // group 1 is mandatory
      const { names, written } = namesAt(inner, 0, true);
      // Only names inside: `（完）`, `（图）`, `（上海市委宣传部供图）` are not bylines.
      if (names.length > 0 && names.join('').length === inner.replace(/[\s、·]/g, '').length)
        found.push({ text: written, rank: 1, index: m.index, how: 'closing parentheses' });
    }
  }
  const anchor = titleAt >= 0 ? titleAt : from;
  return found.sort((a, b) => a.rank - b.rank || Math.abs(a.index - anchor) - Math.abs(b.index - anchor));
}

/**
 * `发文机关：吉林省人民政府`: the authority that issued a government document, printed in the
 * information-disclosure table Chinese government sites put over every document (with 索引号,
 * 成文日期, 发布日期): the document's author. Its value is a table cell, so a line break may precede it.
 */
const ISSUING_AUTHORITY =
  /(?:发文机关|發文機關|发文单位|發文單位)[ \t\u3000\u00a0]*[:：]\s*([\u3400-\u9fff][\u3400-\u9fff（）()、 \u3000]{1,40}?)[ \t\u3000\u00a0]*(?:\n|$)/;

/** The issuing authority of a government document (see ISSUING_AUTHORITY), before the body's end. */
export function issuingAuthority(page: PageText): string | undefined {
  const to = page.bodyEnd >= 0 ? page.bodyEnd : page.text.length;
  const m = ISSUING_AUTHORITY.exec(page.text.slice(0, to));
  return m?.[1]?.trim().replace(/\s+/g, ' ') || undefined;
}

/**
 * `By Jane Doe` alone on a line, unmarked: "By" and one to four capitalised names (with `and`, `de`,
 * `van` … between them), then the line's end or a separator before a date or a role.
 */
const BY_LINE =
  /(?:^|\n)[ \t\u00a0]*((?:By|BY|Par|Von|Por|Door)[ \t\u00a0]+\p{Lu}[\p{L}'’.-]+(?:[ \t\u00a0]+(?:\p{Lu}[\p{L}'’.-]*|and|&|de|van|von|da|del|der|di|la|le|du)){0,5})[ \t\u00a0]*(?=\n|$|[,|•·–—-])/gu;
/** How far past the title an unmarked `By` line is looked for, when no body is known (characters). */
const BY_LINE_REACH_CHARS = 400;

/** An unmarked `By Jane Doe` line between the title and the body's first lines. */
export function byLine(page: PageText, titleEnd: number): string | undefined {
  if (titleEnd < 0) return undefined;
  const to = page.bodyStart > titleEnd ? page.bodyStart + BODY_EDGE_CHARS : titleEnd + BY_LINE_REACH_CHARS;
  const m = BY_LINE.exec(page.text.slice(titleEnd, to));
  BY_LINE.lastIndex = 0;
  return m?.[1]?.replace(/\s+/g, ' ');
}

/** Text that is not a byline although a byline element holds it. */
const URL_OR_DATE_ONLY = /^(?:(?:https?:)?\/\/\S+|[\d\s/.:年月日-]+)$/i;
/**
 * Words of a dateline (`Sunday, Feb 1, 2015 11:57 AM UTC`, `21.dez.2018 às 10h55`): what is left
 * of a `dateline` element's text without them, its digits and words of ≤ 3 letters, is a name.
 */
const DATE_WORDS =
  /\b(?:january|february|march|april|june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|updated|published|posted)\b/gi;
const SHORT_WORDS = /\b\p{L}{1,3}\b/gu;

/** A byline's lead-in alone (`By`, `Par`, `作者：`), its name in another element. */
const BY_ONLY = /^(?:by|par|von|por|door|di|av|作者|文|撰文|记者|記者)?\s*[:：]?$/i;

/** A dateline, not a byline: a year, and nothing name-like once date words are gone. */
function isDateOnly(text: string): boolean {
  if (!/(?:19|20)\d{2}/.test(text) && findTextDates(text).length === 0) return false;
  return (
    text
      .replace(DATE_WORDS, ' ')
      .replace(/[\d\p{P}\p{S}]+/gu, ' ')
      .replace(SHORT_WORDS, ' ')
      .trim() === ''
  );
}

/**
 * The first element marked as a byline (document order, as Readability.js reads it) with text of
 * 1–99 characters, outside the regions `excluded` names (other articles, navigation, comments).
 * Its whole text is the byline (`By Jane Doe`): its parts cannot be told apart reliably.
 */
export function markedByline(hints: readonly Element[], excluded: (el: Element) => boolean): string | undefined {
  for (const el of hints) {
    if (hasAncestor(el, excluded)) continue;
    // The length as written, white space included (Readability.js's measure): a menu or a box
    // of links spread over many lines is no byline even when its words are few.
    if (textOf(el).trim().length >= MAX_BYLINE_CHARS) continue;
    const text = cleanMarkedByline(visibleText(el));
    if (text === undefined || text === '' || URL_OR_DATE_ONLY.test(text) || isDateOnly(text) || BY_ONLY.test(text))
      continue;
    return text;
  }
  return undefined;
}

/** Where a Chinese byline box goes on to the time (`加拿大必读发布时间：10-08 12:00`). */
const TIME_LABEL_AFTER = /\s*(?:发布时间|發佈時間|发表时间|發表時間|发布于|發佈於|时间|時間|日期)\s*[:：].*$/;
/** The word after `作者：` up to a space or bracket, unless another label follows it (`作者：转载请注明：`). */
const WRITER_HANDLE = /作\s*者\s*[:：]\s*([^\s(（:：]{1,20})(?![:：])(?=[\s(（]|$)/;
const EMAIL = /[\w.+-]+@[\w-]+\.[\w.-]+/;
/** A heading of a box about the author (`■该作者文章`: this author's articles, `作者简介`), not a name. */
const ABOUT_THE_AUTHOR = /该作者|該作者|本作者|作者(?:的)?(?:文章|其他|其它|简介|簡介|介绍|介紹|专栏|專欄)/;
const HAN = /[\u3400-\u9fff]/;
/** A blog template's label before the poster's name. */
const POSTED_BY_LABEL = /^posted\s+by\s+/i;
const POSTED_AT_TIME = /\s+(?:on|at)\s+(?=\S*\d|[A-Z][a-z]+\s+\d).*$/;

/**
 * A byline box's text as a byline: cut at a time label; with Chinese labels inside (`作者：未知
 * 责任编辑：…`, `来源：当代商报`), the names they label (none: no byline); never an e-mail address
 * (comment forms' placeholders) or Chinese with figures (`总篇数919篇`: a counter).
 */
function cleanMarkedByline(raw: string): string | undefined {
  const text = raw.replace(TIME_LABEL_AFTER, '').trim();
  // `記者陳嘉寧／桃園機場報導`: the reporter, without the label and the place filed from.
  const dateline = REPORTER_DATELINE.exec(text.replace(/\s+/g, ' '));
  if (dateline?.[1]) return dateline[1];
  if (EMAIL.test(text) || ABOUT_THE_AUTHOR.test(text)) return undefined;
  // `Posted by Andrew Zonenberg` (Blogger's post footer): the template's words, not the name's.
  if (!HAN.test(text)) {
    if (!POSTED_BY_LABEL.test(text)) return text;
    // `Posted by Jane on March 3, 2010`, `… at 10:04 PM`: the template's time follows the name.
    return text.replace(POSTED_BY_LABEL, '').replace(POSTED_AT_TIME, '') || undefined;
  }
  if (/[:：]/.test(text)) {
    const page: PageText = { text, bodyStart: -1, bodyEnd: -1, headings: [], links: [] };
    // A forum's user name (`作者： 放飞&心情振威将军(从一品)`) is no Chinese name, but is the author.
    const handle = WRITER_HANDLE.exec(text)?.[1];
    return textBylines(page, 0)[0]?.text ?? (handle !== undefined && !NO_PERSON.test(handle) ? handle : undefined);
  }
  return /\d/.test(text) ? undefined : text;
}
