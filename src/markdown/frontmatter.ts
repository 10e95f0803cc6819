/** Frontmatter of an archive file: the seed's keys in the seed's order, then provenance. */
import { stringify } from 'yaml';
import { timestampToIso, type Article } from '../extract/index.js';
import { mementoUrl } from './wayback-urls.js';

export type FrontmatterStyle = 'full' | 'minimal';

/** The values written, in order; keys whose value the page did not give are absent. */
export function frontmatterValues(article: Article, style: FrontmatterStyle = 'full'): Record<string, string | string[]> {
  const fm: Record<string, string | string[]> = {};
  const put = (key: string, value: string | undefined): void => {
    const v = value?.trim();
    if (v) fm[key] = v;
  };
  put('title', article.title);
  put('date', article.date);
  put('last_updated', article.lastUpdated);
  put('author', article.author);
  put('category', article.category);
  const tags = article.tags.map((t) => t.trim()).filter((t) => t !== '');
  if (tags.length > 0) fm['tags'] = tags;
  put('url', mementoUrl(article.provenance.timestamp, article.provenance.originalUrl));
  put('original_url', article.provenance.originalUrl);
  if (style === 'full') {
    put('id', article.id);
    put('site', article.site);
    put('captured_at', timestampToIso(article.provenance.timestamp));
    put('sha256', article.provenance.sha256);
  }
  return fm;
}

/** `---\n…\n---\n`: every scalar double-quoted, tags as a block list (yaml 2, no line folding). */
export function renderFrontmatter(article: Article, style: FrontmatterStyle = 'full'): string {
  const yaml = stringify(frontmatterValues(article, style), { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0, minContentWidth: 0 });
  return `---\n${yaml}---\n`;
}
