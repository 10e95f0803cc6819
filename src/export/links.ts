/**
 * Site-relative links for the static export. The reader writes links from the site's root
 * (`href="/article/1/"`); a mirror is often served under a path prefix (a GitHub Pages project site
 * is `https://user.github.io/repo/`), where those links would leave the site. Each exported page's
 * root links are rewritten relative to the page (`../../article/1/`), so the same files work at
 * any prefix with no setting. The reader's own HTML escapes `"` in text and in JSON-LD, so
 * `href="/` occurs only as a real attribute.
 */

/** `href`, `src` and `action` values that start at the root: `/x` but not `//host/x`. */
const ROOT_LINK = /(\s(?:href|src|action)=")\/(?!\/)/g;

/** The way from page `urlPath` (`/a/b/`, a folder's index.html) back to the site's root: `../../`. */
export function rootFrom(urlPath: string): string {
  const depth = urlPath.split('/').length - 2;
  return depth <= 0 ? './' : '../'.repeat(depth);
}

/** `html` with every root link starting at `prefix` instead (`../../` from a page, or `/repo/` for the 404 page). */
export function rebaseLinks(html: string, prefix: string): string {
  return html.replace(ROOT_LINK, `$1${prefix}`);
}

/** Link-format targets that start at the root (`</article/1/timemap.txt>`), not `<//host/…>` or absolute URLs. */
const ROOT_TARGET = /<\/(?!\/)/g;

/**
 * A TimeMap (link-format) with every root target starting at `basePath` instead: its `self` link.
 * A TimeMap is read by programs, resolved against the origin (RFC 6690 §2.1) or against its own
 * address (RFC 3986), which agree only for a path from the root: the mirror's `--base-path`.
 */
export function rebaseLinkFormat(text: string, basePath: string): string {
  return text.replace(ROOT_TARGET, `<${basePath}`);
}
