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
