/**
 * The article page: metadata, the sanitized body, the revision group with a diff, provenance
 * (original URL, Wayback memento, capture time, SHA-256) and the cite box, plus NewsArticle JSON-LD
 * and Dublin Core meta in the head. Also the JSON of `GET /api/articles/:id`.
 */
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { imageKey, imageOriginal, parseArchiveFile, type ParsedArchiveFile } from '../../markdown/index.js';
import type { CatalogArticle, Tombstone } from '../../search/index.js';
import { articleDateHref, articleHref, facetHref, FACET_LABELS, type ReaderContext } from '../context.js';
import {
  attributeUrl,
  citations,
  dublinCoreMeta,
  newsArticleJsonLd,
  robustLinkAttributes,
  type CiteMeta,
} from '../cite.js';
import { revisionDiffHtml } from '../diff.js';
import { dropControls, html, trusted, type Html, type HtmlPart } from '../html.js';
import { renderArticleHtml, type LocalImage } from '../markdown-html.js';
import { articleDate, joinParts, page } from '../layout.js';
import { isoToTimestamp, parseMemento, timestampToIso } from '../../memento.js';
import {
  articleMementos,
  mementoLinkElements,
  pageMementoLinks,
  timeMapBody,
  timeMapHref,
  type TypedLink,
} from '../memento-links.js';

/**
 * The archive's own copy of an image `src` of an article: the image URL inside its innermost
 * `im_` (or any Wayback) URL, else the `src` itself, looked up by its key (markdown `imageKey`).
 */
function storedImageOf(ctx: ReaderContext, src: string): LocalImage | undefined {
  return ctx.storedImage?.(imageKey(imageOriginal(src)));
}

/** An article as the page and the API show it: index row, archive file, revision group. */
export interface LoadedArticle {
  row: CatalogArticle;
  file: ParsedArchiveFile;
  /** Every member of the revision group, the article itself included, ascending id. */
  group: CatalogArticle[];
}

/**
 * Read an article's index row and archive file; undefined when unknown or the file is gone. The
 * file is read asynchronously: on a cold disk cache a synchronous read would stall every other
 * request of the process behind it.
 */
export async function loadArticle(ctx: ReaderContext, id: number): Promise<LoadedArticle | undefined> {
  const row = ctx.catalog.article(id);
  if (row === undefined) return undefined;
  const root = resolve(ctx.dir);
  const full = resolve(root, row.path);
  if (!full.startsWith(root + sep)) return undefined; // the index names a file outside the archive
  let file: ParsedArchiveFile;
  try {
    file = parseArchiveFile(await readFile(full, 'utf8'), row.path);
  } catch {
    return undefined;
  }
  // Read after the await: the index may have been refreshed meanwhile; the group is as of now.
  return { row, file, group: ctx.catalog.revisionGroup(id) };
}

/** Capture time as ISO 8601 UTC: the file's `captured_at`, else the memento URL's timestamp. */
export function captureTime(file: Pick<ParsedArchiveFile, 'capturedAt' | 'url'>): string | undefined {
  if (file.capturedAt !== undefined) return file.capturedAt;
  const memento = file.url === undefined ? undefined : parseMemento(file.url)?.timestamp;
  return memento === undefined ? undefined : timestampToIso(memento);
}

/**
 * The article page's Memento links (RFC 7089): its original URL, the memento its file was made
 * from, and its TimeMap; the head's `<link>` elements and the server's `Link` header alike.
 */
export function articleMementoLinks(a: LoadedArticle): TypedLink[] {
  return pageMementoLinks(a.row.id, articleMementos(a.file, []));
}

function citeMeta(a: LoadedArticle): CiteMeta {
  const { row, file } = a;
  return {
    id: row.id,
    title: row.title,
    date: row.date,
    lastUpdated: row.lastUpdated,
    author: row.author,
    category: row.category,
    tags: row.tags,
    url: file.url,
    originalUrl: file.originalUrl,
    capturedAt: captureTime(file),
    site: file.site,
  };
}

const link = (ctx: ReaderContext, facet: 'category' | 'tag' | 'author', name: string): HtmlPart => {
  const href = facetHref(ctx, facet, name);
  return href === undefined ? name : html`<a href="${href}">${name}</a>`;
};

function revisionsSection(ctx: ReaderContext, a: LoadedArticle): HtmlPart {
  const others = a.group.filter((g) => g.id !== a.row.id);
  if (others.length === 0) return '';
  // Diff against the previous version (the next lower id: the CMS gave each edit a new, higher
  // id), or for the first version against the one after it.
  const at = a.group.findIndex((g) => g.id === a.row.id);
  const base = a.group[at - 1] ?? a.group[at + 1];
  const baseText = base === undefined ? undefined : ctx.catalog.text(base.id);
  const ownText = a.file.text; // what the index holds for it: the index is built from parseArchiveFile's text
  const older = base !== undefined && base.id < a.row.id;
  const diff =
    base !== undefined && baseText !== undefined
      ? trusted(older ? revisionDiffHtml(baseText, ownText) : revisionDiffHtml(ownText, baseText))
      : undefined;
  return html`<section class="box revisions" aria-labelledby="revisions-heading">
<h2 id="revisions-heading">其他版本（共 ${a.group.length} 個版本）</h2>
<p class="muted">眾新聞修改文章時會給新版本一個新編號；以下文章標題、日期及作者相同，是同一報道的不同版本。</p>
<ol>${a.group.map((g) =>
    g.id === a.row.id
      ? html`<li aria-current="true"><strong>#${g.id}（本頁）</strong>${g.lastUpdated !== undefined ? html` <span class="muted">最後更新 ${g.lastUpdated}</span>` : ''}</li>`
      : html`<li><a href="${articleHref(g.id)}">#${g.id}</a>${g.lastUpdated !== undefined ? html` <span class="muted">最後更新 ${g.lastUpdated}</span>` : ''}</li>`,
  )}</ol>
${
  diff === undefined || base === undefined
    ? ''
    : html`<details class="diff-box">
<summary>${older ? `與上一版本 #${base.id} 比較` : `與下一版本 #${base.id} 比較`}</summary>
<p class="muted">${older ? html`由 <a href="${articleHref(base.id)}">#${base.id}</a> 到本頁（#${a.row.id}）的改動：` : html`由本頁（#${a.row.id}）到 <a href="${articleHref(base.id)}">#${base.id}</a> 的改動：`}<del>刪去</del>、<ins>加入</ins>。</p>
<div class="diff">${diff}</div>
</details>`
}
</section>`;
}

/**
 * The link to the article's own capture replayed in this site (the original URL at the capture
 * time), when the reader has somewhere to replay it (a static export with a WACZ); else nothing.
 */
function capturedPageLink(ctx: ReaderContext, a: LoadedArticle, captured: string | undefined): HtmlPart {
  const url = a.file.originalUrl;
  const timestamp = captured === undefined ? undefined : isoToTimestamp(captured);
  if (ctx.captureHref === undefined || url === undefined || timestamp === undefined) return '';
  const href = ctx.captureHref({ id: a.row.id, url, timestamp });
  return href === undefined
    ? ''
    : html`<dt>存檔原貌</dt><dd><a href="${href}" class="captured-page">查看存檔時的原網頁</a>（在本站重播，核對本文與原貌）</dd>`;
}

function provenanceSection(ctx: ReaderContext, a: LoadedArticle, meta: CiteMeta): Html {
  const f = a.file;
  const captured = meta.capturedAt;
  return html`<section class="box provenance" aria-labelledby="provenance-heading">
<h2 id="provenance-heading">來源</h2>
<dl>
${f.originalUrl !== undefined ? html`<dt>原網址</dt><dd>${externalLink(f.originalUrl)}</dd>` : ''}
${f.url !== undefined ? html`<dt>Wayback 存檔</dt><dd>${robustLink(meta, f.url)}</dd>` : ''}
${capturedPageLink(ctx, a, captured)}
${captured !== undefined ? html`<dt>存檔時間</dt><dd><time datetime="${captured}">${captured.replace('T', ' ').replace('Z', ' UTC')}</time></dd>` : ''}
${f.sha256 !== undefined ? html`<dt>SHA-256</dt><dd class="hash">${f.sha256}</dd>` : ''}
<dt>文章編號</dt><dd>${a.row.id}${f.site !== undefined ? ` (${f.site})` : ''}</dd>
<dt>存檔檔案</dt><dd class="hash">${a.row.path}</dd>
</dl>
</section>`;
}

/**
 * A link to `url` from the archive file, or its text alone when it is not an absolute http(s)
 * URL (`javascript:`, `data:`, `//host`…: the file is data, not a trusted source of links).
 */
function externalLink(url: string): Html {
  const href = attributeUrl(url);
  if (href === undefined) return html`<span class="unlinked-url">${url}</span>`;
  return html`<a href="${href}" rel="noopener noreferrer nofollow">${safeDecode(href)}</a>`;
}

/** The memento link with Robust Links attributes (original URL, version date); text alone when the memento is not linkable. */
function robustLink(meta: CiteMeta, url: string): Html {
  const href = attributeUrl(url);
  if (href === undefined) return html`<span class="unlinked-url">${url}</span>`;
  const text = safeDecode(href);
  const attrs = robustLinkAttributes(meta);
  const original = attrs['data-originalurl'];
  const version = attrs['data-versiondate'];
  return html`<a href="${href}" rel="noopener noreferrer nofollow"${original !== undefined ? html` data-originalurl="${original}"` : ''}${version !== undefined ? html` data-versiondate="${version}"` : ''}>${text}</a>`;
}

function citeSection(meta: CiteMeta): Html {
  const c = citations(meta);
  return html`<section class="box cite" aria-labelledby="cite-heading">
<h2 id="cite-heading">引用本文</h2>
<h3 id="cite-apa">APA</h3>
<p class="citation" data-copy id="cite-apa-text">${trusted(c.apaHtml)}</p>
<h3 id="cite-mla">MLA</h3>
<p class="citation" data-copy id="cite-mla-text">${trusted(c.mlaHtml)}</p>
<h3 id="cite-bibtex">BibTeX</h3>
<pre class="citation" data-copy>${c.bibtex}</pre>
</section>`;
}

function safeDecode(url: string): string {
  try {
    return decodeURI(url);
  } catch {
    return url;
  }
}

export function articlePage(ctx: ReaderContext, a: LoadedArticle): Html {
  const { row, file } = a;
  const meta = citeMeta(a);
  const dayHref = row.date === undefined ? undefined : articleDateHref(row.date);
  const title = row.title === '' ? `（無標題 #${row.id}）` : row.title;
  const facts: HtmlPart[] = [];
  if (row.date !== undefined) facts.push(html`<dt>日期</dt><dd>${articleDate(row.date)}</dd>`);
  if (row.lastUpdated !== undefined) facts.push(html`<dt>最後更新</dt><dd>${row.lastUpdated}</dd>`);
  if (row.author !== undefined)
    facts.push(html`<dt>${FACET_LABELS.author.one}</dt><dd>${link(ctx, 'author', row.author)}</dd>`);
  if (row.category !== undefined)
    facts.push(html`<dt>${FACET_LABELS.category.one}</dt><dd>${link(ctx, 'category', row.category)}</dd>`);
  if (row.tags.length > 0)
    facts.push(
      html`<dt>${FACET_LABELS.tag.plural}</dt><dd><ul class="tags">${row.tags.map((t) => html`<li>${link(ctx, 'tag', t)}</li>`)}</ul></dd>`,
    );
  const head = html`${dublinCoreMeta(meta).map((m) => html`<meta name="${m.name}" content="${m.content}">\n`)}${mementoLinkElements(articleMementoLinks(a))}<script type="application/ld+json">${trusted(newsArticleJsonLd(meta))}</script>\n`;
  const body = trusted(
    renderArticleHtml(dropControls(file.body), {
      loadImages: ctx.loadImages,
      ...(ctx.storedImage !== undefined ? { localImage: (src: string) => storedImageOf(ctx, src) } : {}),
    }),
  );
  return page(
    ctx,
    {
      title,
      head,
      enhance: true,
      ...(row.date !== undefined ? { description: `${row.date} ${row.author ?? ''} ${row.title}`.trim() } : {}),
    },
    html`
<article class="article" aria-labelledby="article-title">
<header>
<h1 id="article-title">${title}</h1>
<div class="article-meta"><dl>${facts}</dl></div>
</header>
${ctx.loadImages ? '' : html`<p class="muted">為免向第三方發出請求，圖片及嵌入內容以連結顯示。</p>`}
<div class="article-body">
${body}
</div>
</article>
${revisionsSection(ctx, a)}
${provenanceSection(ctx, a, meta)}
${citeSection(meta)}
<p class="muted">${joinParts(
      [
        ...(dayHref !== undefined ? [html`<a href="${dayHref}">同日文章</a>`] : []),
        ...(ctx.mode === 'server' ? [html`<a href="/api/articles/${row.id}">JSON</a>`] : []),
      ],
      ' · ',
    )}</p>`,
  );
}

/**
 * The article's TimeMap (link-format): the mementos its archive holds, from the index (the crawl
 * state's captures of it, chosen or rejected) and its file (the capture it was made from).
 */
export function articleTimeMap(ctx: ReaderContext, a: LoadedArticle): string {
  return timeMapBody(timeMapHref(a.row.id), articleMementos(a.file, ctx.catalog.heldMementos(a.row.id)));
}

/** `GET /api/articles/:id`: metadata, body Markdown, plain text, revision group ids. */
export function articleJson(a: LoadedArticle): Record<string, unknown> {
  const { row, file } = a;
  const out: Record<string, unknown> = { id: row.id, title: row.title };
  const put = (key: string, value: unknown): void => {
    if (value !== undefined) out[key] = value;
  };
  put('date', row.date);
  put('lastUpdated', row.lastUpdated);
  put('author', row.author);
  put('category', row.category);
  out['tags'] = row.tags;
  put('url', file.url);
  put('originalUrl', file.originalUrl);
  put('site', file.site);
  put('capturedAt', captureTime(file));
  put('sha256', file.sha256);
  out['path'] = row.path;
  out['revisions'] = a.group.map((g) => g.id);
  out['body'] = file.body;
  out['text'] = file.text;
  return out;
}

/**
 * The page at a taken-down article's address: what it was (id, title), when and why it was
 * removed, so a citation of it still leads somewhere that explains (markdown takedowns.ts).
 * No text of the article, and `noindex`.
 */
export function tombstonePage(ctx: ReaderContext, t: Tombstone): Html {
  const title = t.title === '' ? `編號 ${t.id} 的文章` : `「${t.title}」`;
  return page(
    ctx,
    { title: '文章已移除', head: html`<meta name="robots" content="noindex">\n` },
    html`
<article class="tombstone">
<h1>文章已移除</h1>
<p>本存檔中編號 ${String(t.id)} 的文章${title}已於 <time datetime="${t.date}">${t.date}</time> 移除。</p>
<dl>
<dt>原因</dt><dd>${t.reason}</dd>
<dt>決定者</dt><dd>${t.by}</dd>
${t.originalUrl !== undefined ? html`<dt>原網址</dt><dd>${t.originalUrl}</dd>\n` : ''}</dl>
<p><a href="/">返回首頁</a></p>
</article>`,
  );
}

/** The API's answer for a taken-down article (HTTP 410). */
export function tombstoneJson(t: Tombstone): Record<string, unknown> {
  return {
    error: 'taken-down',
    message: `article ${t.id} was taken down on ${t.date}`,
    takedown: { id: t.id, title: t.title, date: t.date, reason: t.reason },
  };
}
