/**
 * Following every link of an exported site as a browser would under a path prefix: every page
 * file (not 404.html, which is served at any depth) and every page of a compact export's page
 * data (at its own address), every `href`, `src` and `action`; each must stay under the prefix
 * and reach a file of the site or a page in its page data. Any attribute whose value starts at
 * the host's root is a problem too (it would leave a site served under a prefix).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeHTML } from 'entities';

export interface CrawlResult {
  pages: number;
  links: number;
  problems: string[];
}

export function crawlSite(site: string, prefix: string): CrawlResult {
  const pages: { where: string; url: URL; html: string }[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(site, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (child !== 'search-index' && child !== 'pages') walk(child);
      } else if (entry.name.endsWith('.html') && child !== '404.html') {
        const url = new URL(
          child
            .replace(/index\.html$/, '')
            .split('/')
            .map(encodeURIComponent)
            .join('/'),
          `https://host${prefix}`,
        );
        pages.push({ where: child, url, html: readFileSync(join(site, child), 'utf8') });
      }
    }
  };
  walk('');
  const dataKeys = new Set<string>();
  if (existsSync(join(site, 'pages'))) {
    for (const name of readdirSync(join(site, 'pages'))) {
      const raw = readFileSync(join(site, 'pages', name));
      const data = JSON.parse((raw[0] === 0x1f ? gunzipSync(raw) : raw).toString('utf8')) as Record<
        string,
        { main: string }
      >;
      for (const [key, page] of Object.entries(data)) {
        dataKeys.add(key);
        const url = new URL(key.split('/').map(encodeURIComponent).join('/'), `https://host${prefix}`);
        pages.push({ where: `pages/${name}#${key}`, url, html: page.main });
      }
    }
  }
  const problems: string[] = [];
  let links = 0;
  for (const { where, url, html } of pages) {
    for (const [, name] of html.matchAll(/\s([a-z-]+)="\/(?!\/)/g))
      problems.push(`${where}: ${name} starts at the host's root`);
    for (const [, value] of html.matchAll(/\s(?:href|src|action)="([^"]*)"/g)) {
      const href = decodeHTML(value!);
      if (/^[a-z]+:/i.test(href) || href.startsWith('//') || href.startsWith('#')) continue;
      links++;
      const target = new URL(href, url);
      if (!target.pathname.startsWith(prefix)) {
        problems.push(`${where}: ${href} leaves ${prefix}`);
        continue;
      }
      const path = decodeURIComponent(target.pathname.slice(prefix.length));
      const file = path === '' || path.endsWith('/') ? `${path}index.html` : path;
      if (!existsSync(join(site, file)) && !dataKeys.has(path))
        problems.push(`${where}: ${href} → ${file} is not in the site`);
    }
  }
  return { pages: pages.length, links, problems };
}
